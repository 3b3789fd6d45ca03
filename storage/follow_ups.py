"""Queries for action follow-ups and the case card's record lines. Keyword-only and never committing:
the flow owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ActionStatus, Discussion, DiscussionStatus, Note, NoteAction


def due_action_ids(session: Session, *, now: datetime, limit: int) -> list[int]:
    """Actions the sweep must look at now: a range scan of the next_check_at index, earliest first
    (NULL, once nothing more can happen this round, is not in the range)."""
    return list(
        session.scalars(
            select(NoteAction.id)
            .where(NoteAction.next_check_at <= now)
            .order_by(NoteAction.next_check_at)
            .limit(limit)
        )
    )


def open_actions(session: Session, *, case_id: int) -> Sequence[NoteAction]:
    """The case's open actions, earliest due first, those without a date last: the card lists them all
    (each is overdue or not in its owner's own calendar)."""
    return session.scalars(
        select(NoteAction)
        .where(NoteAction.case_id == case_id, NoteAction.status == ActionStatus.OPEN)
        .order_by(NoteAction.due.is_(None), NoteAction.due, NoteAction.id)
    ).all()


def unrecorded_discussions(session: Session, *, case_id: int) -> Sequence[Discussion]:
    """Wrapped-up discussions of the case whose summary is not recorded yet, oldest first."""
    return session.scalars(
        select(Discussion)
        .where(
            Discussion.case_id == case_id,
            Discussion.status == DiscussionStatus.WRAPPED,
            Discussion.recorded_at.is_(None),
        )
        .order_by(Discussion.id)
    ).all()


def latest_discussion(session: Session, *, case_id: int) -> Discussion | None:
    return session.scalar(
        select(Discussion).where(Discussion.case_id == case_id).order_by(Discussion.id.desc()).limit(1)
    )


def note_number(session: Session, *, note_id: int) -> int | None:
    return session.scalar(select(Note.number).where(Note.id == note_id))
