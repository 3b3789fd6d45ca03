"""Queries for urgent concerns. Keyword-only and never committing: the flow owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import FollowUpClaim, UrgentConcern

SUBJECT = "urgent"  # FollowUpClaim.subject for an urgent concern's alerts


def concern_for_message(
    session: Session, *, team_id: str, channel_id: str, message_ts: str
) -> UrgentConcern | None:
    return session.scalar(
        select(UrgentConcern).where(
            UrgentConcern.team_id == team_id,
            UrgentConcern.channel_id == channel_id,
            UrgentConcern.message_ts == message_ts,
        )
    )


def due_concern_ids(session: Session, *, now: datetime, limit: int) -> list[int]:
    """Concerns whose current alert has waited its time: a range scan of the next_check_at index."""
    return list(
        session.scalars(
            select(UrgentConcern.id)
            .where(UrgentConcern.next_check_at <= now)
            .order_by(UrgentConcern.next_check_at)
            .limit(limit)
        )
    )


def open_concerns(session: Session, *, case_id: int) -> Sequence[UrgentConcern]:
    """The case's concerns nobody has acknowledged yet, oldest first."""
    return session.scalars(
        select(UrgentConcern)
        .where(UrgentConcern.case_id == case_id, UrgentConcern.acknowledged_at.is_(None))
        .order_by(UrgentConcern.raised_at, UrgentConcern.id)
    ).all()


def alerts_sent(session: Session, *, concern_id: int) -> Sequence[FollowUpClaim]:
    """The alerts claimed for a concern, first first: who was alerted, at which level, and when."""
    return session.scalars(
        select(FollowUpClaim)
        .where(FollowUpClaim.subject == SUBJECT, FollowUpClaim.subject_id == concern_id)
        .order_by(FollowUpClaim.level)
    ).all()
