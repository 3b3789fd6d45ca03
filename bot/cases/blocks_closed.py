"""The case card's closing lines (issue 16): the open differences of view, each with *Resolve or
escalate* (also shown in the review and supervision forms), a closed case's card, and the line on a
new case whose reference was used before. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.ids import ActionId
from bot.kernel.blocks import actions, button, context, fit, header, section
from bot.kernel.rules_text import mention, slack_escape

DIFFERENCES_SHOWN = 5  # open differences listed with a button; the rest are counted
DIFFERENCE_QUOTED = 200  # characters of a difference's words shown beside its button


@dataclass(frozen=True)
class OpenDifference:
    item_id: int
    text: str
    author_id: str
    marked_at: datetime


def open_lines(
    found: Sequence[OpenDifference], *, heading: str = "Differences of view open"
) -> list[dict[str, Any]]:
    """A section per open difference (its words, who, when) with *Resolve or escalate*."""
    if not found:
        return []
    blocks: list[dict[str, Any]] = [section(f"*{heading}: {len(found)}*")]
    for d in found[:DIFFERENCES_SHOWN]:
        words = (
            fit(slack_escape(d.text), DIFFERENCE_QUOTED)
            if d.text
            else "(its words were deleted after sign-off)"
        )
        blocks.append(
            section(
                f":left_right_arrow: {words}\n_{mention(d.author_id)}, {d.marked_at:%d %b %Y}_",
                accessory=button("Resolve or escalate", ActionId.DIFFERENCE_RESOLVE, str(d.item_id)),
            )
        )
    if len(found) > DIFFERENCES_SHOWN:
        blocks.append(context(f"+ {len(found) - DIFFERENCES_SHOWN} more open: resolve these first."))
    return blocks


def closed_card(
    reference: str, case_id: int, manager_id: str, closed_on: date | None, closing_note: int | None
) -> tuple[str, list[dict[str, Any]]]:
    """A closed case's card: when it closed, its closing note, and only *Notes*."""
    ref = slack_escape(reference)
    said = f"Closed {closed_on.day} {closed_on:%b %Y}" if closed_on else "Closed"
    if closing_note:
        said += f"; the closing review is note {closing_note}"
    blocks = [
        header(f"Case {reference} (closed)"),
        section(
            f":lock: *{said}.*\nManager: {mention(manager_id)}. Nothing more will be asked on this case."
        ),
        context("Case status: closed. Its notes stay readable; the reference may be used again."),
        actions(button("Notes", ActionId.CARD_NOTES, str(case_id))),
    ]
    return f"Case {ref}: closed", blocks


def reopened_line(reference: str, closed_on: date | None) -> str:
    """On a new case's card when its reference was used before: where the earlier case's notes are."""
    when = f", closed {closed_on.day} {closed_on:%b %Y}" if closed_on else ""
    return (
        f":link: This reference was used before (an earlier case{when}). Its notes: "
        f"`/case notes {reference} earlier`."
    )
