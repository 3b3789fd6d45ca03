"""The weekly digest's words (PURE): the DM's text that goes with the chart."""

from __future__ import annotations

from dataclasses import dataclass

from bot.digest.rules import Week, percent
from bot.drift.blocks import heading
from bot.drift.rules import CaseDrift

DIGEST_CASES = 10  # cases with signals listed by name; the rest are counted


@dataclass(frozen=True)
class ThisWeek:
    held: int
    notes: int
    actions_done: int


@dataclass(frozen=True)
class NextWeek:
    discussions: int
    supervisions: int
    reviews: int
    actions: int


def _n(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def drift_line(flagged: int) -> str:
    """The digest's drift heading: "1 case needs attention", "2 cases need attention", or none."""
    if not flagged:
        return "*Drift signals*: none."
    return f"*Drift signals*: {_n(flagged, 'case')} {'needs' if flagged == 1 else 'need'} attention."


def digest_text(
    *, cases: int, week_to: str, this: ThisWeek, nxt: NextWeek, drifts: list[CaseDrift], latest: Week | None
) -> str:
    lines = [
        f"*Your weekly casebot digest* for the week to {week_to}: {_n(cases, 'open case')}.",
        "",
        "*This week*: "
        f"{_n(this.held, 'discussion')} held, {_n(this.notes, 'note')} recorded, "
        f"{_n(this.actions_done, 'action')} completed.",
    ]
    if latest is not None:
        lines.append(
            f"Discussions held: {percent(latest.held, latest.planned)}; notes on time: "
            f"{percent(latest.on_time, latest.notes_due)}; "
            f"actions done: {percent(latest.done, latest.actions_due)}."
        )
    flagged = [d for d in drifts if d.signals]
    lines += [
        "",
        drift_line(len(flagged)),
    ]
    for drift in flagged[:DIGEST_CASES]:
        reasons = "; ".join(s.reason for s in drift.signals[:3])
        more = f" (+{len(drift.signals) - 3} more)" if len(drift.signals) > 3 else ""
        lines.append(f"• {heading(drift.facts)}: {reasons}{more}")
    if len(flagged) > DIGEST_CASES:
        lines.append(f"+ {len(flagged) - DIGEST_CASES} more cases: `/case overdue` lists everything.")
    lines += [
        "",
        "*Due next week*: "
        f"{_n(nxt.discussions, 'discussion')}, {_n(nxt.supervisions, 'supervision check-in')}, "
        f"{_n(nxt.reviews, 'review')}, {_n(nxt.actions, 'action')}.",
        "",
        "The chart shows the last 12 weeks. "
        "`/case digest off` stops these; `/case digest now` sends one now.",
    ]
    return "\n".join(lines)
