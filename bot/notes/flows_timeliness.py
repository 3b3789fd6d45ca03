"""Late summaries: a wrapped-up discussion's summary falls due, and the sweep reminds people once it is late.

`start` sets the deadline when a discussion is wrapped up (or met offline); `stop` ends the ladder when
its note is saved. The sweep reads due discussions by the `record_next_check_at` index and advances
each in its own transaction; sending a rung means inserting the unique ("record", discussion, level, 0)
follow-up claim and its outbox rows in ONE transaction, so a second sweeper, a retry or a restart never
sends it twice. The rows are rendered at send time (`notes/outbox.py`), wait for the recipient's working
hours and are cancelled if the summary was recorded meanwhile. Reminders are system messages: not
audited; logged with ids only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.cases.presenters import recorders_of
from bot.deps import Deps
from bot.kernel import sweeping
from bot.notes import rules_timeliness as ladder
from bot.notes.blocks_timeliness import RecordReminderView
from bot.notes.rules_timeliness import RecordState
from bot.reminders import flows_schedule as schedule
from bot.reminders import flows_sweep as reminders
from bot.reminders import rules as routing
from storage import repository as repo
from storage import timeliness as store
from storage.models import Case, CaseStatus, Discussion, DiscussionStatus, FollowUpClaim, OutboxKind

log = logging.getLogger(__name__)

SUBJECT = "record"


def start(deps: Deps, session: Session, discussion: Discussion, now: datetime) -> None:
    """The summary is due from now: set the deadline and when the sweep looks first. Once per discussion."""
    if discussion.record_due_at is not None or discussion.status == DiscussionStatus.RECORDED:
        return
    case = repo.load_case(session, case_id=discussion.case_id)
    assert case is not None
    due = ladder.deadline(schedule.case_calendar(deps, case), now, deps.settings.record_within_working_days)
    discussion.record_due_at, discussion.record_next_check_at = due, due


def stop(discussion: Discussion, now: datetime) -> None:
    """Its note has been saved: the sweep need not look at it again (queued reminders cancel themselves)."""
    discussion.record_next_check_at = None


@dataclass
class SweepReport:
    looked_at: int = 0
    reminders: int = 0
    lost_races: int = 0


def sweep(deps: Deps, *, limit: int = 500) -> SweepReport:
    now = deps.clock()
    report = SweepReport()
    sweeping.sweep_due(
        deps.sessions,
        lambda session: store.due_record_checks(session, now=now, limit=limit),
        lambda row_id: _advance(deps, row_id, now, report),
        report,
    )
    return report


def _advance(deps: Deps, discussion_id: int, now: datetime, report: SweepReport) -> None:
    with deps.sessions.begin() as session:
        discussion = session.get(Discussion, discussion_id)
        if (
            discussion is None
            or discussion.record_next_check_at is None
            or discussion.record_next_check_at > now
        ):
            return  # another sweeper got here first
        case = repo.load_case(session, case_id=discussion.case_id)
        assert case is not None
        if case.status != CaseStatus.OPEN or discussion.record_due_at is None:
            discussion.record_next_check_at = None
            return
        step = ladder.decide(
            RecordState(discussion.status.value, discussion.record_due_at, discussion.record_level_sent),
            now=now,
            calendar=schedule.case_calendar(deps, case),
        )
        if step.send is None:
            discussion.record_next_check_at = step.next_check_at
            return
        deliveries = _deliveries(deps, session, case, discussion, step.send.audience, now)
        if not _claim(session, discussion, step.send.level, [d["user_id"] for d in deliveries], now):
            report.lost_races += 1
            return
        for delivery in deliveries:
            payload = delivery | {"discussion_id": discussion.id, "level": step.send.level}
            repo.enqueue(
                session,
                team_id=case.team_id,
                case_id=case.id,
                kind=OutboxKind.RECORD_REMINDER,
                payload=payload,
                now=now,
                not_before=reminders.timing(deps, session, case, payload, now),
            )
        discussion.record_level_sent, discussion.record_next_check_at = step.send.level, step.next_check_at
        repo.enqueue_card_update(session, case=case, now=now)  # the card shows the summary as late
        report.reminders += 1
        log.info(
            "late summary reminder claimed",
            extra={
                "case_id": case.id,
                "discussion_id": discussion.id,
                "level": step.send.level,
                "skipped": step.skipped,
                "recipients": len(deliveries),
            },
        )


def _claim(
    session: Session, discussion: Discussion, level: int, recipients: list[str], now: datetime
) -> bool:
    claim = FollowUpClaim(
        team_id=discussion.team_id,
        subject=SUBJECT,
        subject_id=discussion.id,
        level=level,
        round=0,
        claimed_at=now,
        recipients=recipients,
    )
    return repo.insert_once(session, claim)


def _deliveries(
    deps: Deps, session: Session, case: Case, discussion: Discussion, audience: ladder.Audience, now: datetime
) -> list[dict]:
    """One DM payload per recipient, re-routed for leave cover and deactivated accounts, de-duplicated."""
    wanted = set(_audience_ids(session, case, discussion, audience))
    targets = [m.person for m in case.members if m.person.slack_user_id in wanted]
    if case.manager.slack_user_id in wanted and case.manager not in targets:
        targets.append(case.manager)
    if not targets:
        return []  # e.g. no co-worker besides the recorder: the rung passes with nobody to tell
    manager = reminders.routing_facts(deps, session, [case.manager], now)[0]
    return [
        {
            "audience": audience.value,
            "user_id": route.user_id,
            "for_others": [list(pair) for pair in route.for_others],
        }
        for route in routing.routes(reminders.routing_facts(deps, session, targets, now), manager=manager)
    ]


def _audience_ids(
    session: Session, case: Case, discussion: Discussion, audience: ladder.Audience
) -> tuple[str, ...]:
    return ladder.audience_ids(
        audience,
        recorder_ids=recorders_of(session, case, discussion),
        member_ids=tuple(m.person.slack_user_id for m in case.members),
        manager_id=case.manager.slack_user_id,
    )


# ---------------------------------------------------------------- at send time


def wanted(case: Case, discussion: Discussion | None, payload: dict) -> bool:
    """Whether a queued reminder should still go: not once recorded, closed, or overtaken by a higher rung."""
    return (
        discussion is not None
        and case.status == CaseStatus.OPEN
        and discussion.status != DiscussionStatus.RECORDED
        and discussion.recorded_at is None
        and discussion.record_due_at is not None
        and discussion.record_level_sent <= payload["level"]
    )


def view(session: Session, case: Case, discussion: Discussion, payload: dict) -> RecordReminderView:
    assert discussion.record_due_at is not None
    card = repo.slack_post(session, case_id=case.id, purpose="card")
    return RecordReminderView(
        discussion_id=discussion.id,
        level=payload["level"],
        audience=payload["audience"],
        reference=case.reference,
        channel_id=case.channel_id,
        due_at=discussion.record_due_at,
        recipient_id=payload["user_id"],
        recorder_ids=recorders_of(session, case, discussion),
        member_ids=tuple(m.person.slack_user_id for m in case.members),
        for_others=tuple((who, why) for who, why in payload.get("for_others", [])),
        permalink=card.permalink if card else None,
    )
