"""Closed cases as commands meet them: the one line anything touching a closed case answers, and the
steps back from a re-used reference to the closed case it was used for before (issue 16)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.kernel.rules_text import slack_escape
from storage import repository as repo
from storage.models import Case, CaseStatus

CLOSED = (
    "Case {reference} is closed: nothing more happens on it. "
    "Its notes stay readable with `/case notes {reference}`."
)
EARLIER = "earlier"  # `/case notes REF earlier`: the closed case the reference was used for before


def closed_line(reference: str) -> str:
    """What anything touching a closed case answers (buttons on old messages, commands, reminders)."""
    return CLOSED.format(reference=slack_escape(reference))


def earlier(
    session: Session, case: Case, words: Sequence[str]
) -> tuple[Case | None, tuple[str, ...], str | None]:
    """Each word `earlier` steps back one case along the re-used reference: (case, other words, problem)."""
    rest = tuple(w for w in words if w.lower() != EARLIER)
    for _ in range(len(words) - len(rest)):
        before = repo.load_case(session, case_id=case.previous_case_id) if case.previous_case_id else None
        if before is None:
            return None, rest, f"Case {slack_escape(case.reference)} has no earlier case with its reference."
        case = before
    return case, rest, None


def in_channel(session: Session, *, team_id: str, channel_id: str) -> list[Case]:
    """The channel's closed cases, oldest first."""
    query = select(Case).where(
        Case.team_id == team_id, Case.channel_id == channel_id, Case.status == CaseStatus.CLOSED
    )
    return list(session.scalars(query.order_by(Case.id)))
