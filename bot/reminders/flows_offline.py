"""The row standing for a discussion held outside Slack (*We met offline*, or `/case record`)."""

from __future__ import annotations

from datetime import datetime

from storage.models import Case, Discussion, DiscussionStatus


def offline_discussion(case: Case, *, person_id: int, item_id: int | None, now: datetime) -> Discussion:
    """The row standing for a meeting held outside Slack (no questions, no thread replies)."""
    return Discussion(
        team_id=case.team_id,
        case_id=case.id,
        schedule_item_id=item_id,
        status=DiscussionStatus.WRAPPED,
        framework="offline",
        mode="offline",
        seed=0,
        started_by_id=person_id,
        started_at=now,
        ended_at=now,
    )
