"""The agreement change form and the `/case agreement` answer, as pure Block Kit data."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot.cases.blocks_modals import agreement_modal
from bot.cases.rules_agreements import AgreementForm
from bot.cases.rules_change import REASON_BLOCK, REASON_MAX, REASSIGN_BLOCK
from bot.ids import ActionId, Block, CallbackId
from bot.kernel.blocks import actions, button, context, input_block, plain, section
from bot.kernel.rules_text import slack_escape


def change_modal(
    *, reference: str, case_id: int, version: int, form: AgreementForm, today: date
) -> dict[str, Any]:
    """The agreement form pre-filled from the current version (the reference is fixed), plus the reason
    for the change and who takes over the open actions of anyone who leaves the case."""
    base = agreement_modal(channel_id="", today=today, form=form)
    kept = [b for b in base["blocks"] if b.get("block_id") != Block.REFERENCE]
    head = section(
        f"*Changing the agreement for case {slack_escape(reference)}* (now version {version}). Saving makes "
        "a new version; the co-workers are asked to confirm it again and the plan follows the new cadence."
    )
    reason = input_block(
        REASON_BLOCK,
        "Reason for the change",
        {"type": "plain_text_input", "multiline": True, "max_length": REASON_MAX},
    )
    reassign = input_block(
        REASSIGN_BLOCK,
        "Who takes over the open actions of anyone leaving",
        {"type": "users_select", "placeholder": plain("Choose a co-worker who stays, or yourself")},
        optional=True,
        hint="Needed when a co-worker you take off the case still has open actions.",
    )
    return {
        **base,
        "callback_id": CallbackId.AGREEMENT_CHANGE,
        "title": plain("Change the agreement"),
        "submit": plain("Save agreement"),
        "private_metadata": json.dumps({"case_id": case_id, "version": version}),
        "blocks": [head, reason, *kept, reassign],
    }


def read_change(values: Mapping[str, Mapping[str, Any]]) -> tuple[str, str | None]:
    """The reason typed and the person chosen to take over, from view.state.values."""

    def element(block: str) -> Mapping[str, Any]:
        return values.get(block, {}).get(block, {}) or {}

    return (element(REASON_BLOCK).get("value") or "").strip(), element(REASSIGN_BLOCK).get("selected_user")


def read_metadata(raw: str | None) -> tuple[int, int] | None:
    """The case id and the agreement version the form was opened on; None for a form we did not build."""
    try:
        found = json.loads(raw or "")
        return int(found["case_id"]), int(found["version"])
    except (ValueError, KeyError, TypeError):
        return None


def agreement_answer(
    agreement: Sequence[dict[str, Any]],
    *,
    case_id: int,
    confirmed: Sequence[str],
    waiting: Sequence[str],
    may_change: bool,
) -> list[dict[str, Any]]:
    """The agreement as it stands, who has confirmed it, and a *Change* button for the manager."""
    who = [f"<@{u}> :white_check_mark:" for u in confirmed] + [f"<@{u}> not yet" for u in waiting]
    blocks = [*agreement, context("Confirmed: " + (", ".join(who) or "nobody yet"))]
    if may_change:
        blocks.append(actions(button("Change", ActionId.AGREEMENT_CHANGE, str(case_id))))
    return blocks
