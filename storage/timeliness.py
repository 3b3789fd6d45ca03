"""Queries for the late-summary sweep. Keyword-only and never committing: the flow owns the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Discussion


def due_record_checks(session: Session, *, now: datetime, limit: int) -> list[int]:
    """Discussions whose summary the sweep must look at now: a range scan of the record_next_check_at
    index, earliest first (NULL, once recorded or nothing more can happen, is not in the range)."""
    return list(
        session.scalars(
            select(Discussion.id)
            .where(Discussion.record_next_check_at <= now)
            .order_by(Discussion.record_next_check_at)
            .limit(limit)
        )
    )
