"""The *Record supervision* modal, pre-filled from the agenda, and reading it back. Pure Block Kit."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot.cases.blocks_closed import OpenDifference, open_lines
from bot.ids import CallbackId
from bot.kernel.blocks import context, input_block, section, sections, title
from bot.kernel.rules_text import slack_escape
from bot.supervision.rules import ACTION_ROWS, MAX_TEXT, ActionRow, SupervisionForm

ATTENDEES = "sup_attendees"
DECISIONS = "sup_decisions"
LEARNING = "sup_learning"
NEXT = "sup_next"
ACTION_PREFIX = "sup_action_"
WELLBEING_PREFIX = "sup_wellbeing_"
FIELD_BLOCKS = {"attendees": ATTENDEES, "decisions": DECISIONS, "next": NEXT}


def block_for(field: str) -> str:
    """The block a problem from `rules.problems` is shown next to."""
    return FIELD_BLOCKS.get(field) or (ACTION_PREFIX + field.removeprefix("action_"))


def _text(multiline: bool = True, initial: str = "") -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "multiline": multiline, "max_length": MAX_TEXT}
    if initial:
        element["initial_value"] = initial[:MAX_TEXT]
    return element


def supervision_modal(
    *,
    reference: str,
    case_id: int,
    item_id: int | None,
    agenda: Sequence[str],
    attendees: Sequence[str],
    workers: Sequence[tuple[str, str]],  # (Slack id, how the form names them)
    has_developing: bool,
    next_day: date | None,
    differences: Sequence[OpenDifference] = (),
) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        section(f"*Joint supervision check-in, case {slack_escape(reference)}*"),
        *sections("*Agenda*\n" + "\n".join(agenda)),
        *open_lines(differences),  # each with *Resolve or escalate*, pushed over this form
        input_block(
            ATTENDEES,
            "Who attended",
            {"type": "multi_users_select", "initial_users": list(attendees)},
        ),
        input_block(DECISIONS, "Decisions", _text(), hint="What was decided, and any decision not to act."),
    ]
    for row in range(1, ACTION_ROWS + 1):
        blocks += [
            input_block(f"{ACTION_PREFIX}{row}_text", f"Action {row}", _text(False), optional=True),
            input_block(f"{ACTION_PREFIX}{row}_owner", "Owner", {"type": "users_select"}, optional=True),
            input_block(f"{ACTION_PREFIX}{row}_due", "Due by", {"type": "datepicker"}, optional=True),
            input_block(f"{ACTION_PREFIX}{row}_done", "What done looks like", _text(False), optional=True),
        ]
    if has_developing:
        blocks.append(
            input_block(
                LEARNING,
                "Learning for the developing worker",
                _text(),
                optional=True,
                hint="Goes on the developing worker's supervision record as learning evidence.",
            )
        )
    blocks.append(
        context(
            "Wellbeing checks are optional. Each stays on that worker's own supervision record, readable by "
            "them and you alone: never in the case record, its notes, exports or the thread."
        )
    )
    for worker_id, role in workers:
        blocks.append(
            input_block(f"{WELLBEING_PREFIX}{worker_id}", f"Wellbeing check: {role}", _text(), optional=True)
        )
    picker: dict[str, Any] = {"type": "datepicker"}
    if next_day:
        picker["initial_date"] = next_day.isoformat()
    blocks.append(input_block(NEXT, "Next check-in", picker))
    return {
        "type": "modal",
        "callback_id": CallbackId.SUPERVISION,
        "title": title("Record supervision"),
        "submit": title("Save"),
        "close": title("Cancel"),
        "private_metadata": json.dumps({"case_id": case_id, "item_id": item_id}),
        "blocks": blocks,
    }


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def read_form(values: Mapping[str, Mapping[str, Any]]) -> SupervisionForm:
    def field(block_id: str) -> Mapping[str, Any]:
        fields = values.get(block_id) or {}
        return fields.get(block_id) or next(iter(fields.values()), {})

    def text(block_id: str) -> str:
        return (field(block_id).get("value") or "").strip()

    rows = tuple(
        ActionRow(
            number=n,
            text=text(f"{ACTION_PREFIX}{n}_text"),
            owner_id=field(f"{ACTION_PREFIX}{n}_owner").get("selected_user") or None,
            due=_day(field(f"{ACTION_PREFIX}{n}_due").get("selected_date")),
            done_looks_like=text(f"{ACTION_PREFIX}{n}_done"),
        )
        for n in range(1, ACTION_ROWS + 1)
    )
    wellbeing = {
        block_id.removeprefix(WELLBEING_PREFIX): text(block_id)
        for block_id in values
        if block_id.startswith(WELLBEING_PREFIX) and text(block_id)
    }
    return SupervisionForm(
        attendees=tuple(field(ATTENDEES).get("selected_users") or ()),
        decisions=text(DECISIONS),
        actions=rows,
        learning=text(LEARNING),
        wellbeing=wellbeing,
        next_day=_day(field(NEXT).get("selected_date")),
    )
