"""The late-summary DM as pure data: the text comes from prompts/templates/record_reminder.j2.

It names the case reference and the deadline, never what was discussed, and carries *Write the summary*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.content import Content
from bot.ids import ActionId
from bot.kernel.blocks import actions, button, sections
from bot.kernel.rules_text import slack_escape


@dataclass(frozen=True)
class RecordReminderView:
    discussion_id: int
    level: int
    audience: str  # recorders | coworkers | manager
    reference: str
    channel_id: str
    due_at: datetime
    recipient_id: str
    recorder_ids: tuple[str, ...]  # who the agreement expected to record it
    member_ids: tuple[str, ...]  # the case's co-workers
    for_others: tuple[tuple[str, str], ...] = ()  # (user id, "cover" | "deactivated") it also carries
    permalink: str | None = None


def record_reminder(view: RecordReminderView, content: Content) -> tuple[str, list[dict[str, Any]]]:
    carried = {who for who, _ in view.for_others}
    body = content.render(
        "record_reminder.j2",
        audience=view.audience,
        recipient=view.recipient_id,
        reference=view.reference,
        channel_id=view.channel_id,
        due_at=view.due_at,
        # The people a co-worker could check in with: not themselves, nor those whose reminder they carry.
        recorders=[r for r in view.recorder_ids if r != view.recipient_id and r not in carried],
        coworkers=view.member_ids,
        for_others=view.for_others,
        permalink=view.permalink,
    )
    fallback = f"The summary for case {slack_escape(view.reference)} is waiting to be recorded"
    write = button("Write the summary", ActionId.SUMMARY_OPEN, str(view.discussion_id), style="primary")
    return fallback, [*sections(body), actions(write, block_id=f"record_reminder:{view.discussion_id}")]
