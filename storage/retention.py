"""Queries for the raw-text retention sweep. Keyword-only, never committing: the flow owns the transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Result, select, update
from sqlalchemy.orm import Session

from storage.models import CapturedItem, Case, CaseStatus, Discussion, DiscussionStatus, ThreadMessage


def due_for_purge(session: Session, *, recorded_before: datetime, limit: int) -> list[int]:
    """Recorded discussions whose raw text is still kept and was signed off at or before the cutoff.

    A range scan of the partial index on recorded_at WHERE raw_purged_at IS NULL, so the cost follows
    what is still to purge, not how many discussions there have ever been.
    """
    return list(
        session.scalars(
            select(Discussion.id)
            .where(
                Discussion.raw_purged_at.is_(None),
                Discussion.recorded_at <= recorded_before,
                Discussion.status == DiscussionStatus.RECORDED,
            )
            .order_by(Discussion.recorded_at)
            .limit(limit)
        )
    )


def unrecorded_of_closed_cases(session: Session, *, closed_before: datetime, limit: int) -> list[int]:
    """Discussions never signed off whose case closed at or before the cutoff, raw text still kept.

    Without a sign-off the first query never finds them, and a case closed mid-discussion would keep
    its replies for good: the close starts the same retention clock a sign-off does.
    """
    return list(
        session.scalars(
            select(Discussion.id)
            .join(Case, Case.id == Discussion.case_id)
            .where(
                Discussion.raw_purged_at.is_(None),
                Discussion.status != DiscussionStatus.RECORDED,
                Case.status == CaseStatus.CLOSED,
                Case.closed_at <= closed_before,
            )
            .order_by(Case.closed_at, Discussion.id)
            .limit(limit)
        )
    )


def clear_raw_text(session: Session, *, discussion_id: int) -> tuple[int, int]:
    """Delete the text of the discussion's stored replies and marked items; (replies, items) cleared."""
    replies = session.execute(
        update(ThreadMessage)
        .where(ThreadMessage.discussion_id == discussion_id, ThreadMessage.text.is_not(None))
        .values(text=None)
    )
    items = session.execute(
        update(CapturedItem)
        .where(CapturedItem.discussion_id == discussion_id, CapturedItem.text.is_not(None))
        .values(text=None)
    )
    return _rowcount(replies), _rowcount(items)


def _rowcount(result: Result[Any]) -> int:
    """An UPDATE's result is a CursorResult, with rowcount; Session.execute is typed to return a Result."""
    return cast(CursorResult[Any], result).rowcount
