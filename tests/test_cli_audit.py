"""`casebot audit verify|head` as an operator runs them: settings from the environment, no Slack, no key."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot import cli
from storage import repository as repo

NOW = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)


@pytest.fixture
def env(monkeypatch, database_url):
    for name in list(os.environ):
        if name.startswith(("SLACK_", "CASEBOT_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", database_url)
    return monkeypatch


@pytest.fixture
def trail(sessions) -> list[int]:
    for team in ("T1", "T2"):
        with sessions.begin() as session:
            repo.ensure_workspace(session, team_id=team, now=NOW)
            for n in range(3):
                repo.add_audit(session, team_id=team, now=NOW, actor="cli", action="notes.list", object_id=n)
    with sessions() as session:
        return list(session.scalars(text("SELECT id FROM audit_log WHERE team_id = 'T1' ORDER BY id")))


def audit(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = cli.main(["audit", *argv])
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err


def test_verify_an_intact_trail_exits_0_with_a_count_per_workspace(env, trail, capsys):
    code, lines, _ = audit(capsys, "verify")
    assert code == 0
    assert [line.split(",")[0] for line in lines] == ["T1: intact", "T2: intact"]
    assert "3 entries" in lines[0]


def test_verify_names_the_changed_entry_and_exits_1(env, trail, sessions, capsys):
    with sessions.begin() as session:
        session.execute(text("UPDATE audit_log SET actor = 'UMALLORY' WHERE id = :id"), {"id": trail[1]})
    code, lines, _ = audit(capsys, "verify")
    assert code == 1
    assert lines == [f"T1: entry {trail[1]}: changed (its contents no longer give its hash)", lines[1]]
    assert lines[1].startswith("T2: intact")
    assert audit(capsys, "verify", "--team", "T2")[0] == 0


def test_head_prints_the_hash_to_anchor_and_verify_checks_it(env, trail, sessions, capsys):
    code, lines, _ = audit(capsys, "head")
    assert code == 0 and [line.split()[0] for line in lines] == ["T1", "T2"]
    code, lines, _ = audit(capsys, "head", "--team", "T1")
    assert code == 0 and len(lines) == 1 and len(lines[0]) == 64
    anchor = lines[0]
    code, lines, _ = audit(capsys, "verify", "--team", "T1", "--anchor", anchor)
    assert code == 0 and "anchor found at entry" in lines[0]

    with sessions.begin() as session:
        session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": trail[0]})
    code, lines, _ = audit(capsys, "verify", "--team", "T1", "--anchor", anchor)
    assert code == 1
    assert lines[0] == f"T1: entry {trail[1]}: one or more entries before it were deleted"
    assert lines[-1].startswith(f"T1: anchor {anchor[:16]}...: not found intact")


def test_usage_problems_exit_2_with_one_line(env, trail, capsys):
    code, lines, err = audit(capsys, "verify", "--anchor", "not-a-hash", "--team", "T1")
    assert code == 2 and not lines and err.count("\n") == 1
    code, lines, err = audit(capsys, "verify", "--anchor", "a" * 64)
    assert code == 2 and "add --team" in err
    code, lines, err = audit(capsys, "head", "--team", "TNOBODY")
    assert code == 1 and "no audit entries" in err
