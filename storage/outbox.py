"""The outbox's own queries: which rows are due, leasing one to a sender, and the newest post Slack
confirmed (crash recovery's lower bound). They never commit: the delivery flow owns the transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, event, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from storage.models import OutboxMessage, OutboxStatus

# session.info's mark that the session's transaction added outbox rows (set by repository.enqueue).
QUEUED = "casebot_outbox_queued"
NOTIFY_CHANNEL = "casebot_outbox"  # PostgreSQL: every worker's loop LISTENs here (bot/outbox/wake.py)


def mark_queued(session: Session) -> None:
    """The session's transaction added an outbox row: this process's loop is woken after its commit
    (on_commit_that_queued), and on PostgreSQL every worker's, by a NOTIFY that is delivered only when
    the transaction commits (PostgreSQL sends one however many times a transaction asks)."""
    session.info[QUEUED] = True
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))


def on_commit_that_queued(sessions: sessionmaker[Session], news: Callable[[], None]) -> None:
    """Call `news` after each commit, by a session from `sessions`, that added outbox rows: only then has
    the delivery loop anything new to look at (a thread reply, the commonest request, queues nothing)."""

    def committed(session: Session) -> None:
        if session.info.pop(QUEUED, False):
            news()

    event.listen(sessions, "after_commit", committed)


DUE = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.UNCERTAIN)


def due_outbox_ids(session: Session, *, now: datetime, limit: int = 100) -> list[int]:
    """Pending rows whose time has come, 'sending' rows whose lease ran out (a crashed sender), and
    uncertain rows due for another check of whether Slack already has them."""
    return list(
        session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status.in_(DUE),
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def lease_outbox(session: Session, *, message_id: int, now: datetime, until: datetime) -> bool:
    """Compare-and-set the row to 'sending'; only one sender (thread or process) wins it."""
    # An UPDATE's result is a CursorResult (it has rowcount); Session.execute is typed to return a Result.
    result = cast(
        CursorResult[Any],
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status.in_(DUE),
                OutboxMessage.next_attempt_at <= now,
            )
            .values(
                status=OutboxStatus.SENDING,
                next_attempt_at=until,
                attempts=OutboxMessage.attempts + 1,
                first_attempt_at=func.coalesce(OutboxMessage.first_attempt_at, now),
            )
        ),
    )
    return result.rowcount == 1


def claim_due(session: Session, *, now: datetime, until: datetime, limit: int) -> list[int]:
    """PostgreSQL: lease up to `limit` due rows at once, in id order, skipping rows another sender has
    locked (`FOR UPDATE SKIP LOCKED`), so concurrent senders take disjoint batches and none loses a claim.
    The ids leased, in id order; the same change to each row as `lease_outbox`."""
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status.in_(DUE), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due))
        .values(
            status=OutboxStatus.SENDING,
            next_attempt_at=until,
            attempts=OutboxMessage.attempts + 1,
            first_attempt_at=func.coalesce(OutboxMessage.first_attempt_at, now),
        )
        .returning(OutboxMessage.id)
    )
    return sorted(claimed)


def release(session: Session, *, message_ids: Sequence[int], until: datetime, now: datetime) -> int:
    """Give back leased rows not yet started (a sender stopping, or a lease half run out): due again at
    `now`, the attempt not counted. Only rows still under this lease (`until`) are touched."""
    result = cast(
        CursorResult[Any],
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(list(message_ids)),
                OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.next_attempt_at == until,
            )
            .values(status=OutboxStatus.PENDING, next_attempt_at=now, attempts=OutboxMessage.attempts - 1)
            .execution_options(synchronize_session=False)
        ),
    )
    return result.rowcount


def newest_confirmed_ts(
    session: Session,
    *,
    team_id: str,
    case_id: int | None,
    conversation: str,
    confirmed_by: datetime,
    scan: int = 50,
) -> str | None:
    """The newest Slack ts of a post casebot had confirmed in `conversation` (a channel id, or the user id a
    DM went to) by `confirmed_by`: a lower bound, in Slack's own time, for anything posted after it.

    Crash recovery reads Slack from there. Only the latest `scan` confirmed rows (of the case, if any) are
    looked at: this runs only when an earlier attempt may have reached Slack, and a missed bound only
    makes the read longer, never wrong.
    """
    query = select(OutboxMessage.result, OutboxMessage.payload).where(
        OutboxMessage.team_id == team_id,
        OutboxMessage.status == OutboxStatus.SENT,
        OutboxMessage.sent_at <= confirmed_by,
    )
    if case_id is not None:
        query = query.where(OutboxMessage.case_id == case_id)
    # Rows are tuples of (result, payload); mypy does not follow Row's variadic generics through unpacking.
    rows = cast(
        Sequence[tuple[dict[str, Any] | None, dict[str, Any] | None]],
        session.execute(query.order_by(OutboxMessage.id.desc()).limit(scan)).all(),
    )
    found = [
        str(result["ts"])
        for result, payload in rows
        if result
        and result.get("ts")
        and conversation in (result.get("channel"), (payload or {}).get("user_id"))
    ]
    return max(found, key=_ts_key, default=None)


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, fraction = ts.partition(".")
    return int(seconds), int(fraction.ljust(6, "0")[:6] or 0)


def next_due_at(session: Session) -> datetime | None:
    """When the soonest row that may still be sent comes due (None: nothing is waiting)."""
    soonest = select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.status.in_(DUE))
    return session.scalar(soonest)
