"""The case card's record lines as pure Block Kit: who records the next discussion, each summary still to
record (with *Write the summary*), and open actions past their due date, by owner and date only (the action
text is in the note's confirmation in the thread).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.follow_ups.blocks import due_day
from bot.ids import ActionId
from bot.kernel.blocks import button, context, section
from bot.kernel.rules_text import mention, slack_date

CARD_SUMMARIES = 3  # pending summaries shown on the card, each with its button
CARD_ACTIONS = 10  # overdue actions listed on the card


@dataclass(frozen=True)
class SummaryDue:
    """A wrapped-up discussion whose summary is not recorded yet."""

    discussion_id: int
    recorder_ids: tuple[str, ...]  # who the agreement expects to record it
    due_at: datetime | None  # its deadline (None before one was set)
    late: bool


@dataclass(frozen=True)
class OverdueAction:
    owner_id: str | None
    due: date
    due_noon: datetime  # midday of the due date in the owner's zone


@dataclass(frozen=True)
class CardNotes:
    """The card's lines about records and actions."""

    next_recorders: tuple[str, ...] = ()  # who the agreement expects to record the next discussion
    summaries: tuple[SummaryDue, ...] = ()
    overdue_actions: tuple[OverdueAction, ...] = ()


def _people(user_ids: tuple[str, ...]) -> str:
    return " or ".join(mention(u) for u in user_ids) if user_ids else "a co-worker"


def _summary_line(summary: SummaryDue) -> str:
    who = _people(summary.recorder_ids)
    if summary.due_at is None:
        return f":memo: *Summary to record:* {who}"
    if summary.late:
        return (
            f":memo: *Summary to record:* {who}, was due by {slack_date(summary.due_at)}. "
            "It stays on this card until it's recorded."
        )
    return f":memo: *Summary to record:* {who}, due by {slack_date(summary.due_at)}"


def card_lines(notes: CardNotes) -> list[dict[str, Any]]:
    """Blocks for the card: who records next, each summary waiting (with *Write the summary*), overdue
    actions by owner and date. At most CARD_SUMMARIES + 3 blocks, each well under 3000 characters."""
    blocks: list[dict[str, Any]] = []
    if notes.next_recorders:
        blocks.append(context(f"Next discussion to be recorded by {_people(notes.next_recorders)}."))
    for summary in notes.summaries[:CARD_SUMMARIES]:
        write = button("Write the summary", ActionId.SUMMARY_OPEN, str(summary.discussion_id))
        blocks.append(section(_summary_line(summary), accessory=write))
    if len(notes.summaries) > CARD_SUMMARIES:
        blocks.append(context(f"+ {len(notes.summaries) - CARD_SUMMARIES} more summaries to record."))
    if notes.overdue_actions:
        lines = [
            f"• {mention(a.owner_id) if a.owner_id else 'no owner'}, due {due_day(a.due, a.due_noon)}"
            for a in notes.overdue_actions[:CARD_ACTIONS]
        ]
        if len(notes.overdue_actions) > CARD_ACTIONS:
            lines.append(f"+ {len(notes.overdue_actions) - CARD_ACTIONS} more")
        blocks.append(section(":pushpin: *Actions past their due date:*\n" + "\n".join(lines)))
    return blocks
