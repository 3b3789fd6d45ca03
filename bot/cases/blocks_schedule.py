"""The card's schedule lines as pure text: the next discussion and supervision, and how due each is.

The card is read by the whole channel, so it states facts without blame or alarm: "Due now" from the
due time, "Under way" once the discussion has started, "Not held yet — pick a new time?" once the first
follow-up reminder has gone (see `bot.reminders.rules.showing`), and, for an occurrence the next one has
taken over, "Not held" with its date. No warning sign: nothing here is anyone's fault yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.kernel.rules_text import slack_date

DUE_NOW = "due_now"
UNDER_WAY = "under_way"
NOT_HELD = "not_held"
MISSED = "missed"  # its time passed unheld and the next occurrence took over

STATE_TEXT = {
    DUE_NOW: "Due now",
    UNDER_WAY: "Under way in this thread",
    NOT_HELD: "Not held yet — pick a new time?",
}
OVERDUE_SHOWN = 10  # items named on a line; the rest are counted
MISSED_SHOWN = 3  # missed occurrences named on the card; the rest are counted

OVERDUE_LABEL = {
    "discussion": "reflective discussion",
    "supervision": "joint supervision check-in",
    "review": "agreement review",
}
NEXT_LABEL = {
    "discussion": "Next discussion",
    "supervision": "Next supervision",
    "review": "Agreement review",
}


@dataclass(frozen=True)
class DueItem:
    """An occurrence the card says something about besides its date."""

    kind: str  # discussion | supervision | review
    due_at: datetime
    state: str  # DUE_NOW | UNDER_WAY | NOT_HELD, or MISSED for one the next occurrence took over


@dataclass(frozen=True)
class ScheduleView:
    next_discussion: datetime | None
    next_supervision: datetime | None
    # (kind, planned at) of items not held yet past their first follow-up: /case list counts them
    overdue: tuple[tuple[str, datetime], ...] = ()
    due: tuple[DueItem, ...] = ()  # open items due now, under way or not held yet, earliest first
    missed: tuple[DueItem, ...] = ()  # not held, superseded, since the last one of its kind that was held


def schedule_lines(schedule: ScheduleView) -> str:
    """The card's schedule section: each next occurrence with how due it is, then what was missed."""
    state = {(d.kind, d.due_at): d.state for d in schedule.due}
    lines = []
    for kind, at in (("discussion", schedule.next_discussion), ("supervision", schedule.next_supervision)):
        lines.append(f"*{NEXT_LABEL[kind]}:* " + (_when(at, state.get((kind, at))) if at else "not planned"))
    shown = {("discussion", schedule.next_discussion), ("supervision", schedule.next_supervision)}
    others = [d for d in schedule.due if (d.kind, d.due_at) not in shown][:OVERDUE_SHOWN]
    lines += [f"*{NEXT_LABEL[d.kind]}:* {_when(d.due_at, d.state)}" for d in others]
    if schedule.missed:  # the latest few by name, the earlier ones counted
        more = len(schedule.missed) - MISSED_SHOWN
        named = "; ".join(
            f"{OVERDUE_LABEL[d.kind]} planned for {slack_date(d.due_at)}"
            for d in schedule.missed[-MISSED_SHOWN:]
        )
        earlier = f"{more} earlier and " if more > 0 else ""
        lines.append(f"*Not held:* {earlier}{named}. The next one took its place.")
    return "\n".join(lines)


def _when(at: datetime, state: str | None) -> str:
    return slack_date(at) + (f" · {STATE_TEXT[state]}" if state in STATE_TEXT else "")
