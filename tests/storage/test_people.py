"""A person's row is made once: the same Slack user added by two transactions at the same moment (two
cases opened with a newcomer on both, on PostgreSQL, where writers run side by side) is one row, and
neither transaction fails."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from storage import repository as repo
from storage.db import make_sessions
from storage.models import Person, Role

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_a_new_person_is_a_member_made_once(sessions):
    with sessions.begin() as session:
        repo.ensure_workspace(session, team_id="T1", now=NOW)
        made = repo.ensure_person(session, team_id="T1", slack_user_id="UNEW0001")
        assert (made.role, made.deactivated) == (Role.MEMBER, False)
    with sessions.begin() as session:
        assert repo.ensure_person(session, team_id="T1", slack_user_id="UNEW0001").id == made.id
        assert session.scalar(select(func.count()).select_from(Person)) == 1


def _until_a_lock_is_awaited(engine) -> None:
    """Until a transaction waits for another's row lock (PostgreSQL's own view, not a guess at time)."""
    for _ in range(500):
        with engine.connect() as conn:
            if conn.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")):
                return
        time.sleep(0.01)
    raise AssertionError("the second transaction never waited for the first")


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_two_transactions_adding_one_new_person_at_once_make_one_row(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("the SQLite file serialises writers itself")
    sessions = make_sessions(engine)
    with sessions.begin() as session:
        repo.ensure_workspace(session, team_id="T1", now=NOW)
    found, errors = [], []

    def second() -> None:
        try:
            with sessions.begin() as session:
                found.append(repo.ensure_person(session, team_id="T1", slack_user_id="UNEW0001").id)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    with sessions.begin() as session:
        first = repo.ensure_person(session, team_id="T1", slack_user_id="UNEW0001").id  # not committed
        other = threading.Thread(target=second)
        other.start()
        _until_a_lock_is_awaited(engine)
    other.join(timeout=30)
    assert errors == [] and found == [first]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 1
