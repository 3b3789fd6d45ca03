"""From stored concerns to what the case card shows of them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.concerns.blocks import UrgentOnCard
from storage import concerns as store


def urgent_on_card(session: Session, case_id: int) -> tuple[UrgentOnCard, ...]:
    """The case's concerns nobody has acknowledged yet: who raised each, and when."""
    return tuple(
        UrgentOnCard(c.raised_by, c.raised_at) for c in store.open_concerns(session, case_id=case_id)
    )
