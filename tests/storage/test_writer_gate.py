"""SQLite writers in one process take turns at a gate (storage/db.py) rather than in SQLite's busy handler,
whose growing sleeps kept a writer waiting up to 1.5 s for a lock free most of that time. However a
write transaction ends, the gate is let go; reads never take it; and the next writer goes in."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, insert, select

from storage import repository as repo
from storage.db import make_read_sessions, single_statements, writer_gate
from storage.models import Person, Workspace

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def gate(engine):
    found = writer_gate(engine)
    if found is None:
        pytest.skip("PostgreSQL's writers need no gate")
    return found


def _add(session, user_id: str) -> None:
    repo.ensure_workspace(session, team_id="T1", now=NOW)
    repo.ensure_person(session, team_id="T1", slack_user_id=user_id)


def test_a_write_transaction_holds_the_gate_until_it_commits(sessions, gate):
    with sessions.begin() as session:
        _add(session, "U1")
        assert gate.held
    assert not gate.held


def test_a_failed_or_abandoned_write_lets_the_gate_go(sessions, gate):
    with pytest.raises(RuntimeError), sessions.begin() as session:
        _add(session, "U1")
        raise RuntimeError("the flow failed half-way")
    assert not gate.held
    session = sessions()
    _add(session, "U2")  # begun, never committed
    session.close()
    assert not gate.held
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0


def test_reads_never_take_the_gate(engine, sessions, gate):
    with sessions.begin() as session:
        _add(session, "U1")
        with make_read_sessions(engine).begin() as reading:  # reads while a writer writes
            assert reading.scalar(select(func.count()).select_from(Person)) == 0


def test_a_second_writer_waits_at_the_gate_and_goes_in_after_the_first(sessions, gate):
    done = threading.Event()

    def second() -> None:
        with sessions.begin() as session:
            _add(session, "U2")
        done.set()

    with sessions.begin() as session:
        _add(session, "U1")
        other = threading.Thread(target=second)
        other.start()
        assert not done.wait(0.2)  # still waiting: the first transaction has the gate
    other.join(timeout=10)
    assert done.is_set() and not gate.held
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 2


def test_a_write_before_an_ack_goes_in_ahead_of_the_writers_after_acks(engine, sessions, gate):
    """Issue 17: a form's one insert before its ack waited behind every save queued before it (21 ms at
    the median, 100 ms at p99 with 8 people sending forms). It now waits only for the writer inside."""
    entered: list[str] = []
    holding = threading.Lock()  # what each writer holds the gate for, until the test lets it go

    def after_ack(name: str) -> None:
        with sessions.begin() as session:
            _add(session, name)
            entered.append(name)
            with holding:
                pass

    def before_ack() -> None:
        with single_statements(engine) as connection:
            connection.execute(insert(Workspace).values(team_id="T2", created_at=NOW))
            entered.append("ack")

    def waiting(count: int) -> None:  # until `count` writers wait at the gate
        for _ in range(500):
            if gate.waiting == count:
                return
            time.sleep(0.01)
        raise AssertionError(f"{count} writers never waited at the gate")

    holding.acquire()
    threads = [threading.Thread(target=after_ack, args=("U1",))]
    threads[0].start()
    for _ in range(500):  # until U1 holds the gate
        if gate.holder is not None:
            break
        time.sleep(0.01)
    assert gate.holder is not None, "the first writer never got in"
    for name in ("U2", "U3", "U4"):  # queued first, each behind the writer inside
        threads.append(threading.Thread(target=after_ack, args=(name,)))
        threads[-1].start()
    waiting(3)
    threads.append(threading.Thread(target=before_ack))
    threads[-1].start()
    waiting(4)
    holding.release()
    for thread in threads:
        thread.join(timeout=10)
    assert entered[:2] == ["U1", "ack"]
    assert sorted(entered[2:]) == ["U2", "U3", "U4"] and not gate.held
