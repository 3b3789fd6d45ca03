"""The audit trail's hash chain: any single-row change, insertion or deletion made by hand is found.

Tampering is done the way someone with database access would, by raw SQL, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from storage import audit, migrate
from storage import repository as repo
from storage.db import make_engine, make_sessions
from storage.models import AuditEntry, AuditHead

NOW = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
TEAM, OTHER = "T1", "T2"
ENTRIES = 6  # per workspace; the two workspaces' entries interleave


def fill(sessions, count: int = ENTRIES) -> list[int]:
    """`count` entries in each of two workspaces, interleaved; the ids of TEAM's, oldest first."""
    with sessions.begin() as session:
        repo.ensure_workspace(session, team_id=TEAM, now=NOW)
        repo.ensure_workspace(session, team_id=OTHER, now=NOW)
    for n in range(count):
        with sessions.begin() as session:
            for team in (TEAM, OTHER):
                repo.add_audit(
                    session,
                    team_id=team,
                    now=NOW + timedelta(minutes=n),
                    actor=f"U{n:03d}",
                    action="notes.view",
                    object_type="note",
                    object_id=n,
                    detail={"version": n, "refs": (1, 2)},
                )
    with sessions() as session:
        return list(
            session.scalars(text("SELECT id FROM audit_log WHERE team_id = :t ORDER BY id"), {"t": TEAM})
        )


def verdict(sessions, team: str = TEAM, anchor: str | None = None) -> audit.Verdict:
    with sessions() as session:
        return audit.verify(session, team, anchor=anchor)


def sql(sessions, statement: str, **params) -> None:
    with sessions.begin() as session:
        session.execute(text(statement), params)


def test_an_untouched_chain_verifies_in_each_workspace(sessions):
    fill(sessions)
    for team in (TEAM, OTHER):
        found = verdict(sessions, team)
        assert found.intact, found.breaks
        assert found.entries == ENTRIES
    with sessions() as session:
        head = session.get(AuditHead, TEAM)
        newest = session.scalars(
            text("SELECT row_hash FROM audit_log WHERE team_id='T1' ORDER BY id DESC")
        ).first()
    assert head.head_hash == newest == verdict(sessions).head and head.entries == ENTRIES


def test_several_entries_in_one_transaction_chain_in_order(sessions):
    fill(sessions, 1)
    with sessions.begin() as session:
        for n in range(3):
            repo.add_audit(session, team_id=TEAM, now=NOW, actor="cli", action=f"a{n}")
    with sessions.begin() as session:  # a rolled-back savepoint leaves the chain as it was
        with pytest.raises(RuntimeError), session.begin_nested():
            repo.add_audit(session, team_id=TEAM, now=NOW, actor="cli", action="undone")
            raise RuntimeError
        repo.add_audit(session, team_id=TEAM, now=NOW, actor="cli", action="kept")
    found = verdict(sessions)
    assert found.intact, found.breaks
    assert found.entries == 5


def test_entries_flushed_in_a_savepoint_that_rolls_back_leave_the_chain_as_it_was(sessions):
    fill(sessions, 1)
    with sessions.begin() as session:
        repo.ensure_workspace(session, team_id="T3", now=NOW)
    with sessions.begin() as session:
        for team in (TEAM, "T3"):  # a workspace with a head, and one whose first entry this would be
            with pytest.raises(RuntimeError), session.begin_nested():
                repo.add_audit(session, team_id=team, now=NOW, actor="cli", action="undone")
                session.flush()
                raise RuntimeError
            repo.add_audit(session, team_id=team, now=NOW, actor="cli", action="kept")
    for team, entries in ((TEAM, 2), ("T3", 1)):
        found = verdict(sessions, team)
        assert found.intact and found.entries == entries, (team, found)


POSITIONS = {"first": 0, "middle": ENTRIES // 2, "newest": ENTRIES - 1}

UPDATES = {
    "action": "UPDATE audit_log SET action = 'notes.export' WHERE id = :id",
    "actor": "UPDATE audit_log SET actor = 'UMALLORY' WHERE id = :id",
    "time": "UPDATE audit_log SET at = :later WHERE id = :id",
    "detail": "UPDATE audit_log SET detail = NULL WHERE id = :id",
    "outcome": "UPDATE audit_log SET outcome = 'denied' WHERE id = :id",
    "object": "UPDATE audit_log SET object_id = '999' WHERE id = :id",
    "row_hash": "UPDATE audit_log SET row_hash = :fake WHERE id = :id",
    "prev_hash": "UPDATE audit_log SET prev_hash = :fake WHERE id = :id",
    "workspace": "UPDATE audit_log SET team_id = 'T2' WHERE id = :id",
    "id": "UPDATE audit_log SET id = id + 1000 WHERE id = :id",
}


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("column", UPDATES)
def test_a_single_row_update_by_sql_is_found(sessions, column, position):
    if (column, position) == ("id", "newest"):
        pytest.skip(
            "the id is a surrogate key, not part of the record: renumbering the newest changes nothing"
        )
    ids = fill(sessions)
    target = ids[POSITIONS[position]]
    sql(sessions, UPDATES[column], id=target, later=NOW + timedelta(days=1), fake="f" * 64)
    found = verdict(sessions)
    assert not found.intact
    if column not in ("workspace", "id"):
        assert found.breaks == [f"entry {target}: changed (its contents no longer give its hash)"]
    if column == "workspace":
        assert not verdict(sessions, OTHER).intact  # and the workspace it was moved into sees it too


@pytest.mark.parametrize("position", POSITIONS)
def test_a_single_row_delete_by_sql_is_found(sessions, position):
    ids = fill(sessions)
    index = POSITIONS[position]
    sql(sessions, "DELETE FROM audit_log WHERE id = :id", id=ids[index])
    found = verdict(sessions)
    assert not found.intact and len(found.breaks) == 1
    if position == "newest":
        assert found.breaks[0].startswith("the newest 1 entry was deleted")
    else:
        assert found.breaks[0] == f"entry {ids[index + 1]}: one or more entries before it were deleted"


INSERT = (
    "INSERT INTO audit_log (id, team_id, at, actor, action, object_type, object_id, outcome, detail, "
    "prev_hash, row_hash) VALUES "
    "(:id, 'T1', :at, 'U001', 'notes.view', 'note', '1', 'ok', NULL, :prev, :hash)"
)


def _forged(prev: str, at: datetime) -> str:
    return audit.entry_hash(
        team_id=TEAM,
        at=at,
        actor="U001",
        action="notes.view",
        object_type="note",
        object_id="1",
        outcome="ok",
        detail=None,
        prev_hash=prev,
    )


@pytest.mark.parametrize("how", ["no hash", "copied hashes", "valid hash"])
@pytest.mark.parametrize("where", ["newest", "between"])
def test_a_single_row_insert_by_sql_is_found(sessions, how, where):
    ids = fill(sessions)
    with sessions() as session:
        chain = [(e.id, e.row_hash) for e in session.query(AuditEntry).order_by(AuditEntry.id)]
    team_rows = [row for row in chain if row[0] in ids]
    if where == "newest":
        new_id, prev = chain[-1][0] + 1, team_rows[-1][1]
    else:  # between two of this workspace's entries: free the other workspace's id that lies there
        new_id, prev = ids[2] + 1, team_rows[2][1]
        sql(sessions, "DELETE FROM audit_log WHERE id = :id", id=new_id)
    prev_hash, row_hash = {
        "no hash": (None, None),
        "copied hashes": (prev, team_rows[-1][1]),
        "valid hash": (prev, _forged(prev, NOW)),
    }[how]
    sql(sessions, INSERT, id=new_id, at=NOW.replace(tzinfo=None), prev=prev_hash, hash=row_hash)
    found = verdict(sessions)
    assert not found.intact
    assert found.breaks[0].startswith(f"entry {new_id}: inserted"), found.breaks


def test_the_recorded_head_itself_cannot_be_changed_or_deleted_unseen(sessions):
    fill(sessions)
    sql(sessions, "UPDATE audit_heads SET head_hash = :fake WHERE team_id = 'T1'", fake="e" * 64)
    assert verdict(sessions).breaks == [
        "the recorded head does not match the newest entry (audit_heads was changed)"
    ]
    sql(sessions, "DELETE FROM audit_heads WHERE team_id = 'T1'")
    assert verdict(sessions).breaks == ["the recorded head is missing (its audit_heads row was deleted)"]


def _rewrite_whole_chain(sessions, team: str) -> None:
    """What a careful attacker with database access does: change an entry, then recompute every hash
    after it and the head, so the chain is consistent again."""
    sql(
        sessions,
        "UPDATE audit_log SET actor = 'UMALLORY' "
        "WHERE id = (SELECT MIN(id) FROM audit_log WHERE team_id = :t)",
        t=team,
    )
    with sessions.begin() as session:
        prev = audit.GENESIS
        for entry in session.query(AuditEntry).filter(AuditEntry.team_id == team).order_by(AuditEntry.id):
            session.execute(
                text("UPDATE audit_log SET prev_hash = :p WHERE id = :id"), {"p": prev, "id": entry.id}
            )
            session.refresh(entry)
            prev = audit.hash_of(entry)
            session.execute(
                text("UPDATE audit_log SET row_hash = :h WHERE id = :id"), {"h": prev, "id": entry.id}
            )
        session.execute(
            text("UPDATE audit_heads SET head_hash = :h WHERE team_id = :t"), {"h": prev, "t": team}
        )


def test_an_anchor_proves_nothing_before_it_changed_even_when_the_whole_chain_was_rewritten(sessions):
    fill(sessions)
    anchor = verdict(sessions).head
    with sessions.begin() as session:  # life goes on after the anchor was taken
        repo.add_audit(session, team_id=TEAM, now=NOW + timedelta(hours=1), actor="cli", action="notes.list")
    found = verdict(sessions, anchor=anchor)
    assert found.intact and found.anchor_at is not None
    assert not verdict(sessions, anchor="a" * 64).intact  # a hash that was never the head

    _rewrite_whole_chain(sessions, TEAM)
    assert verdict(sessions).intact  # the chain alone cannot tell...
    found = verdict(sessions, anchor=anchor)  # ...the anchor can
    assert [line.split(":")[0] for line in found.breaks] == [f"anchor {anchor[:16]}..."]


def test_an_anchor_taken_after_a_break_is_not_a_clean_bill(sessions):
    ids = fill(sessions)
    sql(sessions, UPDATES["action"], id=ids[1])
    found = verdict(sessions, anchor=verdict(sessions).head)
    assert not found.intact and found.anchor_at is None


def test_the_migration_chains_existing_entries_in_id_order(engine, sessions):
    migrate.downgrade(engine, "0006")
    with engine.begin() as conn:
        for team in (TEAM, OTHER):
            conn.execute(
                text("INSERT INTO workspaces (team_id, created_at) VALUES (:t, :at)"),
                {"t": team, "at": NOW.replace(tzinfo=None) if engine.dialect.name == "sqlite" else NOW},
            )
        for n in range(7):
            conn.execute(
                text(
                    "INSERT INTO audit_log (team_id, at, actor, action, outcome, detail) "
                    "VALUES (:t, :at, 'cli', 'notes.list', 'ok', :detail)"
                ),
                {
                    "t": (TEAM, OTHER)[n % 2],
                    "at": NOW.replace(tzinfo=None) if engine.dialect.name == "sqlite" else NOW,
                    "detail": f'{{"count": {n}}}',
                },
            )
    migrate.upgrade(engine)
    assert verdict(sessions, TEAM).intact and verdict(sessions, TEAM).entries == 4
    assert verdict(sessions, OTHER).intact and verdict(sessions, OTHER).entries == 3
    with sessions.begin() as session:
        repo.add_audit(session, team_id=TEAM, now=NOW, actor="cli", action="notes.view")
    assert verdict(sessions, TEAM).intact and verdict(sessions, TEAM).entries == 5


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_two_concurrent_writers_on_postgresql_keep_one_unbroken_chain(database_url, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("the SQLite file serialises writers itself")
    with make_sessions(engine).begin() as session:
        repo.ensure_workspace(session, team_id=TEAM, now=NOW)
    per_writer, errors = 60, []
    start = threading.Barrier(2)

    def writer(name: str) -> None:
        own = make_engine(database_url)  # another process's pool
        try:
            sessions = make_sessions(own)
            start.wait()
            for n in range(per_writer):
                with sessions.begin() as session:
                    repo.add_audit(
                        session, team_id=TEAM, now=NOW, actor=name, action="notes.view", object_id=n
                    )
                    if n % 3 == 0:  # sometimes two in one transaction
                        repo.add_audit(session, team_id=TEAM, now=NOW, actor=name, action="notes.list")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("UWRITER1", "UWRITER2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    found = verdict(make_sessions(engine), TEAM)
    assert found.intact, found.breaks
    assert found.entries == 2 * (per_writer + per_writer // 3)
