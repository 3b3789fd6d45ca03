"""Differences of view in Block Kit: the small modal that records one resolved or escalated (the open
ones' lines, with *Resolve or escalate*, are the card's: bot/cases/blocks.py). Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.capture.rules_differences import MAX_HOW, OUTCOMES, DifferenceForm
from bot.ids import CallbackId
from bot.kernel.blocks import fit, input_block, options, plain, section, title
from bot.kernel.rules_text import slack_escape

OUTCOME = "difference_outcome"
HOW = "difference_how"
TO = "difference_to"


def block_for(field: str) -> str:
    return {"outcome": OUTCOME, "how": HOW, "to": TO}[field]


def resolve_modal(*, item_id: int, reference: str, text: str, stamp: int) -> dict[str, Any]:
    """`stamp`: the newest resolution's id when the form opened (0: none), so a stale form is refused."""
    outcome = {"type": "radio_buttons", "options": options(OUTCOMES)}
    how = {"type": "plain_text_input", "multiline": True, "max_length": MAX_HOW}
    to = {"type": "users_select", "placeholder": plain("Choose a person")}
    quoted = fit(slack_escape(text), 2000) if text else "(its words were deleted after sign-off)"
    return {
        "type": "modal",
        "callback_id": CallbackId.DIFFERENCE,
        "title": title("Difference of view"),
        "submit": title("Save"),
        "close": title("Cancel"),
        "private_metadata": json.dumps({"item_id": item_id, "stamp": stamp}),
        "blocks": [
            section(f"*Case {slack_escape(reference)}*\n{quoted}"),
            input_block(OUTCOME, "What happened to it", outcome),
            input_block(
                HOW, "How it was resolved (or why escalated)", how, optional=True, hint="Needed if resolved."
            ),
            input_block(TO, "Escalated to", to, optional=True, hint="Needed if escalated."),
        ],
    }


def read_form(values: Mapping[str, Mapping[str, Any]]) -> DifferenceForm:
    def field(block_id: str) -> Mapping[str, Any]:
        fields = values.get(block_id) or {}
        return fields.get(block_id) or next(iter(fields.values()), {})

    chosen = (field(OUTCOME).get("selected_option") or {}).get("value")
    how = (field(HOW).get("value") or "").strip()
    return DifferenceForm(outcome=chosen, how=how, to=field(TO).get("selected_user") or None)
