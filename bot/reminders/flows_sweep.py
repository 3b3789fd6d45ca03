"""The reminder sweep: due items, by index, each advanced in its own transaction.

For each item the pure ladder (`reminders.rules.decide`) says which rung is due. Sending it means
inserting the unique (item, level, round) claim and the outbox rows in ONE transaction: a second
sweeper, a retry or a restart that reaches the same rung fails on the claim and sends nothing.
Outbox rows wait until the recipient's working hours (`timing`); delivery checks them again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.kernel import sweeping
from bot.kernel.rules_working_time import next_common_working_moment, next_working_moment
from bot.reminders import flows_schedule as schedule
from bot.reminders import rules as ladder
from bot.reminders.rules import Audience, ItemState
from storage import repository as repo
from storage.models import Case, ItemStatus, OutboxKind, Person, ReminderClaim, ScheduleItem

log = logging.getLogger(__name__)

EXPIRED = 99  # the claim level for "this occurrence was missed and the next one planned"


@dataclass
class SweepReport:
    looked_at: int = 0
    reminders: int = 0
    expired: int = 0
    lost_races: int = 0


ROUNDS = 3  # a missed item's successor is due at once; look again so it goes out in this same sweep


def sweep(deps: Deps, *, limit: int = 500) -> SweepReport:
    now = deps.clock()
    report = SweepReport()
    # A row changed meanwhile (snoozed, rescheduled or held) is a lost race; the next sweep decides afresh.
    sweeping.sweep_due(
        deps.sessions,
        lambda session: repo.due_schedule_item_ids(session, now=now, limit=limit),
        lambda row_id: _advance(deps, row_id, now, report),
        report,
        rounds=ROUNDS,
    )
    return report


def _advance(deps: Deps, item_id: int, now: datetime, report: SweepReport) -> None:
    with deps.sessions.begin() as session:
        item = session.get(ScheduleItem, item_id)
        if item is None or item.next_check_at is None or item.next_check_at > now:
            return  # another sweeper got here first
        case = repo.load_case(session, case_id=item.case_id)
        assert case is not None
        step = ladder.decide(
            ItemState(item.kind.value, item.status.value, item.due_at, item.expires_at, item.level_sent),
            now=now,
            calendar=schedule.case_calendar(deps, case),
            thresholds=schedule.thresholds(deps),
        )
        if step.expire:
            if not _claim(session, item, EXPIRED, [], now):
                report.lost_races += 1
                return
            item.status, item.next_check_at = ItemStatus.MISSED, None
            schedule.plan_next(deps, session, item, now, missed=True)
            repo.enqueue_card_update(session, case=case, now=now)
            _retire_thread_post(session, case, item, now)
            report.expired += 1
            return
        if step.send is None:
            item.next_check_at = step.next_check_at
            return
        deliveries = _deliveries(deps, session, case, step.send.audiences, now)
        if not _claim(session, item, step.send.level, [d["user_id"] for d in deliveries], now):
            report.lost_races += 1
            return
        for delivery in deliveries:
            payload = delivery | {"item_id": item.id, "level": step.send.level, "round": item.round}
            repo.enqueue(
                session,
                team_id=case.team_id,
                case_id=case.id,
                kind=OutboxKind.REMINDER,
                payload=payload,
                now=now,
                not_before=timing(deps, session, case, payload, now),
            )
        item.level_sent, item.next_check_at = step.send.level, step.next_check_at
        # The card shows it as due now (the first rung), then as not held yet (a follow-up rung).
        repo.enqueue_card_update(session, case=case, now=now)
        report.reminders += 1
        log.info(
            "reminder claimed",
            extra={"item_id": item.id, "level": step.send.level, "skipped": step.skipped},
        )


def _retire_thread_post(session: Session, case: Case, item: ScheduleItem, now: datetime) -> None:
    """Queue the re-render of this round's thread reminder (if it went out) as missed, so the thread stops
    offering Start now, Snooze and Reschedule for a time that has passed (reminders.outbox._superseded)."""
    if repo.slack_post(session, case_id=case.id, purpose=f"reminder:{item.id}:{item.round}") is None:
        return
    repo.enqueue(
        session,
        team_id=case.team_id,
        case_id=case.id,
        kind=OutboxKind.REMINDER,
        payload={
            "audience": "thread",
            "user_id": "thread",
            "item_id": item.id,
            "level": EXPIRED,
            "round": item.round,
            "superseded": True,
        },
        now=now,
    )


def _claim(session: Session, item: ScheduleItem, level: int, recipients: list[str], now: datetime) -> bool:
    claim = ReminderClaim(
        team_id=item.team_id,
        item_id=item.id,
        level=level,
        round=item.round,
        claimed_at=now,
        recipients=recipients,
    )
    return repo.insert_once(session, claim)


def _deliveries(deps: Deps, session: Session, case: Case, audiences, now: datetime) -> list[dict]:
    """One outbox payload per recipient: the thread post, or a DM per (re-routed, de-duplicated) person."""
    found: list[dict] = []
    seen: set[str] = set()
    for audience in audiences:
        if audience == Audience.THREAD:
            found.append({"audience": "thread", "user_id": "thread"})
            continue
        targets = [m.person for m in case.members] if audience == Audience.COWORKERS else [case.manager]
        for route in ladder.routes(
            routing_facts(deps, session, targets, now),
            manager=routing_facts(deps, session, [case.manager], now)[0],
        ):
            if route.user_id not in seen:
                seen.add(route.user_id)
                found.append(
                    {
                        "audience": audience.value,
                        "user_id": route.user_id,
                        "for_others": [list(pair) for pair in route.for_others],
                    }
                )
    return found


def routing_facts(deps: Deps, session: Session, people: list[Person], now: datetime) -> list[ladder.Person]:
    """What routing needs about each person today: deactivated, or on leave with someone covering."""
    facts = []
    for person in people:
        today = schedule.today_for(deps, person, now)
        cover = next(
            (
                span.cover
                for span in repo.leave_from(session, person_ids=[person.id], day=today)
                if span.first_day <= today and span.cover is not None
            ),
            None,
        )
        facts.append(
            ladder.Person(
                person.slack_user_id,
                deactivated=person.deactivated,
                cover_user_id=cover.slack_user_id if cover else None,
            )
        )
    return facts


def timing(deps: Deps, session: Session, case: Case, payload: dict, now: datetime) -> datetime:
    """When this reminder may be delivered: inside the recipient's working hours, after their leave.

    A thread post mentions every co-worker, so it waits for a time all of them are working (falling
    back to the lead's hours when their hours never overlap); leave does not hold a thread post back.
    """
    if payload["audience"] == "thread":
        cals = [schedule.calendar(deps, m.person) for m in case.members if not m.person.deactivated]
        common = next_common_working_moment(cals, now) if cals else None
        return common or next_working_moment(schedule.case_calendar(deps, case), now)
    person = repo.get_person(session, team_id=case.team_id, slack_user_id=payload["user_id"])
    leave = (
        repo.leave_from(session, person_ids=[person.id], day=(now - timedelta(days=2)).date())
        if person
        else []
    )
    return next_working_moment(schedule.calendar(deps, person, leave), now)
