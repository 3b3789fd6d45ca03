"""A reminder rung, checked against its item just before it goes and rendered from it then."""

from __future__ import annotations

from datetime import timedelta

from bot.content import Trusted
from bot.kernel.zones import zone
from bot.outbox.calls import Call, Cancel, Defer, Renderers, Row, in_thread, post, update
from bot.reminders import flows_schedule as schedule
from bot.reminders import flows_sweep as reminders
from bot.reminders.blocks import ReminderView, reminder_message, superseded_post
from bot.reminders.flows_agenda import agenda
from storage import repository as repo
from storage.models import Experience, ItemStatus, OutboxKind, ScheduleItem

ON_TIME = timedelta(minutes=1)  # a reminder this close to its working-hours slot goes now


def register(renderers: Renderers) -> None:
    renderers.add(_reminder, OutboxKind.REMINDER)


def wait_for_working_hours(row: Row) -> None:
    """Defer a reminder-like row (a rung, a late-summary DM, an action's DM) to its recipient's working
    hours, after their leave; within ON_TIME of that slot it goes now."""
    when = reminders.timing(row.deps, row.session, row.case, row.payload, row.now)
    if when > row.now + ON_TIME:
        raise Defer(until=when)


def _reminder(row: Row) -> Call:
    item = row.session.get(ScheduleItem, row.payload["item_id"])
    assert item is not None
    if row.payload.get("superseded"):
        return _superseded(row, item)
    if (
        # Held or replanned: nobody needs it. (A missed item's last rung still goes: it says what was missed.)
        item.status in (ItemStatus.HELD, ItemStatus.CANCELLED)
        or item.round != row.payload["round"]
        or item.level_sent > row.payload["level"]
    ):
        raise Cancel
    wait_for_working_hours(row)
    text, blocks = reminder_message(_view(row, item), row.deps.content)
    if row.payload["audience"] == "thread":
        purpose = thread_post(item.id, item.round)  # re-rendered in place once the next one takes over
        return Call("chat.postMessage", in_thread(row.case, text, blocks, row.metadata), remember_as=purpose)
    return Call("chat.postMessage", post(row.payload["user_id"], text, blocks, row.metadata))


def thread_post(item_id: int, round_number: int) -> str:
    """The SlackPost purpose of an occurrence's reminder in the case thread, for one round."""
    return f"reminder:{item_id}:{round_number}"


def _superseded(row: Row, item: ScheduleItem) -> Call:
    """The missed occurrence's thread reminder, re-rendered in place: no more Start now, Snooze or
    Reschedule for a time that has passed; what took its place, and We met offline. Cancelled when it
    was recorded as held meanwhile (its buttons were replaced then) or moved to a new round."""
    if item.status != ItemStatus.MISSED or item.round != row.payload["round"]:
        raise Cancel
    text, blocks = superseded_post(_view(row, item))
    return update(row.session, row.case, thread_post(item.id, item.round), text, blocks)


def _view(row: Row, item: ScheduleItem) -> ReminderView:
    case, payload = row.case, row.payload
    card = repo.slack_post(row.session, case_id=case.id, purpose="card")
    agenda_lines: tuple[str, ...] = ()
    tz = schedule.case_calendar(row.deps, case).tz
    if item.kind.value == "supervision" and payload["audience"] == "manager":
        # Dates in the agenda are the manager's own ("Wed 23 Dec" in Auckland, not the UTC day).
        reader = zone(
            row.deps, repo.get_person(row.session, team_id=case.team_id, slack_user_id=payload["user_id"])
        )
        lines = agenda(row.session, case, now=row.now, tz=reader, exclude_item=item.id, questions=False)
        agenda_lines = tuple(Trusted(line) for line in lines)  # built escaped, with mentions
    missed = item.status == ItemStatus.MISSED
    # A missed item's last rung names the occurrence that took its place, as the card does.
    following = repo.open_item_of_kind(row.session, case_id=case.id, kind=item.kind) if missed else None
    return ReminderView(
        kind=item.kind.value,
        level=payload["level"],
        audience=payload["audience"],
        reference=case.reference,
        channel_id=case.channel_id,
        due_at=item.due_at,
        due_day=item.due_at.astimezone(tz).date(),
        coworker_ids=tuple(m.person.slack_user_id for m in case.members),
        manager_id=case.manager.slack_user_id,
        item_value=f"{item.id}:{item.round}",
        case_id=case.id,
        recipient_id=None if payload["audience"] == "thread" else payload["user_id"],
        for_others=tuple((who, why) for who, why in payload.get("for_others", [])),
        permalink=card.permalink if card else None,
        agenda=agenda_lines,
        has_developing=any(m.experience == Experience.DEVELOPING for m in case.members),
        missed=missed,
        next_due=following.due_at if following else None,
        next_day=following.due_at.astimezone(tz).date() if following else None,
        next_value=f"{following.id}:{following.round}" if following else None,
    )
