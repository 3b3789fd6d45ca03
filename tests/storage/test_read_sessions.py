"""Read-only sessions: on SQLite they take no write lock, so a list or a view never queues behind a
writer; and they refuse to write, so one can never be used by mistake for work that must commit."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage import repository as repo
from storage.db import ReadOnlyError, make_read_sessions
from storage.models import Workspace

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_a_read_goes_ahead_while_a_writer_holds_the_lock(engine, sessions, database_url):
    with sessions.begin() as session:
        repo.ensure_workspace(session, team_id="T1", now=NOW)
    reads = make_read_sessions(engine)
    writing, read_done = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            with sessions.begin() as session:  # holds SQLite's write lock until the reader is done
                repo.ensure_workspace(session, team_id="T2", now=NOW)
                session.flush()
                writing.set()
                assert read_done.wait(30), "the reader never finished while the writer held the lock"
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
            writing.set()

    thread = threading.Thread(target=writer)
    thread.start()
    assert writing.wait(30)
    try:
        # A write transaction here would wait for the lock (and, the writer waiting on us, fail with
        # "database is locked" after the busy timeout); a read sees the last committed snapshot.
        with reads.begin() as session:
            teams = set(session.scalars(select(Workspace.team_id)))
    finally:
        read_done.set()
        thread.join()
    assert not failures
    assert teams == {"T1"}


def test_a_read_only_session_refuses_to_write(engine):
    reads = make_read_sessions(engine)
    with pytest.raises(ReadOnlyError), reads.begin() as session:
        repo.ensure_workspace(session, team_id="T9", now=NOW)
        session.flush()
    with reads() as session:
        assert session.scalar(select(Workspace.team_id).where(Workspace.team_id == "T9")) is None


def test_postgresql_reads_in_autocommit_and_writes_stay_transactions(engine, sessions, database_url):
    """A read-only session costs no BEGIN and ROLLBACK on PostgreSQL (issue 17), and the connection it used
    goes back to the pool transactional again: a write session that rolls back leaves nothing."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite reads open a deferred transaction: the WAL snapshot they read")
    reads = make_read_sessions(engine)
    with reads() as session:
        assert session.connection().connection.driver_connection.autocommit is True
        assert session.scalars(select(Workspace)).all() == []
    for _ in range(engine.pool.size() + 1):  # whichever pooled connection comes back
        with sessions() as session:
            assert session.connection().connection.driver_connection.autocommit is False
            repo.ensure_workspace(session, team_id="T9", now=NOW)
            session.flush()
            session.rollback()
    with reads() as session:
        assert session.scalars(select(Workspace)).all() == []


def test_a_single_statement_is_durable_as_it_ends(engine, sessions, database_url):
    """storage/db.single_statements (a thread reply's store, the agreement form's keep): on PostgreSQL
    each statement commits as it ends, with no BEGIN or COMMIT of its own; on SQLite the block is one write
    transaction. Either way the row is there for everyone once the block is left."""
    from sqlalchemy import insert

    from storage.db import single_statements

    with single_statements(engine) as connection:
        connection.execute(insert(Workspace).values(team_id="T7", created_at=NOW))
        if database_url.startswith("postgresql"):
            assert connection.connection.driver_connection.autocommit is True
            with sessions() as other:  # already committed, before the block ends
                assert other.scalar(select(Workspace.team_id).where(Workspace.team_id == "T7")) == "T7"
    with sessions() as other:
        assert other.scalar(select(Workspace.team_id).where(Workspace.team_id == "T7")) == "T7"
