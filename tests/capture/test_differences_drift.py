"""The drift signal counts a difference of view as open until it is resolved or escalated, whether or not
its discussion has been recorded since (differences of view, issue 16)."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import CapturedItem, DifferenceResolution, Discussion, DiscussionStatus
from tests.drift.seed import NOW, TEAM, seed
from tests.drift.test_flows import drift

OPEN = "1 difference of view open, the oldest for 20 days"


def reasons(sessions) -> list[str]:
    (case,) = drift(sessions, sessions.kw["bind"])[0]
    return [s.reason for s in case.signals]


def test_a_recorded_discussion_does_not_close_a_difference_but_resolving_or_escalating_does(sessions):
    with sessions.begin() as session:
        seed(session, 1)
    assert OPEN in reasons(sessions)
    with sessions.begin() as session:
        item = session.scalar(select(CapturedItem).where(CapturedItem.key == "disagree:1"))
        discussion = session.get(Discussion, item.discussion_id)
        discussion.status, discussion.recorded_at = DiscussionStatus.RECORDED, NOW
    assert OPEN in reasons(sessions), "still open: nobody resolved or escalated it"
    with sessions.begin() as session:
        item = session.scalar(select(CapturedItem).where(CapturedItem.key == "disagree:1"))
        session.add(
            DifferenceResolution(
                team_id=TEAM,
                case_id=item.case_id,
                item_id=item.id,
                outcome="escalated",
                escalated_to="UHEAD0001",
                view_key="difference:V1",
                recorded_by="UMANAGER",
                recorded_at=NOW,
            )
        )
    assert not [r for r in reasons(sessions) if "difference of view" in r]
