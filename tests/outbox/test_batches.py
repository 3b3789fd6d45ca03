"""PostgreSQL: senders lease due rows a batch at a time with FOR UPDATE SKIP LOCKED (bot/outbox/batches.py),
so two senders never claim the same row and neither claims in vain; rows not started are given back."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.config import Settings, ephemeral_data_keys
from bot.deps import Deps, load_content
from bot.outbox import batches
from storage import outbox as outbox_store
from storage import repository as repo
from storage.models import OutboxKind, OutboxMessage, OutboxStatus

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
UNTIL = NOW + timedelta(seconds=60)


@pytest.fixture
def postgres(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("batch claims are PostgreSQL's; SQLite leases one row at a time")


def _queue(sessions, count: int) -> list[int]:
    with sessions.begin() as session:
        repo.ensure_workspace(session, team_id="T1", now=NOW)
        rows = [
            repo.enqueue(
                session, team_id="T1", kind=OutboxKind.DM, now=NOW, payload={"user_id": "U1", "text": "hi"}
            )
            for _ in range(count)
        ]
        session.flush()
        return [row.id for row in rows]


def _rows(sessions) -> list[tuple[str, int]]:
    with sessions() as session:
        return [
            (r.status, r.attempts) for r in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


def test_two_senders_claim_disjoint_batches_while_both_hold_their_locks(postgres, sessions):
    ids = _queue(sessions, 5)
    with sessions.begin() as first, sessions.begin() as second:
        mine = outbox_store.claim_due(first, now=NOW, until=UNTIL, limit=3)
        theirs = outbox_store.claim_due(second, now=NOW, until=UNTIL, limit=3)  # first's rows are locked
        assert mine == ids[:3]
        assert theirs == ids[3:]
    assert _rows(sessions) == [(OutboxStatus.SENDING, 1)] * 5


def test_a_released_row_is_due_again_and_its_attempt_not_counted(postgres, sessions):
    ids = _queue(sessions, 3)
    with sessions.begin() as session:
        assert outbox_store.claim_due(session, now=NOW, until=UNTIL, limit=3) == ids
    with sessions.begin() as session:
        other_lease = UNTIL + timedelta(seconds=1)  # a row leased again since is someone else's
        assert outbox_store.release(session, message_ids=ids[1:], until=other_lease, now=NOW) == 0
        assert outbox_store.release(session, message_ids=ids[1:], until=UNTIL, now=NOW) == 2
    assert _rows(sessions) == [
        (OutboxStatus.SENDING, 1),
        (OutboxStatus.PENDING, 0),
        (OutboxStatus.PENDING, 0),
    ]
    with sessions() as session:
        assert outbox_store.due_outbox_ids(session, now=NOW) == ids[1:]


def _deps(engine, sessions, batch: int) -> Deps:
    settings = replace(Settings(), data_keys=ephemeral_data_keys(), outbox_claim_batch=batch)
    return Deps(
        settings=settings, engine=engine, sessions=sessions, content=load_content(settings), clock=lambda: NOW
    )


def test_a_stopping_sender_gives_back_the_rest_of_its_batch(postgres, engine, sessions):
    _queue(sessions, 5)
    handed: list[int] = []
    for message_id in batches.claimed(_deps(engine, sessions, 4), limit=100, stopping=lambda: bool(handed)):
        handed.append(message_id)  # SIGTERM while the first row is in hand
    assert len(handed) == 1
    statuses = _rows(sessions)
    assert statuses[0] == (OutboxStatus.SENDING, 1)  # the caller's, to finish
    assert (
        statuses[1:] == [(OutboxStatus.PENDING, 0)] * 4
    )  # the batch's rest given back; the fifth never taken


def test_claims_go_on_batch_after_batch_until_none_is_due(postgres, engine, sessions):
    ids = _queue(sessions, 7)
    assert list(batches.claimed(_deps(engine, sessions, 3), limit=100)) == ids
    assert list(batches.claimed(_deps(engine, sessions, 3), limit=100)) == []  # all leased already
