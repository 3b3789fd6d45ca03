"""The joint supervision check-in's agenda as pure text. No I/O, no clock: `now` and the reader's
zone are passed.

Built from facts bot/reminders/flows_agenda.py loads from the store (`AgendaFacts`): the manager's
supervision reminder and the *Record supervision* form show the same agenda, dates in the reader's
own zone ("Wed 23 Dec" for 10:00 on the 23rd in Auckland, never the UTC day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from bot.kernel.rules_text import slack_escape

# The protocol's review questions (PRACTICE.md, "Review in formal supervision").
REVIEW_QUESTIONS = (
    "Is the co-working progressing the child's plan?",
    "Is information being shared between the workers and with others who need it?",
    "Are tasks being completed?",
    "Are there delays, disagreements or uncertainty about roles, and how is each being resolved?",
    "How is the developing worker progressing?",
)
SUB = "    ◦ "  # an item under the line before it (a list's own line starts with no bullet)
STATE_WORDS = {"open": "open", "done": "done", "cannot": "can't be done"}


@dataclass(frozen=True)
class ActionFact:
    text: str
    owner_id: str | None
    due: date | None
    status: str  # open | done | cannot


@dataclass(frozen=True)
class Told:
    """What a worker recorded telling the child or family (a `Told:` item)."""

    worker_id: str
    text: str
    at: datetime


@dataclass(frozen=True)
class AgendaFacts:
    since: datetime | None  # the last check-in held, or None
    discussions_held: int
    discussions_missed: int
    discussions_open: int
    overdue_items: tuple[tuple[str, datetime], ...]  # (what, when it was due)
    actions: tuple[ActionFact, ...]  # agreed since the last check-in
    differences: tuple[tuple[str, bool], ...]  # (the difference of view, resolved?)
    learning_entries: int
    notes_on_time: int
    notes_late: int
    notes_missing: int
    review_date: date | None
    told: tuple[Told, ...] = ()
    learning_goals: str | None = None


def day(at: datetime | date, tz: tzinfo) -> str:
    """ "Wed 23 Dec" in the reader's zone."""
    moment = at.astimezone(tz) if isinstance(at, datetime) else at
    return f"{moment:%a} {moment.day} {moment:%b}"


def action_line(action: ActionFact, today: date, tz: tzinfo) -> str:
    who = f"<@{action.owner_id}>" if action.owner_id else "no owner"
    due = f"due {day(action.due, tz)}" if action.due else "no date"
    late = action.status == "open" and action.due is not None and action.due < today
    state = "overdue" if late else STATE_WORDS.get(action.status, action.status)
    return f"{slack_escape(action.text)} ({who}, {due}): {state}"


def told_side_by_side(told: Sequence[Told], tz: tzinfo) -> list[str]:
    """Each worker's `Told:` items under their name, one line per worker: inconsistent messages to the
    family are the first sign of parallel working."""
    by_worker: dict[str, list[Told]] = {}
    for item in sorted(told, key=lambda t: t.at):
        by_worker.setdefault(item.worker_id, []).append(item)
    return [
        f"<@{worker}> told: " + "; ".join(f"{day(t.at, tz)}: {slack_escape(t.text)}" for t in items)
        for worker, items in by_worker.items()
    ]


def agenda_lines(facts: AgendaFacts, *, now: datetime, tz: tzinfo, questions: bool = True) -> tuple[str, ...]:
    """The agenda, in order: discussions against the cadence, notes, actions, overdue items,
    differences of view, learning, what each worker told the family, the review date, the questions."""
    today = now.astimezone(tz).date()
    since = f"since the last check-in ({day(facts.since, tz)})" if facts.since else "since the case opened"
    open_ = f", {facts.discussions_open} still open" if facts.discussions_open else ""
    lines = [
        f"Reflective discussions {since}: {facts.discussions_held} held, "
        f"{facts.discussions_missed} missed{open_}.",
        f"Notes: {facts.notes_on_time} recorded on time, {facts.notes_late} late, "
        f"{facts.notes_missing} not recorded.",
    ]
    if facts.actions:
        lines.append("Actions agreed " + since + ":")
        lines += [f"{SUB}{action_line(a, today, tz)}" for a in facts.actions]
    else:
        lines.append(f"No actions agreed {since}.")
    if facts.overdue_items:
        lines.append(
            "Not held yet: "
            + ", ".join(f"{what} planned for {day(at, tz)}" for what, at in facts.overdue_items)
            + "."
        )
    if facts.differences:
        lines.append("Differences of view:")
        lines += [
            f"{SUB}{slack_escape(text)} ({'resolved' if done else 'not resolved yet'})"
            for text, done in facts.differences
        ]
    lines.append(f"Learning entries for the developing worker {since}: {facts.learning_entries}.")
    if facts.learning_goals:
        lines.append(f"Learning goals agreed: {slack_escape(facts.learning_goals)}")
    if facts.told:
        lines.append("What each worker told the family, side by side:")
        lines += [f"{SUB}{line}" for line in told_side_by_side(facts.told, tz)]
    if facts.review_date:
        lines.append(
            f"The agreement is due for review on {day(facts.review_date, tz)} {facts.review_date.year}."
        )
    if questions:  # the reminder's template asks them in the organisation's words
        lines.append("Questions for the check-in:")
        lines += [f"• {q}" for q in REVIEW_QUESTIONS]
    return tuple(lines)
