"""A late-summary DM, rendered at send time: cancelled once the summary is recorded; it waits for
working hours."""

from __future__ import annotations

from bot.notes import flows_timeliness as timeliness
from bot.notes.blocks_timeliness import record_reminder
from bot.outbox.calls import Call, Cancel, Renderers, Row, post
from bot.reminders.outbox import wait_for_working_hours
from storage.models import Discussion, OutboxKind


def register(renderers: Renderers) -> None:
    renderers.add(_record_reminder, OutboxKind.RECORD_REMINDER)


def _record_reminder(row: Row) -> Call:
    discussion = row.session.get(Discussion, row.payload["discussion_id"])
    if discussion is None or not timeliness.wanted(row.case, discussion, row.payload):
        raise Cancel
    wait_for_working_hours(row)
    text, blocks = record_reminder(
        timeliness.view(row.session, row.case, discussion, row.payload), row.deps.content
    )
    return Call("chat.postMessage", post(row.payload["user_id"], text, blocks, row.metadata))
