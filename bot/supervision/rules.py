"""The joint supervision check-in's form, as pure data. No I/O, no clock: `now` is passed.

The agenda itself is bot/reminders/rules_agenda.py (the reminder shows it too). The *Record
supervision* form's answers are read into `SupervisionForm` and checked field by field
(`problems`), so nothing the manager typed is lost to one bad field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from bot.kernel.rules_text import slack_escape
from bot.reminders.rules_agenda import day

ACTION_ROWS = 3
MAX_TEXT = 3000


# ------------------------------------------------------------------ the form
@dataclass(frozen=True)
class ActionRow:
    number: int
    text: str
    owner_id: str | None
    due: date | None
    done_looks_like: str


@dataclass(frozen=True)
class SupervisionForm:
    attendees: tuple[str, ...]
    decisions: str
    actions: tuple[ActionRow, ...]
    learning: str
    wellbeing: Mapping[str, str] = field(default_factory=dict)  # worker's Slack id -> what was said
    next_day: date | None = None


def problems(form: SupervisionForm, *, today: date, members: Sequence[str]) -> dict[str, str]:
    """Field by field: the key is the form's field ("attendees", "decisions", "next", "action_N_part")."""
    found: dict[str, str] = {}
    if not form.attendees:
        found["attendees"] = "Say who attended the check-in."
    elif not any(a in members for a in form.attendees):
        found["attendees"] = "At least one of the case's co-workers attends a joint supervision check-in."
    if not form.decisions.strip():
        found["decisions"] = "Record what was decided (a decision not to act is a decision too)."
    for row in form.actions:
        if not row.text and (row.owner_id or row.due or row.done_looks_like):
            found[f"action_{row.number}_text"] = "Say what the action is, or clear this row."
        elif row.text and not row.owner_id:
            found[f"action_{row.number}_owner"] = "Choose who owns this action."
        elif row.text and row.due is None:
            found[f"action_{row.number}_due"] = "Choose the date it is due by."
        elif row.text and row.due is not None and row.due < today:
            found[f"action_{row.number}_due"] = "The due date has passed: choose today or later."
    if form.next_day is None:
        found["next"] = "Choose the date of the next check-in."
    elif form.next_day <= today:
        found["next"] = "The next check-in must be after today."
    return found


START_USAGE = "Use `/case supervision start @worker YYYY-MM-DD` for a newly qualified worker's start date."


def start_date(words: Sequence[str], *, members: set[str]) -> tuple[str, date] | str:
    """`@worker YYYY-MM-DD` read: (the worker's Slack id, their start date), or what is wrong in one line."""
    ids = [w[2:].split("|")[0].rstrip(">") for w in words if w.startswith("<@")]
    days = [w for w in words if not w.startswith("<@")]
    if len(ids) != 1 or len(days) != 1:
        return START_USAGE
    try:
        started_on = date.fromisoformat(days[0])
    except ValueError:
        return f"I can't read {slack_escape(days[0][:20])} as a date. {START_USAGE}"
    if ids[0] not in members:
        return "That person is not one of the case's co-workers."
    return ids[0], started_on


def may_read_wellbeing(reader_id: str, *, worker_id: str, manager_id: str) -> bool:
    """A worker's wellbeing check: that worker and the case's manager alone (never the other co-worker,
    not even an admin)."""
    return reader_id in (worker_id, manager_id)


def confirmation(
    reference: str, manager_id: str, note_number: int, actions: int, next_at: datetime, tz: tzinfo
) -> str:
    """The thread's short confirmation: no wellbeing, no assessment of the developing worker."""
    counted = f"{actions} action{'s' if actions != 1 else ''}"
    return (
        f":handshake: <@{manager_id}> recorded the joint supervision check-in for case "
        f"{slack_escape(reference)}: decisions in note {note_number}, {counted} to follow up. "
        f"Next check-in {day(next_at, tz)}."
    )
