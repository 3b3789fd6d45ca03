"""The closing review modal, a closed case's card, and reading the form back. Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot.closing.rules import ACTION_OUTCOMES, MAX_TEXT, QUESTIONS, ActionChoice, CloseForm, OpenAction
from bot.ids import CallbackId
from bot.kernel.blocks import (
    context,
    fit,
    input_block,
    options,
    plain,
    section,
    title,
)
from bot.kernel.rules_text import mention, slack_escape

ANSWER_PREFIX = "close_q_"
HOLDER = "close_holder"
ACTION_PREFIX = "close_a"
ACTION_TEXT = 500  # characters of an action's words shown in the form


def block_for(field: str) -> str:
    if field == "holder":
        return HOLDER
    if field.startswith("a") and "_" in field:
        return f"{ACTION_PREFIX}{field[1:]}"
    return f"{ANSWER_PREFIX}{field}"


def close_modal(
    *, reference: str, case_id: int, stamp: str, open_actions: Sequence[OpenAction], open_differences: int
) -> dict[str, Any]:
    ref = slack_escape(reference)
    blocks: list[dict[str, Any]] = [
        section(
            f"*Closing case {ref}*\nSaving writes the closing review as a management decision note, "
            "closes the case, cancels its reminders and follow-ups, and frees the reference."
        )
    ]
    if open_differences:
        blocks.append(
            context(
                f":warning: {open_differences} difference(s) of view still open: resolve or escalate them "
                "from the case card first, or say in the review how they stand."
            )
        )
    for key, question in QUESTIONS:
        element = {"type": "plain_text_input", "multiline": True, "max_length": MAX_TEXT}
        blocks.append(input_block(f"{ANSWER_PREFIX}{key}", question, element))
    holder = {"type": "users_select", "placeholder": plain("Choose a person")}
    blocks.append(input_block(HOLDER, "Who holds what continues", holder, optional=True))
    if open_actions:
        blocks.append(section(f"*Open actions: {len(open_actions)}*. Settle each one."))
    for a in open_actions:
        owner = (
            f" ({mention(a.owner_id)}" + (f", due {a.due:%d %b %Y})" if a.due else ")") if a.owner_id else ""
        )
        words = fit(slack_escape(a.text), ACTION_TEXT)
        blocks.append(section(f"*{a.note_number}.{a.number}* {words}{owner}"))
        prefix = f"{ACTION_PREFIX}{a.action_id}_"
        radio = {"type": "radio_buttons", "options": options(ACTION_OUTCOMES)}
        blocks.append(input_block(f"{prefix}outcome", "What becomes of it", radio))
        to = {"type": "users_select", "placeholder": plain("Choose a person")}
        blocks.append(input_block(f"{prefix}to", "Handed over to", to, optional=True))
        reason = {"type": "plain_text_input", "max_length": MAX_TEXT}
        blocks.append(input_block(f"{prefix}reason", "Reason (needed if dropped)", reason, optional=True))
    return {
        "type": "modal",
        "callback_id": CallbackId.CLOSE,
        "title": title("Close the case"),
        "submit": title("Close case"),
        "close": title("Cancel"),
        "private_metadata": json.dumps(
            {"case_id": case_id, "stamp": stamp, "actions": [a.action_id for a in open_actions]}
        ),
        "blocks": blocks,
    }


def read_form(values: Mapping[str, Mapping[str, Any]], action_ids: Sequence[int]) -> CloseForm:
    def field(block_id: str) -> Mapping[str, Any]:
        fields = values.get(block_id) or {}
        return fields.get(block_id) or next(iter(fields.values()), {})

    answers = {key: (field(f"{ANSWER_PREFIX}{key}").get("value") or "").strip() for key, _ in QUESTIONS}
    chosen = {}
    for action_id in action_ids:
        prefix = f"{ACTION_PREFIX}{action_id}_"
        chosen[action_id] = ActionChoice(
            outcome=(field(f"{prefix}outcome").get("selected_option") or {}).get("value"),
            to=field(f"{prefix}to").get("selected_user") or None,
            reason=(field(f"{prefix}reason").get("value") or "").strip(),
        )
    return CloseForm(answers=answers, holder=field(HOLDER).get("selected_user") or None, actions=chosen)
