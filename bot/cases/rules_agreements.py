"""The co-working agreement: its vocabulary, the form as data, and the rules that make it valid."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from bot.cases.rules_references import reference_problem
from bot.ids import Block
from bot.kernel.rules_permissions import GUEST_LINE, UserFacts

REASONS = {
    "complexity": "The case is particularly complex",
    "capacity": "More capacity for inter-related issues",
    "skills": "Several skill sets help",
    "learning": "A worker stands to gain knowledge and skill",
    "new_worker": "Supporting a newly appointed worker",
    "transition": "Continuity across a transition between services",
    "multi_agency": "Coordinating planning across agencies",
    "expertise": "A wider pool of expertise for problem solving",
    "specialist": "Specialist skills are needed",
    "safety": "Working together provides safety",
}

RESPONSIBILITIES = {
    "visits": "Visits",
    "reports": "Reports",
    "assessments": "Assessments",
    "plans": "Plans",
    "recording": "Case recording",
    "chairing": "Chairing meetings",
    "presenting": "Presenting to meetings",
    "court": "Presenting to court",
    "direct_work": "Direct work with the child",
    "liaison": "Liaison with other agencies",
}

WHO = {"lead": "Lead", "co_worker": "Co-worker", "shared": "Shared"}

DEFAULT_MATRIX = {
    "visits": "shared",
    "reports": "lead",
    "assessments": "lead",
    "plans": "shared",
    "recording": "shared",
    "chairing": "lead",
    "presenting": "lead",
    "court": "lead",
    "direct_work": "shared",
    "liaison": "co_worker",
}

DISCUSSION_FREQUENCIES = {
    "weekly": "Weekly",
    "fortnightly": "Fortnightly",
    "monthly": "Monthly",
    "custom": "Custom",
}
SUPERVISION_FREQUENCIES = {"weekly": "Weekly", "fortnightly": "Fortnightly", "monthly": "Monthly"}
RECORDERS = {"lead": "Lead worker", "co_worker": "Co-worker", "rotating": "Take turns"}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

DEFAULT_REVIEW = relativedelta(months=3)
LATEST_REVIEW = relativedelta(years=2)
_EVERY = re.compile(r"^every\s+(\d{1,2})\s+(day|week|month)s?$", re.IGNORECASE)


# The terms an agreement version records; the form, the stored row and the view share these names.
TERMS = (
    "reasons",
    "responsibilities",
    "discussion_frequency",
    "discussion_custom",
    "discussion_weekday",
    "discussion_time",
    "recorder",
    "supervision_frequency",
    "learning_goals",
    "information_sharing",
    "review_date",
)


@dataclass(frozen=True)
class AgreementForm:
    reference: str
    coworkers: tuple[str, ...]
    lead: str | None
    developing: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    responsibilities: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_MATRIX))
    discussion_frequency: str = "fortnightly"
    discussion_custom: str | None = None
    discussion_weekday: int | None = None
    discussion_time: str | None = None
    recorder: str = "rotating"
    supervision_frequency: str = "monthly"
    learning_goals: str | None = None
    information_sharing: str | None = None
    review_date: date | None = None


def default_review_date(today: date) -> date:
    return today + DEFAULT_REVIEW


def custom_recurrence_problem(text: str | None) -> str | None:
    """A custom cadence is 'every N days/weeks/months' or an RFC 5545 RRULE."""
    if not text or not text.strip():
        return "Describe the custom cadence, for example 'every 3 weeks'."
    text = text.strip()
    if match := _EVERY.match(text):
        return None if 0 < int(match.group(1)) <= 26 else "Choose between 1 and 26."
    try:
        rrulestr(text.removeprefix("RRULE:"), dtstart=None)
    except (ValueError, TypeError):
        return "Write it as 'every 3 weeks' or as an RRULE such as FREQ=WEEKLY;INTERVAL=3."
    return None


def validate(
    form: AgreementForm,
    *,
    today: date,
    reference_pattern: str,
    users: Mapping[str, UserFacts],
    reference_in_use: bool,
) -> dict[str, str]:
    """Field-by-field problems keyed by block id; empty when the agreement can be saved."""
    errors: dict[str, str] = {}
    if problem := reference_problem(form.reference, reference_pattern):
        errors[Block.REFERENCE] = problem
    elif reference_in_use:
        errors[Block.REFERENCE] = "A case with this reference is already open in this workspace."
    if problem := _coworker_problem(form.coworkers, users):
        errors[Block.COWORKERS] = problem
    if not form.lead:
        errors[Block.LEAD] = "Choose the lead worker."
    elif form.lead not in form.coworkers:
        errors[Block.LEAD] = "The lead worker must be one of the co-workers."
    if stray := [u for u in form.developing if u not in form.coworkers]:
        errors[Block.DEVELOPING] = f"{len(stray)} of these is not among the co-workers. Pick co-workers only."
    if form.discussion_frequency == "custom" and (
        problem := custom_recurrence_problem(form.discussion_custom)
    ):
        errors[Block.DISCUSSION_CUSTOM] = problem
    if problem := _review_date_problem(form.review_date, today):
        errors[Block.REVIEW_DATE] = problem
    return errors


def _coworker_problem(coworkers: tuple[str, ...], users: Mapping[str, UserFacts]) -> str | None:
    if len(set(coworkers)) != len(coworkers):
        return "Each co-worker can be named only once."
    if len(coworkers) < 2:
        return "Choose at least two co-workers: co-working needs two or more practitioners."
    for user_id in coworkers:
        facts = users.get(user_id, UserFacts(exists=False))
        if not facts.exists:
            return f"I can't find <@{user_id}> in this workspace. Choose a current member."
        if facts.is_bot:
            return f"<@{user_id}> is an app, not a practitioner. Choose people only."
        if facts.deleted:
            return f"<@{user_id}> has been deactivated. Choose a current member."
        if facts.is_guest:
            return GUEST_LINE.format(who=f"<@{user_id}>")
    return None


def _review_date_problem(review: date | None, today: date) -> str | None:
    if review is None:
        return "Choose a review date (usually three months from now)."
    if review <= today:
        return "The review date must be after today."
    if review > today + LATEST_REVIEW:
        return "Choose a review date within two years; arrangements need regular review."
    return None


def recorder_label(recorder: str) -> str:
    return RECORDERS.get(recorder, recorder)


def next_weekday_label(weekday: int | None) -> str:
    return WEEKDAYS[weekday] if weekday is not None and 0 <= weekday < len(WEEKDAYS) else "any weekday"


def expected_recorders(recorder: str, *, lead_id: str, others: Sequence[str], turn: int) -> tuple[str, ...]:
    """Who the agreement expects to record discussion number `turn` (1 = the first): the lead, the
    co-worker(s), or taking turns (lead first, then each co-worker in order)."""
    if recorder == "lead" or not others:
        return (lead_id,)
    if recorder == "co_worker":
        return tuple(others)
    everyone = (lead_id, *others)
    return (everyone[(max(turn, 1) - 1) % len(everyone)],)


NUL_MESSAGE = (
    "This has an invisible NUL character in it, usually from pasting. Retype it (or paste it as plain "
    "text), then save."
)


def nul_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """Blocks of a submitted form's state whose typed text holds a NUL, each with the message to show."""
    problems: dict[str, str] = {}
    for block_id, elements in values.items():
        for element in elements.values() if isinstance(elements, Mapping) else ():
            text = element.get("value") if isinstance(element, Mapping) else None
            if isinstance(text, str) and "\x00" in text:
                problems[block_id] = NUL_MESSAGE
    return problems


def others_in_channel(
    members: Iterable[str], *, allowed: Collection[str], bot_user_id: str | None
) -> list[str]:
    """Channel members who are not on the case (nor its manager, nor an admin, nor casebot itself)."""
    return [m for m in dict.fromkeys(members) if m not in allowed and m != bot_user_id]
