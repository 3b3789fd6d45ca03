"""The review's measured facts, each a pure function of plain data from the store. No I/O, no clock.

Every fact counts from `since` (the agreement's start or the last review) up to `now`. A responsibility
in the matrix is credited only with records explicitly tagged with it (`#visits`, `#court`...): where
there is none it says "nothing recorded", never "not done", because absence of a tag is not absence of
the work.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.kernel.rules_text import slack_escape

OUTCOMES = {"continue": "Continue", "change": "Change", "end": "End"}
QUESTIONS = (
    ("plan", "Is the co-working progressing the child's plan?"),
    ("sharing", "Is information being shared?"),
    ("tasks", "Are tasks being completed?"),
    ("issues", "Delays, disagreements or uncertainty about roles, and how each is being resolved"),
    ("progress", "How is the developing worker progressing?"),
)
# Kept on the review's record and note, never in the thread's summary.
PRIVATE_QUESTIONS = frozenset({"progress"})
NOTHING_RECORDED = "nothing recorded"
_TAG = re.compile(r"#([a-z_]+)")


@dataclass(frozen=True)
class ItemFact:
    kind: str  # discussion | supervision | review
    status: str  # scheduled | started | held | missed | cancelled
    due_at: datetime


@dataclass(frozen=True)
class DiscussionFact:
    started_at: datetime
    record_due_at: datetime | None
    recorded_at: datetime | None


@dataclass(frozen=True)
class ActionFact:
    status: str  # open | done | cannot
    due: date | None
    created_at: datetime


@dataclass(frozen=True)
class Tagged:
    """A record that names a responsibility: who recorded or owns it, and what it is."""

    text: str
    who: str
    at: datetime


def discussions(items: Sequence[ItemFact], *, since: datetime, now: datetime) -> tuple[int, int]:
    """(held, planned): reflective discussions due in [since, now], and how many of them were held."""
    due = [
        i for i in items if i.kind == "discussion" and since <= i.due_at <= now and i.status != "cancelled"
    ]
    return sum(i.status == "held" for i in due), len(due)


def notes(found: Sequence[DiscussionFact], *, since: datetime, now: datetime) -> tuple[int, int, int]:
    """(on time, late, missing): discussions since `since`; missing once their deadline has passed."""
    on_time = late = missing = 0
    for d in found:
        if d.started_at < since:
            continue
        if d.recorded_at is not None:
            if d.record_due_at is None or d.recorded_at <= d.record_due_at:
                on_time += 1
            else:
                late += 1
        elif d.record_due_at is not None and d.record_due_at < now:
            missing += 1
    return on_time, late, missing


def actions(found: Sequence[ActionFact], *, since: datetime, today: date) -> tuple[int, int, int]:
    """(completed, open, overdue) among actions agreed since `since`; overdue ones are open too."""
    recent = [a for a in found if a.created_at >= since]
    completed = sum(a.status == "done" for a in recent)
    open_ = [a for a in recent if a.status == "open"]
    overdue = sum(a.due is not None and a.due < today for a in open_)
    return completed, len(open_), overdue


def days_since(last: datetime | None, now: datetime) -> int | None:
    """Whole days since the last supervision check-in, or None if there has been none."""
    return None if last is None else max(0, (now - last).days)


def tags_in(text: str, matrix: Mapping[str, str]) -> tuple[str, ...]:
    """The responsibilities a text is explicitly tagged with (`#visits`), in the matrix's terms."""
    return tuple(dict.fromkeys(t for t in _TAG.findall(text.lower()) if t in matrix))


def responsibilities(
    matrix: Mapping[str, str], labels: Mapping[str, str], records: Sequence[Tagged], *, since: datetime
) -> tuple[tuple[str, str], ...]:
    """For each responsibility in the matrix: (its label, what was recorded against it and by whom), or
    "nothing recorded"."""
    rows = []
    for key in matrix:
        found = [r for r in records if r.at >= since and key in tags_in(r.text, matrix)]
        if not found:
            rows.append((labels.get(key, key), NOTHING_RECORDED))
            continue
        by: dict[str, int] = {}
        for r in found:
            by[r.who] = by.get(r.who, 0) + 1
        who = ", ".join(f"<@{w}> {n}" for w, n in by.items())
        rows.append((labels.get(key, key), f"{len(found)} recorded ({who})"))
    return tuple(rows)


@dataclass(frozen=True)
class Facts:
    since: datetime
    discussions_held: int
    discussions_planned: int
    notes_on_time: int
    notes_late: int
    notes_missing: int
    actions_completed: int
    actions_open: int
    actions_overdue: int
    differences_open: int
    responsibilities: tuple[tuple[str, str], ...]
    learning_entries: int
    days_since_supervision: int | None


def fact_lines(facts: Facts) -> tuple[str, ...]:
    """The facts as the modal, the note and the record show them: responsibilities with something
    recorded one a line, those with nothing recorded named together."""
    supervision = (
        "No supervision check-in recorded yet."
        if facts.days_since_supervision is None
        else f"Days since the last supervision check-in: {facts.days_since_supervision}."
    )
    recorded = [f"• {label}: {what}" for label, what in facts.responsibilities if what != NOTHING_RECORDED]
    nothing = [label for label, what in facts.responsibilities if what == NOTHING_RECORDED]
    lines = [
        f"Discussions: {facts.discussions_held} held of {facts.discussions_planned} planned. "
        f"Notes: {facts.notes_on_time} on time, {facts.notes_late} late, {facts.notes_missing} missing.",
        f"Actions: {facts.actions_completed} completed, {facts.actions_open} open "
        f"({facts.actions_overdue} overdue). Differences of view open: {facts.differences_open}.",
        f"Learning entries for the developing worker: {facts.learning_entries}. {supervision}",
        "Responsibilities (only records tagged with one, e.g. #visits, count):",
        *recorded,
    ]
    if nothing:
        lines.append(f"• {NOTHING_RECORDED[0].upper()}{NOTHING_RECORDED[1:]} for: {', '.join(nothing)}.")
    return tuple(lines)


@dataclass(frozen=True)
class ReviewForm:
    answers: Mapping[str, str]
    outcome: str | None
    next_review: date | None


def problems(form: ReviewForm, *, today: date) -> dict[str, str]:
    """Field by field ("outcome", "next", or a question's key)."""
    found: dict[str, str] = {}
    for key, _question in QUESTIONS:
        if not form.answers.get(key, "").strip():
            found[key] = 'Answer this question ("nothing to add" is an answer).'
    if form.outcome not in OUTCOMES:
        found["outcome"] = "Choose continue, change or end."
    if form.outcome != "end":
        if form.next_review is None:
            found["next"] = "Choose when the arrangement is next reviewed."
        elif form.next_review <= today:
            found["next"] = "The next review must be after today."
    return found


def thread_summary(reference: str, manager_id: str, outcome: str, note_number: int, nxt: date | None) -> str:
    """The thread's short summary: the outcome and where the record is; never the developing worker's
    progress (that stays on the review's record)."""
    then = f" Next review {nxt:%a} {nxt.day} {nxt:%b %Y}." if nxt else ""
    return (
        f":clipboard: <@{manager_id}> reviewed the co-working arrangement for case "
        f"{slack_escape(reference)}: *{OUTCOMES[outcome].lower()}*. The review is note {note_number}.{then}"
    )
