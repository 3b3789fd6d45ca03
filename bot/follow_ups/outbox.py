"""An action's due-date DM (or a co-worker's *Can't do it* notice), rendered from the action at send
time: cancelled once overtaken (answered, given a new date); it waits for the recipient's working hours."""

from __future__ import annotations

from bot.follow_ups import flows_sweep as follow_ups
from bot.outbox.calls import Call, Cancel, Renderers, Row, post
from bot.reminders.outbox import wait_for_working_hours
from storage.models import OutboxKind


def register(renderers: Renderers) -> None:
    renderers.add(_action_message, OutboxKind.ACTION_FOLLOW_UP, OutboxKind.ACTION_CANNOT_NOTICE)


def _action_message(row: Row) -> Call:
    rendered = follow_ups.message_for(row.deps, row.session, row.case, row.kind, row.payload, row.now)
    if rendered is None:
        raise Cancel
    wait_for_working_hours(row)
    text, blocks = rendered
    return Call("chat.postMessage", post(row.payload["user_id"], text, blocks, row.metadata))
