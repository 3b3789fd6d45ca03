"""Differences of view (``disagree`` captured items) still open: neither resolved nor escalated.

Keyword-only and never committing. "Open" is defined once, here, for the card, the review, the
supervision agenda, drift signals and the closing review alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from storage.models import CapturedItem, DifferenceResolution, ThreadMessage
from storage.vocabulary import CaptureKind


def unresolved() -> ColumnElement[bool]:
    """A `disagree` captured item, not withdrawn, with no resolution row."""
    return (
        (CapturedItem.kind == CaptureKind.DISAGREE)
        & CapturedItem.withdrawn_at.is_(None)
        & ~exists(select(DifferenceResolution.id).where(DifferenceResolution.item_id == CapturedItem.id))
    )


def open_differences(
    session: Session, *, case_id: int, discussion_id: int | None = None
) -> Sequence[tuple[int, str, str, datetime]]:
    """(item id, its words or "", who wrote it, when marked) for each open one, oldest first (only those
    marked in `discussion_id`, when given); two statements however many there are."""
    query = select(CapturedItem).where(CapturedItem.case_id == case_id, unresolved())
    if discussion_id is not None:
        query = query.where(CapturedItem.discussion_id == discussion_id)
    found = session.scalars(query.order_by(CapturedItem.id)).all()
    ids = [i.message_id for i in found if i.message_id]
    authors: dict[int, str] = {}
    if ids:
        rows = session.execute(
            select(ThreadMessage.id, ThreadMessage.author_id).where(ThreadMessage.id.in_(ids))
        )
        authors = {row[0]: row[1] for row in rows}
    return [(i.id, i.text or "", authors.get(i.message_id or 0, i.marked_by), i.marked_at) for i in found]


def latest_resolution_id(session: Session, *, item_id: int) -> int:
    """The newest resolution's id for this item (0: none): a form opened before it is stale."""
    newest = session.scalar(
        select(DifferenceResolution.id)
        .where(DifferenceResolution.item_id == item_id)
        .order_by(DifferenceResolution.id.desc())
        .limit(1)
    )
    return newest or 0
