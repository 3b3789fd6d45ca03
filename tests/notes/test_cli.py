"""`casebot notes list|show|export|purge` as an administrator runs them: settings from the environment,
the wall clock (freezegun), no Slack token and no network. Notes are built directly with real hashes."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from bot import cli
from bot.config import ephemeral_data_keys
from bot.notes import rules_export as export
from storage.models import (
    ActionStatus,
    AuditEntry,
    Case,
    CaseMember,
    CaseStatus,
    Experience,
    FollowUpClaim,
    LearningEvidence,
    MemberRole,
    Note,
    NoteAction,
    NoteVersion,
    Person,
    Workspace,
)
from tests.notes.test_rules_export import errors, recompute
from tests.notes_builder import EVENT, Version, add_note, named_sections, sections

NOW = "2027-02-01 03:00:00"  # UTC
TEAM, OTHER_TEAM = "T0CASE01", "T0OTHER1"
REFERENCE = "CASE-2026-014"
REASON = "Sam's scale was recorded as Alex's"


@pytest.fixture
def env(monkeypatch, database_url, tmp_path):
    for name in list(os.environ):
        if name.startswith(("SLACK_", "CASEBOT_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CASEBOT_DATA_KEYS", ",".join(ephemeral_data_keys()))
    monkeypatch.setenv("CASEBOT_DEFAULT_TIMEZONE", "Pacific/Auckland")
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def make_case(session, team: str, reference: str, *, status=CaseStatus.OPEN, opened=EVENT) -> Case:
    if session.get(Workspace, team) is None:
        session.add(Workspace(team_id=team, created_at=opened))
        session.flush()
    manager = Person(team_id=team, slack_user_id=f"UMGR{session.query(Person).count():04d}")
    session.add(manager)
    session.flush()
    case = Case(
        team_id=team,
        reference=reference,
        channel_id="CCASES01",
        status=status,
        manager_id=manager.id,
        created_at=opened,
    )
    session.add(case)
    session.flush()
    return case


@pytest.fixture
def store(sessions):
    """An open case with an amended note and a plain one; nothing else."""
    with sessions.begin() as session:
        case = make_case(session, TEAM, REFERENCE)
        add_note(
            session,
            case,
            Version(),
            Version(recorder_id="UALEX001", amendment_reason=REASON, sections=sections(risk="Scaled 5/10.")),
            states={1: ActionStatus.DONE},
        )
        add_note(session, case, event_at=EVENT + timedelta(days=14))
    return sessions


def casebot(capsys, *argv: str) -> tuple[int, str, str]:
    with freeze_time(NOW):
        code = cli.main(["notes", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def audit_rows(sessions, action: str) -> list[AuditEntry]:
    with sessions() as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        )


def count(sessions, model, *where) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


# ------------------------------------------------------------------ list, show
def test_list_prints_each_note_on_a_line_and_is_audited_without_a_slack_token(env, store, capsys):
    code, out, err = casebot(capsys, "list", "--case", REFERENCE)

    assert code == 0, err
    header, first, second = out.splitlines()
    assert header == (
        f"Case {REFERENCE} (team {TEAM}, open, opened 2026-12-01, id 1): 2 notes "
        "(times in Pacific/Auckland, the case's time zone)"
    )
    assert first.split()[:1] == ["1"]
    assert "Wed 2 Dec 2026, 10:00 NZDT" in first and "version 2 (amended)" in first
    assert "recorded by UALEX001" in first and "actions: 1 open, 1 done" in first
    assert "version 1  recorded by USAM0001" in second and "actions: 2 open" in second
    (audit,) = audit_rows(store, "notes.list")
    assert (audit.actor, audit.team_id, audit.object_id, audit.detail) == ("cli", TEAM, "1", {"notes": 2})


def test_show_prints_the_note_with_every_version_and_is_audited(env, store, capsys):
    code, out, err = casebot(capsys, "show", "--case", REFERENCE, "--note", "1")

    assert code == 0, err
    assert err.startswith(f"casebot: case {REFERENCE} (team {TEAM}")
    assert "## Note 1: Discussion with colleague, Wed 2 Dec 2026, 10:00 NZDT" in out
    assert out.index("### Version 2 (current)") < out.index("### Version 1 (earlier, replaced by version 2)")
    assert f"**Amendment reason:** {REASON}" in out
    assert "exported Mon 1 Feb 2027, 16:00 NZDT by the casebot command line" in out
    assert [a.detail for a in audit_rows(store, "notes.view")] == [{"note": 1, "version": None}]


def test_show_one_earlier_version(env, store, capsys):
    code, out, _ = casebot(capsys, "show", "--case", REFERENCE, "--note", "1", "--version", "1")

    assert code == 0
    assert out.startswith(
        f"# Case {REFERENCE}, note 1: Discussion with colleague, Wed 2 Dec 2026, 10:00 NZDT"
    )
    assert "Version 1 of 2, replaced by version 2." in out
    assert "Scaled 6/10 by both." in out and "Scaled 5/10." not in out and "Amendment reason" not in out
    assert [a.detail for a in audit_rows(store, "notes.view")] == [{"note": 1, "version": 1}]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "--case", REFERENCE, "--note", "9"], f"casebot: case {REFERENCE} has no note 9."),
        (
            ["show", "--case", REFERENCE, "--note", "1", "--version", "3"],
            f"casebot: note 1 of case {REFERENCE} has no version 3.",
        ),
        (["list", "--case", "CASE-1999-001"], "casebot: there is no case with the reference CASE-1999-001."),
        (
            ["list", "--case", REFERENCE, "--team", OTHER_TEAM],
            f"casebot: there is no case with the reference {REFERENCE} in team {OTHER_TEAM}.",
        ),
    ],
)
def test_what_is_not_there_exits_1_with_one_line_and_nothing_is_audited(env, store, capsys, argv, message):
    code, out, err = casebot(capsys, *argv)
    assert (code, out, err.strip()) == (1, "", message)
    assert audit_rows(store, "notes.view") == [] and audit_rows(store, "notes.list") == []


def test_a_reference_in_two_workspaces_and_reused_after_closing_uses_the_newest_and_says_which(
    env, store, capsys
):
    with store.begin() as session:
        make_case(
            session, OTHER_TEAM, REFERENCE, status=CaseStatus.CLOSED, opened=EVENT - timedelta(days=400)
        )
        make_case(session, OTHER_TEAM, REFERENCE, opened=EVENT + timedelta(days=30))

    _, out, _ = casebot(capsys, "list", "--case", REFERENCE.lower())
    assert out.splitlines()[0] == (
        f"Case {REFERENCE} (team {OTHER_TEAM}, open, opened 2026-12-31, id 3), the newest of 3 cases with "
        "this reference (--earlier 1: the one before); add --team to choose another workspace: 0 notes "
        "(times in Pacific/Auckland, the case's time zone)"
    )
    _, out, _ = casebot(capsys, "list", "--case", REFERENCE, "--team", TEAM)
    assert out.splitlines()[0].startswith(
        f"Case {REFERENCE} (team {TEAM}, open, opened 2026-12-01, id 1): 2 notes"
    )
    # The closed case the reference was used for before stays reachable (issue 16).
    _, out, _ = casebot(capsys, "list", "--case", REFERENCE, "--team", OTHER_TEAM, "--earlier", "1")
    assert out.splitlines()[0].startswith(
        f"Case {REFERENCE} (team {OTHER_TEAM}, closed, opened 2025-10-27, id 2)"
    )


# ---------------------------------------------------------------------- export
def test_export_writes_markdown_here_by_default_prints_the_path_and_is_audited(env, store, capsys, tmp_path):
    code, out, err = casebot(capsys, "export", "--case", REFERENCE)

    assert code == 0, err
    path = tmp_path / f"{REFERENCE}-notes-20270201T030000Z.md"
    assert out.strip() == str(path)
    text = path.read_text()
    assert text.startswith(f"# Case notes: {REFERENCE}\n") and f"**Amendment reason:** {REASON}" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, "case detail: readable by its owner only"
    assert "2 notes exported" in err
    (audit,) = audit_rows(store, "notes.export")
    assert (audit.actor, audit.detail) == (
        "cli",
        {"format": "md", "notes": 2, "versions": 3, "via": "cli_file"},
    )


def test_export_json_to_a_path_is_valid_and_its_hashes_recompute(env, store, capsys, tmp_path):
    target = tmp_path / "out.json"
    code, out, _ = casebot(capsys, "export", "--case", REFERENCE, "--format", "json", "--out", str(target))

    assert (code, out.strip()) == (0, str(target))
    document = json.loads(target.read_text())
    assert errors(document) == []
    assert document["exported_by"] == "cli" and document["exported_at"] == "2027-02-01T03:00:00+00:00"
    assert [len(n["versions"]) for n in document["notes"]] == [2, 1]
    for note in document["notes"]:
        for version in note["versions"]:
            assert recompute(note, version) == version["content_hash"]


def test_export_never_overwrites_a_file(env, store, capsys, tmp_path):
    target = tmp_path / "notes.md"
    target.write_text("someone else's file")
    code, _, err = casebot(capsys, "export", "--case", REFERENCE, "--out", str(target))
    assert code == 1 and "already exists; casebot does not overwrite an export" in err
    assert target.read_text() == "someone else's file"
    assert audit_rows(store, "notes.export") == [], "nothing was exported"


def test_export_to_stdout(env, store, capsys):
    code, out, _ = casebot(capsys, "export", "--case", REFERENCE, "--format", "json", "--out", "-")
    assert code == 0 and errors(json.loads(out)) == []
    assert [a.detail["via"] for a in audit_rows(store, "notes.export")] == ["cli_stdout"]


def test_export_of_a_case_without_notes(env, sessions, capsys):
    with sessions.begin() as session:
        make_case(session, TEAM, "CASE-2027-001")
    code, _, err = casebot(capsys, "export", "--case", "CASE-2027-001")
    assert code == 1 and "has no signed-off notes, so there is nothing to export" in err


# ----------------------------------------------------------------------- purge
@pytest.fixture
def closed(store):
    """Beside the open case (whose notes are old too): a closed case with two old notes and one recent,
    an action follow-up claim, a late-summary claim and a learning-evidence entry."""
    with store.begin() as session:
        case = make_case(
            session, TEAM, "CASE-2025-007", status=CaseStatus.CLOSED, opened=EVENT - timedelta(days=90)
        )
        worker = session.scalar(select(Person).where(Person.slack_user_id == "UMGR0000"))
        first = add_note(session, case, Version(), Version(amendment_reason=REASON), learning_for=worker.id)
        add_note(session, case, event_at=EVENT + timedelta(days=7), states={2: ActionStatus.CANNOT})
        add_note(session, case, event_at=datetime(2027, 1, 20, tzinfo=UTC))
        action = session.scalar(
            select(NoteAction).where(NoteAction.note_id == first.id, NoteAction.number == 1)
        )
        for subject, subject_id in (("action", action.id), ("record", 1)):
            session.add(
                FollowUpClaim(
                    team_id=TEAM,
                    subject=subject,
                    subject_id=subject_id,
                    level=0,
                    round=0,
                    claimed_at=EVENT,
                    recipients=["UALEX001"],
                )
            )
    return store


def test_purge_without_yes_only_says_what_it_would_do(env, closed, capsys, tmp_path):
    code, out, _ = casebot(
        capsys, "purge", "--closed-before", "2027-01-01", "--out", str(tmp_path / "purged")
    )

    assert code == 0
    assert out.splitlines() == [
        "Notes of closed cases from before 2027-01-01 (Pacific/Auckland; 2026-12-31 11:00 UTC):",
        f"  CASE-2025-007 (team {TEAM}, id 2): 2 notes, 3 versions, 4 actions",
        "casebot: nothing written or deleted. "
        f"Run again with --yes to export these into {tmp_path / 'purged'} and then delete them.",
    ]
    assert not (tmp_path / "purged").exists()
    assert count(closed, Note) == 5 and audit_rows(closed, "notes.purge") == []


def test_purge_exports_first_then_deletes_only_old_notes_of_closed_cases_and_audits_it(
    env, closed, capsys, tmp_path
):
    out_dir = tmp_path / "purged"
    code, out, err = casebot(capsys, "purge", "--closed-before", "2027-01-01", "--out", str(out_dir), "--yes")

    assert code == 0, err
    names = sorted(p.name for p in out_dir.iterdir())
    stem = f"{TEAM}-case2-CASE-2025-007-notes-20270201T030000Z"
    assert names == [f"{stem}.json", f"{stem}.md"]
    assert all(stat.S_IMODE((out_dir / n).stat().st_mode) == 0o600 for n in names)
    document = json.loads((out_dir / f"{stem}.json").read_text())
    assert errors(document) == []
    assert [n["number"] for n in document["notes"]] == [1, 2], "exactly the notes purged"
    assert [v["amendment_reason"] for v in document["notes"][0]["versions"]] == [None, REASON]
    assert [s["status"] for s in document["notes"][1]["action_states"]] == ["open", "cannot"]
    markdown = (out_dir / f"{stem}.md").read_text()
    assert "## Note 1:" in markdown and "## Note 2:" in markdown and "## Note 3:" not in markdown
    assert (
        out.splitlines()[-1]
        == f"casebot: purged 2 notes of 1 case, exported first into {out_dir} (audit: notes.purge)."
    )

    with closed() as session:
        remaining = session.execute(
            select(Case.reference, Note.number).join(Note.case).order_by(Note.id)
        ).all()
    assert remaining == [(REFERENCE, 1), (REFERENCE, 2), ("CASE-2025-007", 3)], (
        "open case and recent note kept"
    )
    assert count(closed, NoteVersion) == 4 and count(closed, NoteAction) == 6
    assert [(c.subject, c.subject_id) for c in rows(closed, FollowUpClaim)] == [("record", 1)]
    assert count(closed, LearningEvidence) == 1, "the worker's learning record is kept"

    (audit,) = audit_rows(closed, "notes.purge")
    assert (audit.actor, audit.team_id, audit.object_type, audit.object_id) == ("cli", TEAM, "case", "2")
    assert audit.detail == {
        "closed_before": "2026-12-31T11:00:00+00:00",
        "notes": 2,
        "versions": 3,
        "actions": 4,
        "follow_up_claims": 1,
        "reviews": 0,
        "supervisions": 0,
        "wellbeing_checks": 0,
        "files": [f"{stem}.md", f"{stem}.json"],
    }

    code, out, _ = casebot(capsys, "purge", "--closed-before", "2027-01-01", "--out", str(out_dir), "--yes")
    assert (code, out.strip()) == (
        0,
        "casebot: no closed case has notes from before 2027-01-01; nothing to do.",
    )


def test_purge_deletes_nothing_when_its_export_cannot_be_written(env, closed, capsys, tmp_path):
    out_dir = tmp_path / "purged"
    out_dir.mkdir()
    at = datetime(2027, 2, 1, 3, 0, tzinfo=UTC)
    in_the_way = out_dir / f"{TEAM}-case2-{export.filename('CASE-2025-007', at, 'json')}"
    in_the_way.write_text("{}")

    code, _, err = casebot(capsys, "purge", "--closed-before", "2027-01-01", "--out", str(out_dir), "--yes")

    assert code == 1 and "already exists; casebot does not overwrite an export" in err
    assert in_the_way.read_text() == "{}"
    assert count(closed, Note) == 5 and count(closed, NoteVersion) == 7 and count(closed, FollowUpClaim) == 2
    assert audit_rows(closed, "notes.purge") == []


def test_a_bad_date_is_a_usage_error(env, closed, capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        casebot(capsys, "purge", "--closed-before", "1/1/2027", "--out", str(tmp_path))
    assert exit_.value.code == 2
    assert "'1/1/2027' is not a date: use YYYY-MM-DD" in capsys.readouterr().err


def rows(sessions, model) -> list:
    with sessions() as session:
        return list(session.scalars(select(model).order_by(model.id)))


# ---------------------------------------------------- the case's zone, names, --json
@pytest.fixture
def london_case(sessions):
    """A case led from London (the configured default is Auckland), its note signed with names kept."""
    with sessions.begin() as session:
        case = make_case(session, TEAM, "CASE-LDN-1")
        lead = Person(team_id=TEAM, slack_user_id="UALEX001", tz="Europe/London")
        session.add(lead)
        session.flush()
        session.add(
            CaseMember(
                team_id=TEAM,
                case_id=case.id,
                person_id=lead.id,
                role=MemberRole.LEAD,
                experience=Experience.EXPERIENCED,
            )
        )
        add_note(session, case, Version(recorder_id="UALEX001", sections=named_sections()))
    return sessions


def test_list_uses_the_case_time_zone_says_which_and_names_the_recorder(env, london_case, capsys):
    code, out, err = casebot(capsys, "list", "--case", "CASE-LDN-1")

    assert code == 0, err
    header, line = out.splitlines()
    assert header.endswith("1 note (times in Europe/London, the case's time zone)")
    assert "Tue 1 Dec 2026, 21:00 GMT" in line  # Wed 2 Dec 10:00 in Auckland
    assert "recorded by Alex (social worker)" in line and "UALEX001" not in line


def test_show_names_people_without_their_slack_ids(env, london_case, capsys):
    code, out, err = casebot(capsys, "show", "--case", "CASE-LDN-1", "--note", "1")

    assert code == 0, err
    assert "Times are shown in Europe/London, the case's time zone." in out
    assert "Recorded Tue 1 Dec 2026, 23:00 GMT by Alex (social worker)." in out
    assert "**Participants:** Sam (newly qualified), co-worker; Alex (social worker), lead worker" in out
    assert "UALEX001" not in out and "USAM0001" not in out


def test_list_and_show_as_json_for_scripts(env, london_case, capsys):
    code, out, err = casebot(capsys, "list", "--case", "CASE-LDN-1", "--json")

    assert code == 0, err
    (note,) = json.loads(out)
    assert note["event_at"] == "2026-12-01T21:00:00+00:00"
    assert note["event_at_local"] == "2026-12-01T21:00:00+00:00" and note["time_zone"] == "Europe/London"
    assert (note["recorder_id"], note["recorder_name"]) == ("UALEX001", "Alex (social worker)")
    assert note["actions"] == {"open": 2, "done": 0, "cannot": 0}

    code, out, err = casebot(capsys, "show", "--case", "CASE-LDN-1", "--note", "1", "--json")

    assert code == 0, err
    document = json.loads(out)
    assert errors(document) == []
    (shown,) = document["notes"]
    people = shown["versions"][0]["sections"][0]
    assert people["key"] == "people" and people["entries"][1]["name"] == "Alex (social worker)"
