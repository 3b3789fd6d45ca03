"""Reminder messages as pure data: the text comes from prompts/templates/reminder.j2."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.content import Content
from bot.ids import ActionId
from bot.kernel.blocks import actions, button, context, options, plain, sections
from bot.kernel.rules_text import mention, slack_date, slack_escape

SNOOZE_CHOICES = {"1d": "1 working day", "3d": "3 working days", "week": "Next week"}
HELD_LABEL = {"discussion": "We met offline", "supervision": "We met", "review": "Reviewed"}
# The manager's reminder opens the form that records it: the check-in, or the review.
MANAGER_OPENS = {
    "supervision": ("Record supervision", ActionId.SUPERVISION_RECORD),
    "review": ("Review now", ActionId.REVIEW_OPEN),
}
TITLE = {
    "discussion": "Reflective discussion",
    "supervision": "Joint supervision check-in",
    "review": "Agreement review",
}


@dataclass(frozen=True)
class ReminderView:
    kind: str
    level: int
    audience: str  # thread | coworkers | manager
    reference: str
    channel_id: str
    due_at: datetime
    due_day: date  # in the case's calendar: the date picker starts here
    coworker_ids: tuple[str, ...]
    manager_id: str
    item_value: str  # "item_id:round": a stale button is recognised, not acted on twice
    recipient_id: str | None = None
    for_others: tuple[tuple[str, str], ...] = ()  # (user id, "cover" | "deactivated") it also carries
    permalink: str | None = None
    agenda: tuple[str, ...] = ()
    has_developing: bool = False
    # Missed: its time passed unheld and the next occurrence (if any) took its place.
    missed: bool = False
    next_due: datetime | None = None
    next_day: date | None = None  # the next occurrence's day in the case's calendar
    next_value: str | None = None  # the next occurrence's "item_id:round"
    case_id: int = 0  # for the manager's *Record supervision* / *Review now*


def reminder_message(view: ReminderView, content: Content) -> tuple[str, list[dict[str, Any]]]:
    body = content.render(
        "reminder.j2",
        kind=view.kind,
        level=view.level,
        audience=view.audience,
        reference=view.reference,
        channel_id=view.channel_id,
        due_at=view.due_at,
        coworkers=view.coworker_ids,
        # The people the recipient could meet with: not themselves, nor those whose reminder they carry.
        others=[
            c
            for c in view.coworker_ids
            if c != view.recipient_id and c not in {w for w, _ in view.for_others}
        ],
        manager_id=view.manager_id,
        recipient=view.recipient_id or view.manager_id,
        for_others=view.for_others,
        permalink=view.permalink,
        agenda=view.agenda,
        has_developing=view.has_developing,
    )
    fallback = f"{TITLE[view.kind]} for case {slack_escape(view.reference)}"
    # A supervision agenda quotes the agreed learning goals (up to 3,000 characters, more escaped).
    if view.missed:
        return fallback, [*sections(body), context(missed_text(view)), missed_actions(view)]
    return fallback, [*sections(body), reminder_actions(view)]


def superseded_post(view: ReminderView) -> tuple[str, list[dict[str, Any]]]:
    """A thread reminder once its occurrence was missed and the next one took over: said plainly, with
    only *We met offline* (it may have been held outside Slack) left to press."""
    what = TITLE[view.kind].lower()
    then = (
        f" The next one, planned for {slack_date(view.next_due)}, has taken its place."
        if view.next_due
        else ""
    )
    text = (
        f":speech_balloon: The {what} on case {slack_escape(view.reference)}, planned for "
        f"{slack_date(view.due_at)}, wasn't held.{then} If it was held outside Slack, "
        f"*{HELD_LABEL[view.kind]}* records it."
    )
    held = button(HELD_LABEL[view.kind], ActionId.REMINDER_MET, view.item_value)
    fallback = f"{TITLE[view.kind]} for case {slack_escape(view.reference)}"
    return fallback, [*sections(text), actions(held, block_id=f"reminder:{view.item_value}")]


def missed_text(view: ReminderView) -> str:
    """What a reminder about a missed occurrence adds: the next one has taken its place (as on the card)."""
    held = f"If it was held outside Slack, *{HELD_LABEL[view.kind]}* records it."
    if view.next_due is None:
        return held
    return (
        f"The next one, planned for {slack_date(view.next_due)}, has taken its place in the case thread. "
        f"{held} To catch up sooner, pick a new date for the next one."
    )


def missed_actions(view: ReminderView) -> dict[str, Any]:
    """A missed occurrence cannot be snoozed or moved: it can be recorded as held after all, and the next
    one (which took its place) can be moved for a catch-up. The date picker acts on the next occurrence."""
    elements: list[dict[str, Any]] = [button(HELD_LABEL[view.kind], ActionId.REMINDER_MET, view.item_value)]
    if view.next_value is not None and view.next_day is not None:
        elements.append(
            {
                "type": "datepicker",
                "action_id": ActionId.REMINDER_RESCHEDULE,
                "initial_date": view.next_day.isoformat(),
                "placeholder": plain("Move the next one"),
            }
        )
    return actions(*elements, block_id=f"reminder:{view.next_value or view.item_value}")


def reminder_actions(view: ReminderView) -> dict[str, Any]:
    elements: list[dict[str, Any]] = []
    if view.audience == "manager" and view.case_id and view.kind in MANAGER_OPENS:
        label, action_id = MANAGER_OPENS[view.kind]
        elements.append(button(label, action_id, str(view.case_id), style="primary"))
    if view.kind == "discussion" and view.audience != "manager":
        elements.append(button("Start now", ActionId.REMINDER_START, view.item_value, style="primary"))
    elements.append(
        {
            "type": "static_select",
            "action_id": ActionId.REMINDER_SNOOZE,
            "placeholder": plain("Snooze"),
            "options": [
                {**opt, "value": f"{view.item_value}:{opt['value']}"} for opt in options(SNOOZE_CHOICES)
            ],
        }
    )
    elements.append(
        {
            "type": "datepicker",
            "action_id": ActionId.REMINDER_RESCHEDULE,
            "initial_date": view.due_day.isoformat(),
            "placeholder": plain("Reschedule"),
        }
    )
    elements.append(button(HELD_LABEL[view.kind], ActionId.REMINDER_MET, view.item_value))
    return actions(*elements, block_id=f"reminder:{view.item_value}")


def answered(original_blocks: list[dict[str, Any]], note: str) -> list[dict[str, Any]]:
    """The clicked reminder with its buttons replaced by what happened, so nobody acts on it twice."""
    kept = [
        {k: v for k, v in b.items() if k != "accessory"}
        for b in original_blocks
        if b.get("type") != "actions"
    ]
    return [*kept, context(note)]


def held_after_all_text(user_id: str, kind: str, due_at: datetime) -> str:
    """A missed occurrence recorded as held after all (it met outside Slack); the next one stays planned."""
    return (
        f":white_check_mark: {mention(user_id)} recorded that the {TITLE[kind].lower()} planned for "
        f"{slack_date(due_at)} was held outside Slack."
    )


def moved_text(user_id: str, kind: str, to: datetime, how: str) -> str:
    return f":calendar: {mention(user_id)} {how} the {TITLE[kind].lower()} to {slack_date(to)}."


def held_text(user_id: str, kind: str, next_due: datetime | None) -> str:
    done = {
        "discussion": "marked the reflective discussion as held",
        "supervision": "marked the joint supervision check-in as held",
        "review": "marked the agreement review as done",
    }[kind]
    after = f" The next one is planned for {slack_date(next_due)}." if next_due else ""
    return f":white_check_mark: {mention(user_id)} {done}.{after}"
