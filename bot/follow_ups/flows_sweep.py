"""Actions are followed up: the owner's DM on the due date, and the card re-rendered once it is overdue.

`plan_action` sets when the sweep first looks at an action (call it for each new action, and after a new
due date with `round` bumped and `level_sent` reset). The sweep reads due actions by the
`next_check_at` index and advances each in its own transaction; sending the DM means inserting the
unique ("action", action, level 0, round) follow-up claim and its outbox row in ONE transaction, so a
second sweeper, a retry or a restart never sends it twice. The row is rendered at send time
(`follow_ups/outbox.py`): it waits for the recipient's working hours and is cancelled once the action is done,
handed back or given a new date. Like reminders, the DM goes to whoever covers the owner's leave, or to
the manager when the owner's account is deactivated. Logged with ids only, never the action's text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.follow_ups import rules
from bot.follow_ups.blocks import FollowUpView, cannot_notice, follow_up_message
from bot.kernel import sweeping
from bot.kernel.rules_working_time import WorkCalendar, local_datetime
from bot.reminders import flows_schedule as schedule
from bot.reminders import flows_sweep as reminders
from bot.reminders import rules as routing
from storage import follow_ups as store
from storage import repository as repo
from storage.models import ActionStatus, Case, CaseStatus, FollowUpClaim, NoteAction, OutboxKind, Person

log = logging.getLogger(__name__)

SUBJECT = "action"


def owner_of(session: Session, action: NoteAction) -> Person | None:
    if not action.owner_id:
        return None
    return repo.get_person(session, team_id=action.team_id, slack_user_id=action.owner_id)


def owner_calendar(deps: Deps, session: Session, action: NoteAction) -> WorkCalendar:
    """The owner's zone, working hours and holidays (leave only holds a DM back at delivery)."""
    return schedule.calendar(deps, owner_of(session, action))


def noon_of(cal: WorkCalendar, day: date) -> datetime:
    return local_datetime(cal.tz, day, time(12))


def _state(action: NoteAction) -> rules.ActionState:
    return rules.ActionState(action.status.value, action.due, bool(action.owner_id), action.level_sent)


def plan_action(deps: Deps, session: Session, action: NoteAction, now: datetime) -> None:
    """When the sweep first looks at `action` this round (None once nothing can happen). Never commits."""
    action.next_check_at = rules.first_check(
        _state(action), now=now, calendar=owner_calendar(deps, session, action)
    )


@dataclass
class SweepReport:
    looked_at: int = 0
    dms: int = 0
    overdue: int = 0
    lost_races: int = 0


def sweep(deps: Deps, *, limit: int = 500) -> SweepReport:
    now = deps.clock()
    report = SweepReport()
    sweeping.sweep_due(
        deps.sessions,
        lambda session: store.due_action_ids(session, now=now, limit=limit),
        lambda row_id: _advance(deps, row_id, now, report),
        report,
    )
    return report


def _advance(deps: Deps, action_id: int, now: datetime, report: SweepReport) -> None:
    with deps.sessions.begin() as session:
        action = session.get(NoteAction, action_id)
        if action is None or action.next_check_at is None or action.next_check_at > now:
            return  # another sweeper got here first
        case = repo.load_case(session, case_id=action.case_id)
        assert case is not None
        if case.status != CaseStatus.OPEN:
            action.next_check_at = None
            return
        step = rules.decide(_state(action), now=now, calendar=owner_calendar(deps, session, action))
        if step.send_dm:
            deliveries = _deliveries(deps, session, case, action, now)
            if not _claim(session, action, [d["user_id"] for d in deliveries], now):
                report.lost_races += 1
                return
            for delivery in deliveries:
                repo.enqueue(
                    session,
                    team_id=case.team_id,
                    case_id=case.id,
                    kind=OutboxKind.ACTION_FOLLOW_UP,
                    payload=delivery,
                    now=now,
                    not_before=reminders.timing(deps, session, case, delivery, now),
                )
            report.dms += 1
        if step.refresh_card:
            repo.enqueue_card_update(session, case=case, now=now)  # the card shows it overdue
            report.overdue += 1
        action.level_sent, action.next_check_at = step.level_sent, step.next_check_at
        log.info(
            "action follow-up",
            extra={
                "case_id": case.id,
                "action_id": action.id,
                "round": action.round,
                "dm": step.send_dm,
                "late": step.late,
                "card": step.refresh_card,
            },
        )


def _claim(session: Session, action: NoteAction, recipients: list[str], now: datetime) -> bool:
    claim = FollowUpClaim(
        team_id=action.team_id,
        subject=SUBJECT,
        subject_id=action.id,
        level=rules.DM,
        round=action.round,
        claimed_at=now,
        recipients=recipients,
    )
    return repo.insert_once(session, claim)


def routes_for(
    deps: Deps, session: Session, case: Case, team_id: str, user_ids: list[str], now: datetime
) -> list[routing.Route]:
    """Who receives what is meant for `user_ids`: cover while on leave, the manager for a deactivated
    account (people casebot has never seen get it themselves)."""
    facts = []
    for user_id in dict.fromkeys(user_ids):
        person = repo.get_person(session, team_id=team_id, slack_user_id=user_id)
        facts += (
            reminders.routing_facts(deps, session, [person], now) if person else [routing.Person(user_id)]
        )
    manager = reminders.routing_facts(deps, session, [case.manager], now)[0]
    return routing.routes(facts, manager=manager)


def _deliveries(deps: Deps, session: Session, case: Case, action: NoteAction, now: datetime) -> list[dict]:
    assert action.owner_id is not None
    return [
        {
            "audience": "owner",
            "user_id": route.user_id,
            "for_others": [list(pair) for pair in route.for_others],
            "action_id": action.id,
            "round": action.round,
            "level": rules.DM,
        }
        for route in routes_for(deps, session, case, action.team_id, [action.owner_id], now)
    ]


# ---------------------------------------------------------------- at send time


def message_for(
    deps: Deps, session: Session, case: Case, kind: OutboxKind, payload: dict, now: datetime
) -> tuple[str, list[dict]] | None:
    """What a queued row says now, from the action as it is; None when it is no longer wanted: a DM once
    the action is answered, given a new date or its case closed."""
    action = session.get(NoteAction, payload["action_id"])
    if action is None or action.round != payload["round"] or not action.owner_id or action.due is None:
        return None
    others = tuple((who, why) for who, why in payload.get("for_others", []))
    if kind == OutboxKind.ACTION_CANNOT_NOTICE:
        if action.status != ActionStatus.CANNOT or not action.status_by:
            return None
        shown = view(deps, session, case, action, now, recipient_id=payload["user_id"])
        return cannot_notice(
            shown, actor_id=action.status_by, reason=action.status_reason or "", for_others=others
        )
    if case.status != CaseStatus.OPEN or action.status != ActionStatus.OPEN:
        return None
    return follow_up_message(
        view(deps, session, case, action, now, recipient_id=payload["user_id"], for_others=others)
    )


def view(
    deps: Deps,
    session: Session,
    case: Case,
    action: NoteAction,
    now: datetime,
    *,
    recipient_id: str,
    for_others: tuple[tuple[str, str], ...] = (),
) -> FollowUpView:
    assert action.due is not None and action.owner_id is not None
    cal = owner_calendar(deps, session, action)
    today = now.astimezone(cal.tz).date()
    return FollowUpView(
        action_id=action.id,
        round=action.round,
        reference=case.reference,
        channel_id=case.channel_id,
        note_number=store.note_number(session, note_id=action.note_id),
        number=action.number,
        text=action.text,
        done_looks_like=action.done_looks_like,
        due=action.due,
        due_noon=noon_of(cal, action.due),
        overdue=rules.is_overdue(action.status.value, action.due, today),
        recipient_id=recipient_id,
        owner_id=action.owner_id,
        for_others=for_others,
    )
