"""The buttons on a reminder: Snooze, Reschedule and We met offline (Start now begins a discussion).

Each button carries "item:round". A click on a reminder from an earlier round (already snoozed,
rescheduled or held) changes nothing and says so, which also makes double clicks harmless. Every
change is audited, noted in the case thread, and replaces the clicked message's buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.deps import Deps
from bot.kernel import access, people, thread
from bot.kernel import rules_permissions as permissions
from bot.kernel.clicks import Clicked
from bot.kernel.rules_text import slack_date
from bot.kernel.rules_working_time import add_working_days, local_datetime, on_working_day
from bot.notes import flows_timeliness as timeliness
from bot.reminders import blocks
from bot.reminders import flows_schedule as schedule
from bot.reminders.flows_offline import offline_discussion
from storage import repository as repo
from storage.models import Case, CaseStatus, ItemKind, ItemStatus, OutboxKind, ScheduleItem

STALE = (
    "That reminder has already been dealt with (snoozed, moved or held). "
    "The latest one is in the case thread."
)
PASSED = (
    "That one's time has passed and the next one has taken its place: its reminder is in the case thread. "
    "If it was held outside Slack, *We met offline* on this reminder records it."
)
DENIED = "Only the case's co-workers, its manager and anyone covering for them can act on this reminder."
SNOOZES = {"1d": 1, "3d": 3, "week": 5}  # working days
FURTHEST = timedelta(days=190)


def held(deps: Deps, *, team_id: str, user_id: str, value: str, clicked: Clicked | None) -> str | None:
    def change(session: Session, case: Case, item: ScheduleItem, now: datetime) -> str:
        missed = item.status == ItemStatus.MISSED
        item.status, item.held_at, item.next_check_at = ItemStatus.HELD, now, None
        if item.kind == ItemKind.DISCUSSION:
            # A discussion held outside Slack still needs its summary: it waits, and is chased, like one
            # wrapped up in the thread.
            person = repo.ensure_person(session, team_id=case.team_id, slack_user_id=user_id)
            met = offline_discussion(case, person_id=person.id, item_id=item.id, now=now)
            session.add(met)
            session.flush()
            timeliness.start(deps, session, met, now)
        if missed:  # held after all, outside Slack: the occurrence that took its place stays as planned
            thread.note(session, case, blocks.held_after_all_text(user_id, item.kind.value, item.due_at), now)
            return f"Recorded as held by <@{user_id}>."
        following = schedule.plan_next(deps, session, item, now)
        text = blocks.held_text(user_id, item.kind.value, following.due_at if following else None)
        thread.note(session, case, text, now)
        return f"Marked as held by <@{user_id}>."

    return _act(deps, "held", team_id, user_id, value, clicked, change, reopens=True)


def snooze(deps: Deps, *, team_id: str, user_id: str, value: str, clicked: Clicked | None) -> str | None:
    item_value, _, choice = value.rpartition(":")
    if choice not in SNOOZES:
        return "Choose how long to snooze for."

    def change(session: Session, case: Case, item: ScheduleItem, now: datetime) -> str:
        cal = schedule.case_calendar(deps, case)
        return _move(
            deps, session, case, item, add_working_days(cal, now, SNOOZES[choice]), now, user_id, "snoozed"
        )

    return _act(deps, "snooze", team_id, user_id, item_value, clicked, change)


def reschedule(
    deps: Deps, *, team_id: str, user_id: str, value: str, day: str, clicked: Clicked | None
) -> str | None:
    try:
        chosen = date.fromisoformat(day)
    except (TypeError, ValueError):
        return "Pick a date from the calendar."

    def change(session: Session, case: Case, item: ScheduleItem, now: datetime) -> str:
        cal = schedule.case_calendar(deps, case)
        today = now.astimezone(cal.tz).date()
        if not today <= chosen <= today + FURTHEST:
            raise _Refused("Pick a date from today to six months ahead.")
        at = on_working_day(
            cal, local_datetime(cal.tz, chosen, schedule.local_time_of(deps, case, item.due_at))
        )
        return _move(deps, session, case, item, max(at, now), now, user_id, "moved")

    return _act(deps, "reschedule", team_id, user_id, value, clicked, change)


class _Refused(Exception):
    """The change cannot be made; the message goes back to the person who clicked."""


def _move(
    deps: Deps,
    session: Session,
    case: Case,
    item: ScheduleItem,
    to: datetime,
    now: datetime,
    user_id: str,
    how: str,
) -> str:
    """A new round: the ladder starts again at the new time; the old round's unsent reminders are dropped."""
    item.due_at, item.round, item.level_sent, item.next_check_at = to, item.round + 1, -1, to
    if item.expires_at is not None and item.expires_at <= to:
        item.expires_at = None  # moved past the next occurrence: it stays until held, and is not lost
    thread.note(session, case, blocks.moved_text(user_id, item.kind.value, to, how), now)
    return f"{how.capitalize()} by <@{user_id}> to {slack_date(to)}."


def _act(
    deps: Deps,
    action: str,
    team_id: str,
    user_id: str,
    value: str,
    clicked: Clicked | None,
    change: Callable[[Session, Case, ScheduleItem, datetime], str],
    *,
    reopens: bool = False,
) -> str | None:
    """Load, check permission and staleness, apply `change`, audit, and queue the Slack side. Only
    `reopens` (We met offline) acts on a missed item: it may have been held outside Slack after all."""
    item_id, _, round_text = value.partition(":")
    if not item_id.isdigit() or not round_text.isdigit():
        return STALE
    try:
        return _apply(deps, action, team_id, user_id, int(item_id), int(round_text), clicked, change, reopens)
    except StaleDataError:
        # The sweep (or another click) changed the item at the same moment; nothing was saved.
        return "That reminder changed at the same moment. Please try again."


def _apply(
    deps: Deps,
    action: str,
    team_id: str,
    user_id: str,
    item_id: int,
    round_number: int,
    clicked: Clicked | None,
    change: Callable[[Session, Case, ScheduleItem, datetime], str],
    reopens: bool,
) -> str | None:
    now = deps.clock()
    with deps.sessions.begin() as session:
        item = session.get(ScheduleItem, item_id)
        case = repo.load_case(session, case_id=item.case_id) if item else None
        if item is None or case is None or case.team_id != team_id:
            return "I can't find that reminder any more."
        if case.status != CaseStatus.OPEN:
            return access.closed_line(case.reference)
        who = people.actor(session, deps.settings, team_id=team_id, user_id=user_id)
        members = [m.person.slack_user_id for m in case.members]
        covering = repo.covered_by(
            session, cover_slack_user_id=user_id, team_id=team_id, day=schedule.today_for(deps, None, now)
        )
        allowed = permissions.can_act_on_reminder(
            who, member_ids=members, manager_id=case.manager.slack_user_id, covering_for=covering
        )
        audit = partial(
            access.record,
            session,
            case,
            user_id=user_id,
            action=f"reminder.{action}",
            now=now,
            object_type="schedule_item",
            object_id=item.id,
        )
        if not allowed:
            audit(outcome="denied")
            return DENIED
        if item.round == round_number and item.status == ItemStatus.MISSED and not reopens:
            return PASSED
        open_statuses = (*repo.OPEN_ITEM, ItemStatus.MISSED) if reopens else repo.OPEN_ITEM
        if item.round != round_number or item.status not in open_statuses:
            return STALE
        try:
            outcome = change(session, case, item, now)
        except _Refused as refusal:
            return str(refusal)
        audit(detail={"round": item.round})
        repo.enqueue_card_update(session, case=case, now=now)
        if clicked is not None:
            _replace_buttons(session, case, clicked, outcome, now)
    return None


def _replace_buttons(session: Session, case: Case, clicked: Clicked, outcome: str, now: datetime) -> None:
    repo.enqueue(
        session,
        team_id=case.team_id,
        case_id=case.id,
        kind=OutboxKind.REPLACE_MESSAGE,
        payload={
            "channel": clicked.channel_id,
            "ts": clicked.ts,
            "text": outcome,
            "blocks": blocks.answered(clicked.blocks or [], outcome),
        },
        now=now,
    )
