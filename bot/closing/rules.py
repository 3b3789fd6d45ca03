"""Closing a case: what the closing review must say, and each open action settled. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

COMPLETED = "completed"
HANDED_OVER = "handed_over"
DROPPED = "dropped"
ACTION_OUTCOMES = {COMPLETED: "Completed", HANDED_OVER: "Handed over", DROPPED: "Dropped"}
# What each outcome leaves the action as (storage's ActionStatus values).
STATUS = {COMPLETED: "done", HANDED_OVER: "handed_over", DROPPED: "dropped"}
MAX_ACTIONS = 20  # settled in the form (4 blocks each; a modal holds 100); more: settle some first
MAX_TEXT = 3000

QUESTIONS = (
    ("changed", "What changed for the child"),
    ("learned", "What was learned"),
    ("continues", "What continues, and who holds it"),
)
NEED_ANSWER = "Please answer this: it is part of the closing record."
NEED_OUTCOME = "Choose completed, handed over or dropped."
NEED_WHOM = "Choose who holds it now."
NEED_REASON = "Give the reason it is dropped."
TOO_LONG = f"Keep this under {MAX_TEXT} characters."


@dataclass(frozen=True)
class ActionChoice:
    outcome: str | None
    to: str | None = None  # Slack user id, for handed over
    reason: str = ""


@dataclass(frozen=True)
class CloseForm:
    answers: Mapping[str, str]
    holder: str | None  # who holds what continues (optional)
    actions: Mapping[int, ActionChoice] = field(default_factory=dict)


@dataclass(frozen=True)
class OpenAction:
    action_id: int
    note_number: int
    number: int
    text: str
    owner_id: str | None
    due: date | None


def problems(form: CloseForm, action_ids: Sequence[int]) -> dict[str, str]:
    """Errors by field: a question's key, or (action id, "outcome" | "to" | "reason") as "a<id>_<part>"."""
    found: dict[str, str] = {}
    for key, _ in QUESTIONS:
        text = form.answers.get(key, "")
        if not text.strip():
            found[key] = NEED_ANSWER
        elif len(text) > MAX_TEXT:
            found[key] = TOO_LONG
    for action_id in action_ids:
        choice = form.actions.get(action_id) or ActionChoice(None)
        if choice.outcome not in ACTION_OUTCOMES:
            found[f"a{action_id}_outcome"] = NEED_OUTCOME
        elif choice.outcome == HANDED_OVER and not choice.to:
            found[f"a{action_id}_to"] = NEED_WHOM
        elif choice.outcome == DROPPED and not choice.reason.strip():
            found[f"a{action_id}_reason"] = NEED_REASON
        if len(choice.reason) > MAX_TEXT:
            found[f"a{action_id}_reason"] = TOO_LONG
    return found


def stamp(action_versions: Sequence[tuple[int, int]], agreement_version: int) -> str:
    """What the form was built from: the open actions (id, row version) and the agreement's version.
    Anything changed meanwhile (an action done, added or edited; the agreement changed) makes it stale."""
    actions = ",".join(f"{i}.{v}" for i, v in sorted(action_versions))
    return f"{agreement_version}|{actions}"


def action_line(action: OpenAction, choice: ActionChoice) -> str:
    """How the closing note records one action's end (ids as mentions; the caller escapes the text)."""
    label = f"{action.note_number}.{action.number} {action.text}"
    if choice.outcome == COMPLETED:
        return f"• {label}: completed"
    if choice.outcome == HANDED_OVER:
        return f"• {label}: handed over to <@{choice.to}>" + (f" ({choice.reason})" if choice.reason else "")
    return f"• {label}: dropped, {choice.reason}"


def status_reason(choice: ActionChoice) -> str | None:
    if choice.outcome == HANDED_OVER:
        return f"Handed over to <@{choice.to}> at the case's close" + (
            f": {choice.reason}" if choice.reason else ""
        )
    if choice.outcome == DROPPED:
        return f"Dropped at the case's close: {choice.reason}"
    return None


def thread_summary(reference: str, by: str, note_number: int, cancelled: int) -> str:
    """Said in the thread once closed (no case text: the note holds it)."""
    planned = f" {cancelled} planned reminder{'' if cancelled == 1 else 's'} cancelled." if cancelled else ""
    return (
        f":lock: <@{by}> closed case {reference}. The closing review is note {note_number} "
        f"(`/case notes {reference} {note_number}`).{planned} Nothing more will be asked on this case; "
        "the reference is free to use again."
    )
