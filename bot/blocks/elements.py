"""Small Block Kit pieces shared by messages and modals (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MAX_TEXT = 3000


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150] if len(text) > 150 else text, "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    if len(text) > MAX_TEXT:
        raise ValueError("section text over Slack's 3000-character limit: condense before rendering")
    return {"type": "mrkdwn", "text": text}


def section(text: str, *, accessory: dict | None = None, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(text)}
    if accessory:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id
    return block


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(text)]}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(text)}


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    return element


def actions(*elements: dict, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label), "value": value}


def options(choices: Mapping[str, str]) -> list[dict[str, Any]]:
    return [option(value, label) for value, label in choices.items()]


def input_block(
    block_id: str, label: str, element: dict, *, optional: bool = False, hint: str | None = None
) -> dict[str, Any]:
    element = {**element, "action_id": block_id}
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    return block
