"""Retention of raw thread text: deleted a configured number of days after its note is signed off, or,
for a discussion never signed off, after its case was closed.

The signed-off note is the record; the replies, marked items and focus question it was drafted from are a
working copy. Each due discussion is purged in its own transaction: the texts set to NULL,
`raw_purged_at` set, and one audit entry with counts only. Notes and their versions are not touched
(purging those is an administrator's export-and-purge command).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.kernel import sweeping
from storage import repository as repo
from storage import retention as store
from storage.models import Case, CaseStatus, Discussion, DiscussionStatus

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    looked_at: int = 0
    purged: int = 0
    lost_races: int = 0


def sweep(deps: Deps, *, limit: int = 200) -> SweepReport:
    now = deps.clock()
    cutoff = now - timedelta(days=deps.settings.raw_text_retention_days)
    report = SweepReport()
    with deps.sessions.begin() as session:
        ids = store.due_for_purge(session, recorded_before=cutoff, limit=limit)
        ids += store.unrecorded_of_closed_cases(session, closed_before=cutoff, limit=limit)
    sweeping.advance_each(ids, lambda row_id: _purge(deps, row_id, cutoff, now, report), report)
    return report


def _due(session: Session, discussion: Discussion, cutoff: datetime) -> bool:
    if discussion.status == DiscussionStatus.RECORDED:
        return discussion.recorded_at is not None and discussion.recorded_at <= cutoff
    case = session.get(Case, discussion.case_id)  # never signed off: kept until its case has been closed
    return (
        case is not None
        and case.status == CaseStatus.CLOSED
        and case.closed_at is not None
        and (case.closed_at <= cutoff)
    )


def _purge(deps: Deps, discussion_id: int, cutoff: datetime, now: datetime, report: SweepReport) -> None:
    with deps.sessions.begin() as session:
        discussion = session.get(Discussion, discussion_id)
        if (
            discussion is None
            or discussion.raw_purged_at is not None
            or not _due(session, discussion, cutoff)
        ):
            return  # purged by another sweeper, or no longer due
        replies, items = store.clear_raw_text(session, discussion_id=discussion.id)
        focus = discussion.focus is not None
        discussion.focus, discussion.raw_purged_at = None, now
        counts = {"replies": replies, "items": items, "focus": int(focus)}
        repo.add_audit(
            session,
            team_id=discussion.team_id,
            now=now,
            actor=None,
            action="retention.raw_text",
            object_type="discussion",
            object_id=discussion.id,
            detail=counts,
        )
        report.purged += 1
        log.info(
            "raw thread text deleted",
            extra={"case_id": discussion.case_id, "discussion_id": discussion.id, **counts},
        )
