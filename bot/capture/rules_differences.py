"""Differences of view: resolved (how) or escalated (to whom), and which are still open. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

RESOLVED = "resolved"
ESCALATED = "escalated"
OUTCOMES = {RESOLVED: "Resolved", ESCALATED: "Escalated"}
MAX_HOW = 1000

NEED_OUTCOME = "Choose resolved or escalated."
NEED_HOW = "Say how the difference was resolved."
NEED_WHOM = "Choose who it was escalated to."
TOO_LONG = f"Keep this under {MAX_HOW} characters."


@dataclass(frozen=True)
class DifferenceForm:
    outcome: str | None
    how: str
    to: str | None  # Slack user id, for escalated


@dataclass(frozen=True)
class Marked:
    """One resolution row as the rules see it."""

    item_id: int
    outcome: str
    at: datetime


def problems(form: DifferenceForm) -> dict[str, str]:
    """Errors by field ("outcome", "how", "to"); empty when the form can be saved."""
    found: dict[str, str] = {}
    if form.outcome not in OUTCOMES:
        found["outcome"] = NEED_OUTCOME
    elif form.outcome == RESOLVED and not form.how.strip():
        found["how"] = NEED_HOW
    elif form.outcome == ESCALATED and not form.to:
        found["to"] = NEED_WHOM
    if len(form.how) > MAX_HOW:
        found["how"] = TOO_LONG
    return found


def latest(marks: Iterable[Marked]) -> dict[int, Marked]:
    """Each item's current state: its newest mark (append-only rows; a later one supersedes)."""
    found: dict[int, Marked] = {}
    for mark in sorted(marks, key=lambda m: m.at):
        found[mark.item_id] = mark
    return found


def open_ids(item_ids: Iterable[int], marks: Iterable[Marked]) -> list[int]:
    """The differences neither resolved nor escalated, in the order given."""
    done = latest(marks)
    return [i for i in item_ids if i not in done]


def thread_line(reference: str, by: str, outcome: str, to: str | None) -> str:
    """Said in the case thread (no words of the difference: they may be sensitive)."""
    if outcome == ESCALATED and to:
        return f"<@{by}> escalated a difference of view on case {reference} to <@{to}>."
    return f"<@{by}> marked a difference of view on case {reference} resolved."
