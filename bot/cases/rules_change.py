"""Changing the agreement: who leaves and joins, what must be answered, and the decision note's text.

Pure: the flows pass the current terms and membership in, and get field errors (keyed by block id) and
the note's sections out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.cases import rules_agreements as terms
from bot.cases.rules_agreements import AgreementForm

REASON_BLOCK = "agreement_change_reason"
REASSIGN_BLOCK = "agreement_change_reassign"
REASON_MAX = 3000
FIRST_REASON = "Initial agreement"  # the first version's reason

STALE = (
    "The agreement has changed since you opened this form (it is now version {version}). Close this form "
    "and press *Change* again: it opens on the latest version."
)
NO_REASON = "Say why the agreement is changing: it is kept with the new version."
NO_CHANGE = "Nothing in the agreement differs from the current version. Change something, or cancel."

LABELS = {
    "coworkers": "Co-workers",
    "lead": "Lead worker",
    "developing": "Developing workers",
    "reasons": "Why the case is co-worked",
    "responsibilities": "Responsibilities",
    "discussion_frequency": "Reflective discussions",
    "discussion_custom": "Custom cadence",
    "discussion_weekday": "Preferred day",
    "discussion_time": "Preferred time",
    "recorder": "Who records the discussions",
    "supervision_frequency": "Joint supervision",
    "learning_goals": "Learning goals",
    "information_sharing": "Information sharing",
    "review_date": "Review date",
}


@dataclass(frozen=True)
class Membership:
    """Who is on the case, before or after the change."""

    coworkers: tuple[str, ...]
    lead: str | None
    developing: tuple[str, ...]


@dataclass(frozen=True)
class Moves:
    leaving: tuple[str, ...]
    joining: tuple[str, ...]


def moves(before: Membership, after: Membership) -> Moves:
    """Who leaves the case and who joins it, in the order they were named."""
    return Moves(
        leaving=tuple(u for u in before.coworkers if u not in after.coworkers),
        joining=tuple(u for u in after.coworkers if u not in before.coworkers),
    )


def changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    """The labels of what differs between two versions' terms and membership (keys of LABELS)."""

    def same(key: str) -> bool:
        old, new = before.get(key), after.get(key)
        if key in ("coworkers", "developing", "reasons"):
            return sorted(old or ()) == sorted(new or ())
        if key == "responsibilities":
            return dict(old or {}) == dict(new or {})
        return bool(old == new)

    return tuple(key for key in LABELS if not same(key))


def change_problems(
    *,
    reason: str,
    reassign_to: str | None,
    leaving_with_items: Mapping[str, int],
    coworkers: Sequence[str],
    manager_id: str,
    what_changed: Sequence[str],
) -> dict[str, str]:
    """Field errors for what only a change asks: the reason, and who takes over the leavers' items."""
    problems: dict[str, str] = {}
    if not reason.strip():
        problems[REASON_BLOCK] = NO_REASON
    elif not what_changed:
        problems[REASON_BLOCK] = NO_CHANGE
    owners = [u for u, count in leaving_with_items.items() if count]
    if reassign_to is not None and reassign_to not in (*coworkers, manager_id):
        problems[REASSIGN_BLOCK] = "Choose one of the co-workers who stay on the case, or yourself."
    elif owners and reassign_to is None:
        who = ", ".join(f"<@{u}> ({leaving_with_items[u]})" for u in owners)
        problems[REASSIGN_BLOCK] = f"Choose who takes over the open actions of {who}: they leave the case."
    return problems


def summary(*, version: int, what_changed: Sequence[str], moved: Moves, reassigned_to: str | None) -> str:
    """The thread's line about a change (a short list of what changed, never the terms themselves)."""
    parts = [f"The co-working agreement is now version {version}."]
    if what_changed:
        parts.append("Changed: " + ", ".join(LABELS[k] for k in what_changed) + ".")
    if moved.leaving:
        parts.append("Leaving the case: " + ", ".join(f"<@{u}>" for u in moved.leaving) + ".")
    if moved.joining:
        parts.append("Joining the case: " + ", ".join(f"<@{u}>" for u in moved.joining) + ".")
    if reassigned_to:
        parts.append(f"Their open actions now sit with <@{reassigned_to}>.")
    parts.append("Co-workers, please read the new version below and confirm it.")
    return " ".join(parts)


def note_sections(
    form: AgreementForm,
    *,
    version: int,
    reason: str,
    what_changed: Sequence[str] = (),
    moved: Moves | None = None,
    reassigned_to: str | None = None,
) -> tuple[tuple[str, str, str], ...]:
    """The management decision note for an agreement version: why, what changed, and the terms."""
    out: list[tuple[str, str, str]] = [("reason", "Reason", reason)]
    if what_changed:
        out.append(("changed", "What changed", ", ".join(LABELS[k] for k in what_changed)))
    if moved and (moved.leaving or moved.joining):
        # Counts, not Slack ids: exports name people only where the note store knows their names.
        lines = [f"Leaving the case: {len(moved.leaving)}", f"Joining the case: {len(moved.joining)}"]
        if reassigned_to:
            lines.append("Their open actions were given to someone who stays on the case")
        out.append(("membership", "Co-workers joining and leaving", "\n".join(lines)))
    out.append(("terms", f"Agreement, version {version}", "\n".join(term_lines(form))))
    return tuple(out)


def parties(manager_id: str, form: AgreementForm) -> tuple[str, ...]:
    """Who the agreement's decision note names, with their roles: the manager who made it and the
    co-workers it binds (the note store keeps their names, so exports name them; never by Slack id)."""
    return tuple(dict.fromkeys((manager_id, *form.coworkers)))


def term_lines(form: AgreementForm) -> list[str]:
    """The agreement's terms as plain lines for the decision note. People are counted, not named by
    Slack id: the exports name only the people the note store knows (who took part, action owners)."""
    matrix = ", ".join(
        f"{label}: {terms.WHO.get(form.responsibilities.get(key, ''), '-')}"
        for key, label in terms.RESPONSIBILITIES.items()
    )
    cadence = terms.DISCUSSION_FREQUENCIES.get(form.discussion_frequency, form.discussion_frequency)
    if form.discussion_frequency == "custom" and form.discussion_custom:
        cadence = f"{cadence} ({form.discussion_custom})"
    lines = [
        f"Co-workers: {len(form.coworkers)}, named with their roles among the participants",
        f"Developing workers: {len(form.developing)}",
        "Why co-worked: " + (", ".join(terms.REASONS.get(r, r) for r in form.reasons) or "-"),
        f"Responsibilities: {matrix}",
        f"Reflective discussions: {cadence}, {terms.next_weekday_label(form.discussion_weekday)}"
        + (f" at {form.discussion_time}" if form.discussion_time else ""),
        f"Recorded by: {terms.recorder_label(form.recorder)}",
        "Joint supervision: "
        + terms.SUPERVISION_FREQUENCIES.get(form.supervision_frequency, form.supervision_frequency),
        f"Review on: {form.review_date:%d %B %Y}" if form.review_date else "Review on: -",
    ]
    if form.learning_goals:
        lines.append(f"Learning goals: {form.learning_goals}")
    if form.information_sharing:
        lines.append(f"Information sharing: {form.information_sharing}")
    return lines


def as_terms(form: AgreementForm) -> dict[str, Any]:
    """A form as the mapping `changed` compares."""
    return {
        "coworkers": form.coworkers,
        "lead": form.lead,
        "developing": form.developing,
        **{name: getattr(form, name) for name in terms.TERMS},
    }
