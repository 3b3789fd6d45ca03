"""The review modal: the measured facts, the protocol's questions, continue / change / end. Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot.cases.blocks_closed import OpenDifference, open_lines
from bot.ids import CallbackId
from bot.kernel.blocks import input_block, options, section, sections, title
from bot.kernel.rules_text import slack_escape
from bot.review.rules import OUTCOMES, QUESTIONS, ReviewForm

ANSWER_PREFIX = "review_q_"
OUTCOME = "review_outcome"
NEXT = "review_next"
MAX_TEXT = 3000


def block_for(field: str) -> str:
    return {"outcome": OUTCOME, "next": NEXT}.get(field, f"{ANSWER_PREFIX}{field}")


def review_modal(
    *,
    reference: str,
    case_id: int,
    facts: Sequence[str],
    told: Sequence[str],
    next_review: date | None,
    differences: Sequence[OpenDifference] = (),
) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        section(f"*Review of the co-working arrangement, case {slack_escape(reference)}*"),
        *sections("*Measured facts*\n" + "\n".join(facts)),
    ]
    if told:
        blocks += sections("*What each worker told the family, side by side*\n" + "\n".join(told))
    blocks += open_lines(differences)  # each with *Resolve or escalate*, pushed over this form
    for key, question in QUESTIONS:
        element = {"type": "plain_text_input", "multiline": True, "max_length": MAX_TEXT}
        hint = "Stays on the review's record: not in the thread's summary." if key == "progress" else None
        blocks.append(input_block(f"{ANSWER_PREFIX}{key}", question, element, hint=hint))
    blocks.append(input_block(OUTCOME, "Decision", {"type": "radio_buttons", "options": options(OUTCOMES)}))
    picker: dict[str, Any] = {"type": "datepicker"}
    if next_review:
        picker["initial_date"] = next_review.isoformat()
    blocks.append(
        input_block(NEXT, "Next review", picker, optional=True, hint="Not needed if you end the arrangement.")
    )
    return {
        "type": "modal",
        "callback_id": CallbackId.REVIEW,
        "title": title("Review co-working"),
        "submit": title("Save"),
        "close": title("Cancel"),
        "private_metadata": json.dumps({"case_id": case_id}),
        "blocks": blocks,
    }


def read_form(values: Mapping[str, Mapping[str, Any]]) -> ReviewForm:
    def field(block_id: str) -> Mapping[str, Any]:
        fields = values.get(block_id) or {}
        return fields.get(block_id) or next(iter(fields.values()), {})

    answers = {key: (field(f"{ANSWER_PREFIX}{key}").get("value") or "").strip() for key, _ in QUESTIONS}
    chosen = (field(OUTCOME).get("selected_option") or {}).get("value")
    raw = field(NEXT).get("selected_date")
    try:
        nxt = date.fromisoformat(raw) if raw else None
    except ValueError:
        nxt = None
    return ReviewForm(answers=answers, outcome=chosen, next_review=nxt)
