"""The review date in force for a case: its agreement's, unless a review held since that version planned
the next one. A review's *continue* does not write a new agreement version, so without this the card,
the supervision agenda, the change form and the drift signal went on showing the old date, and the
signal called an arrangement just reviewed "past its review date".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Agreement, ReviewRecord


def review_dates(session: Session, agreements: Iterable[Agreement]) -> dict[int, date]:
    """case id -> review date in force, for each case's current agreement given; one query for all."""
    current = {a.case_id: a for a in agreements}
    dates = {case_id: a.review_date for case_id, a in current.items()}
    if not current:
        return dates
    planned = session.execute(
        select(ReviewRecord.case_id, ReviewRecord.next_review, ReviewRecord.reviewed_at)
        .where(ReviewRecord.case_id.in_(current), ReviewRecord.next_review.is_not(None))
        .order_by(ReviewRecord.reviewed_at, ReviewRecord.id)
    )
    for case_id, next_review, reviewed_at in planned:
        if (
            next_review is not None and reviewed_at >= current[case_id].created_at
        ):  # a later version's own date wins
            dates[case_id] = next_review
    return dates


def review_date(session: Session, agreement: Agreement) -> date:
    return review_dates(session, [agreement])[agreement.case_id]
