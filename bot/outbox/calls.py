"""What each kind of outbox row becomes at send time: a Slack call, rendered from the database now.

Rendering late means a card always shows the latest state, and a reminder is checked against the
item just before it goes: one overtaken by a snooze, a hold or a higher rung is cancelled, and one
whose recipient is outside working hours (or went on leave since) waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.cases.blocks import agreement_post, case_card
from bot.cases.presenters import card_notes, case_view, supervision_agenda
from bot.deps import Deps
from bot.discussions import flows_questions as questions
from bot.discussions.blocks import question_message
from bot.follow_ups import flows_sweep as follow_ups
from bot.notes import flows_timeliness as timeliness
from bot.notes.blocks_timeliness import record_reminder
from bot.reminders import flows_schedule as schedule
from bot.reminders import flows_sweep as reminders
from bot.reminders.blocks import ReminderView, reminder_message
from storage import repository as repo
from storage.models import (
    Case,
    Discussion,
    DiscussionPrompt,
    Experience,
    ItemStatus,
    OutboxMessage,
    ScheduleItem,
    SlackPost,
)

METADATA_TYPE = "casebot_outbox"
ON_TIME = timedelta(minutes=1)  # a reminder this close to its working-hours slot goes now


@dataclass
class Call:
    """A Slack Web API call to make, and what to remember about it afterwards."""

    method: str
    kwargs: dict[str, Any]
    remember_as: str | None = None  # SlackPost purpose to store the resulting ts under


class Defer(Exception):
    """The row cannot be sent yet (its thread is not posted, or its recipient is not working)."""

    def __init__(self, until: datetime | None = None) -> None:
        super().__init__()
        self.until = until


class Cancel(Exception):
    """The row is no longer wanted (e.g. the discussion it reminds about has been held)."""


def prepare(deps: Deps, session: Session, message: OutboxMessage, now: datetime) -> Call:
    payload = message.payload
    metadata = {"event_type": METADATA_TYPE, "event_payload": {"outbox_id": message.id}}
    if message.kind == "dm":
        return Call(
            "chat.postMessage", post(payload["user_id"], payload["text"], payload.get("blocks"), metadata)
        )
    if message.kind == "replace_message":
        return Call("chat.update", {k: payload[k] for k in ("channel", "ts", "text", "blocks")})
    case = repo.load_case(session, case_id=message.case_id or payload["case_id"])
    assert case is not None
    if message.kind == "reminder":
        return _reminder(deps, session, case, payload, metadata, now)
    if message.kind == timeliness.KIND:
        return _record_reminder(deps, session, case, payload, metadata, now)
    if message.kind in follow_ups.KINDS:
        return _action_message(deps, session, case, message.kind, payload, metadata, now)
    if message.kind == "thread_note":
        return Call("chat.postMessage", _in_thread(case, payload["text"], payload.get("blocks"), metadata))
    if message.kind in ("post_prompt", "update_prompt"):
        return _prompt(deps, session, case, message.kind, payload["prompt_id"], metadata)
    notes = card_notes(deps, session, case, now) if message.kind in ("post_card", "update_card") else None
    view = case_view(case, items=repo.open_items(session, case_ids=[case.id]), now=now, notes=notes)
    if message.kind == "post_card":
        text, blocks = case_card(view)
        return Call("chat.postMessage", post(case.channel_id, text, blocks, metadata), remember_as="card")
    if message.kind == "update_card":
        text, blocks = case_card(view)
        return _update(session, case, "card", text, blocks)
    text, blocks = agreement_post(view, deps.content)
    purpose = f"agreement:{payload['agreement_id']}"
    if message.kind == "post_agreement":
        return Call("chat.postMessage", _in_thread(case, text, blocks, metadata), remember_as=purpose)
    if message.kind == "update_agreement":
        return _update(session, case, purpose, text, blocks)
    raise ValueError(f"unknown outbox kind {message.kind}")


def post(channel: str, text: str, blocks: list | None, metadata: dict) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "channel": channel,
        "text": text,
        "unfurl_links": False,
        "unfurl_media": False,
        "metadata": metadata,
    }
    if blocks:
        kwargs["blocks"] = blocks
    return kwargs


def _in_thread(case: Case, text: str, blocks: list | None, metadata: dict) -> dict[str, Any]:
    if not case.thread_ts:
        raise Defer  # the card (the thread's root) has not gone out yet
    return post(case.channel_id, text, blocks, metadata) | {"thread_ts": case.thread_ts}


def _update(session: Session, case: Case, purpose: str, text: str, blocks: list) -> Call:
    posted = _posted(session, case, purpose)
    return Call(
        "chat.update", {"channel": posted.channel_id, "ts": posted.ts, "text": text, "blocks": blocks}
    )


def _posted(session: Session, case: Case, purpose: str) -> SlackPost:
    found = repo.slack_post(session, case_id=case.id, purpose=purpose)
    if found is None:
        raise Defer  # the original post has not gone out yet
    return found


def _prompt(deps: Deps, session: Session, case: Case, kind: str, prompt_id: int, metadata: dict) -> Call:
    """A discussion question, rendered from its state now: only the current one carries buttons."""
    prompt = session.get(DiscussionPrompt, prompt_id)
    assert prompt is not None
    text, blocks = question_message(questions.prompt_view(deps, session, case, prompt))
    purpose = f"prompt:{prompt.id}"
    if kind == "post_prompt":
        return Call("chat.postMessage", _in_thread(case, text, blocks, metadata), remember_as=purpose)
    return _update(session, case, purpose, text, blocks)


def _reminder(deps: Deps, session: Session, case: Case, payload: dict, metadata: dict, now: datetime) -> Call:
    item = session.get(ScheduleItem, payload["item_id"])
    assert item is not None
    if (
        # Held or replanned: nobody needs it. (A missed item's last rung still goes: it says what was missed.)
        item.status in (ItemStatus.HELD, ItemStatus.CANCELLED)
        or item.round != payload["round"]
        or item.level_sent > payload["level"]
    ):
        raise Cancel
    when = reminders.timing(deps, session, case, payload, now)
    if when > now + ON_TIME:
        raise Defer(until=when)
    text, blocks = reminder_message(_reminder_view(deps, session, case, item, payload, now), deps.content)
    if payload["audience"] == "thread":
        return Call("chat.postMessage", _in_thread(case, text, blocks, metadata))
    return Call("chat.postMessage", post(payload["user_id"], text, blocks, metadata))


def _record_reminder(
    deps: Deps, session: Session, case: Case, payload: dict, metadata: dict, now: datetime
) -> Call:
    """A late-summary DM, unless the summary has been recorded since; it waits for working hours."""
    discussion = session.get(Discussion, payload["discussion_id"])
    if not timeliness.wanted(case, discussion, payload):
        raise Cancel
    when = reminders.timing(deps, session, case, payload, now)
    if when > now + ON_TIME:
        raise Defer(until=when)
    text, blocks = record_reminder(timeliness.view(session, case, discussion, payload), deps.content)
    return Call("chat.postMessage", post(payload["user_id"], text, blocks, metadata))


def _action_message(
    deps: Deps, session: Session, case: Case, kind: str, payload: dict, metadata: dict, now: datetime
) -> Call:
    """An action's due-date DM (or a co-worker's *Can't do it* notice), rendered from the action now:
    cancelled once overtaken (answered, given a new date); it waits for the recipient's working hours."""
    rendered = follow_ups.message_for(deps, session, case, kind, payload, now)
    if rendered is None:
        raise Cancel
    when = reminders.timing(deps, session, case, payload, now)
    if when > now + ON_TIME:
        raise Defer(until=when)
    text, blocks = rendered
    return Call("chat.postMessage", post(payload["user_id"], text, blocks, metadata))


def _reminder_view(
    deps: Deps, session: Session, case: Case, item: ScheduleItem, payload: dict, now: datetime
) -> ReminderView:
    card = repo.slack_post(session, case_id=case.id, purpose="card")
    agenda: tuple[str, ...] = ()
    if item.kind.value == "supervision" and payload["audience"] == "manager":
        agenda = supervision_agenda(session, case, item, now)
    return ReminderView(
        kind=item.kind.value,
        level=payload["level"],
        audience=payload["audience"],
        reference=case.reference,
        channel_id=case.channel_id,
        due_at=item.due_at,
        due_day=item.due_at.astimezone(schedule.case_calendar(deps, case).tz).date(),
        coworker_ids=tuple(m.person.slack_user_id for m in case.members),
        manager_id=case.manager.slack_user_id,
        item_value=f"{item.id}:{item.round}",
        recipient_id=None if payload["audience"] == "thread" else payload["user_id"],
        for_others=tuple((who, why) for who, why in payload.get("for_others", [])),
        permalink=card.permalink if card else None,
        agenda=agenda,
        has_developing=any(m.experience == Experience.DEVELOPING for m in case.members),
    )
