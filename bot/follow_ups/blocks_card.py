"""The case card's record lines as pure Block Kit: who records the next discussion, each summary still to
record (with *Write the summary*), and every open action by owner and date only, those past their due date
first (the action text is in the note's confirmation in the thread).
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
CARD_OPEN_ACTIONS = 10  # open actions not yet past their date listed on the card


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
class OpenAction:
    """An open action not past its due date (or with none) in its owner's calendar."""

    owner_id: str | None
    due: date | None
    due_noon: datetime | None  # midday of the due date in the owner's zone


@dataclass(frozen=True)
class CardNotes:
    """The card's lines about records and actions."""

    next_recorders: tuple[str, ...] = ()  # who the agreement expects to record the next discussion
    summaries: tuple[SummaryDue, ...] = ()
    overdue_actions: tuple[OverdueAction, ...] = ()
    open_actions: tuple[OpenAction, ...] = ()  # the other open actions, earliest due first


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


def _owner(owner_id: str | None) -> str:
    return mention(owner_id) if owner_id else "no owner"


def _open_line(action: OpenAction) -> str:
    if action.due is None or action.due_noon is None:
        return f"• {_owner(action.owner_id)}, no due date"
    return f"• {_owner(action.owner_id)}, due {due_day(action.due, action.due_noon)}"


def card_lines(notes: CardNotes) -> list[dict[str, Any]]:
    """Blocks for the card: who records next, each summary waiting (with *Write the summary*; past
    CARD_SUMMARIES a line points to `/case record`), the open actions by owner and date, those past their
    due date first. At most CARD_SUMMARIES + 4 blocks, each well under 3000 characters; what is not listed
    is counted on a "+ N more" line that says where the rest are."""
    blocks: list[dict[str, Any]] = []
    if notes.next_recorders:
        blocks.append(context(f"Next discussion to be recorded by {_people(notes.next_recorders)}."))
    for summary in notes.summaries[:CARD_SUMMARIES]:
        write = button("Write the summary", ActionId.SUMMARY_OPEN, str(summary.discussion_id))
        blocks.append(section(_summary_line(summary), accessory=write))
    if len(notes.summaries) > CARD_SUMMARIES:
        more = len(notes.summaries) - CARD_SUMMARIES
        what = "summary" if more == 1 else "summaries"
        blocks.append(context(f"+ {more} more {what} to record: `/case record` in this channel."))
    if notes.overdue_actions:
        lines = [
            f"• {_owner(a.owner_id)}, due {due_day(a.due, a.due_noon)}"
            for a in notes.overdue_actions[:CARD_ACTIONS]
        ]
        if len(notes.overdue_actions) > CARD_ACTIONS:
            lines.append(f"+ {len(notes.overdue_actions) - CARD_ACTIONS} more: `/case overdue` lists them")
        blocks.append(section(":pushpin: *Actions past their due date:*\n" + "\n".join(lines)))
    if notes.open_actions:
        lines = [_open_line(a) for a in notes.open_actions[:CARD_OPEN_ACTIONS]]
        if len(notes.open_actions) > CARD_OPEN_ACTIONS:
            more = len(notes.open_actions) - CARD_OPEN_ACTIONS
            lines.append(f"+ {more} more: `/case notes` has every action")
        blocks.append(section(":ballot_box_with_check: *Open actions, not yet due:*\n" + "\n".join(lines)))
    return blocks
