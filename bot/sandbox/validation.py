"""Block Kit as Slack checks it: what the emulator refuses, and what tests can ask directly.

Two passes over every message, modal and home tab, both needed:
- `slack_sdk.models` (Block.parse + validate_json): the SDK's own schema for each block and element;
- a walk of the raw JSON against `bot.kernel.blocks_limits`, for what the SDK does not check (unknown block
  types, duplicate block_ids and action_ids, counts in actions/context blocks and option lists, an
  initial_value longer than max_length, input blocks in a modal with no submit button, view-level fields).

Each problem is one line in Slack's own style, "[ERROR] <what> [json-pointer:/path]", as Slack lists
them in response_metadata.messages, so a failing test says exactly what would have been refused.

This module checks messages, views, metadata and blocks; validation_elements.py checks the elements
and composition objects inside them.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from bot.kernel import blocks_limits as L
from bot.sandbox.validation_elements import Errors, check_element, check_text, no_check

Json = dict[str, Any]

_EVENT_TYPE = re.compile(L.METADATA_EVENT_TYPE_PATTERN)
_SELECTS_WITH_OPTIONS = {"static_select", "multi_static_select"}


def message_errors(blocks: Any) -> list[str]:
    """Why Slack would refuse these message blocks (chat.postMessage, update, postEphemeral); [] if valid."""
    errors = Errors()
    if not isinstance(blocks, list):
        errors.add("/blocks", "must be an array")
        return errors.lines
    if len(blocks) > L.MESSAGE_BLOCKS:
        errors.add("/blocks", f"no more than {L.MESSAGE_BLOCKS} items allowed")
    _blocks(errors, blocks, "/blocks")
    return errors.lines


def view_errors(view: Any) -> list[str]:
    """Why Slack would refuse this view (views.open/push/update/publish); [] if it wouldn't."""
    errors = Errors()
    if not isinstance(view, dict):
        errors.add("/view", "must be an object")
        return errors.lines
    kind = view.get("type")
    if kind not in ("modal", "home"):
        errors.add("/view/type", "must be one of modal, home")
        return errors.lines
    blocks = view.get("blocks", [])
    if not isinstance(blocks, list):
        errors.add("/view/blocks", "must be an array")
        return errors.lines
    if len(blocks) > L.VIEW_BLOCKS:
        errors.add("/view/blocks", f"no more than {L.VIEW_BLOCKS} items allowed")
    if kind == "modal":
        if "title" not in view:
            errors.add("/view/title", "is required")
        for key in ("title", "submit", "close"):
            if key in view:
                check_text(errors, view[key], f"/view/{key}", L.VIEW_TITLE, plain_only=True)
        if "submit" not in view and any(isinstance(b, dict) and b.get("type") == "input" for b in blocks):
            errors.add("/view/submit", "is required when blocks contain an input block")
    errors.too_long("/view/private_metadata", view.get("private_metadata"), L.PRIVATE_METADATA)
    errors.too_long("/view/callback_id", view.get("callback_id"), L.CALLBACK_ID)
    errors.too_long("/view/external_id", view.get("external_id"), L.EXTERNAL_ID)
    _blocks(errors, blocks, "/view/blocks")
    return errors.lines


def metadata_errors(metadata: Any) -> list[str]:
    """Message metadata: an object with a machine-name event_type and an object event_payload."""
    errors = Errors()
    if not isinstance(metadata, dict):
        errors.add("/metadata", "must be an object")
        return errors.lines
    event_type = metadata.get("event_type")
    if not isinstance(event_type, str) or not _EVENT_TYPE.fullmatch(event_type):
        errors.add("/metadata/event_type", "must be an alphanumeric string (letters, digits, underscores)")
    if not isinstance(metadata.get("event_payload"), dict):
        errors.add("/metadata/event_payload", "must be an object")
    return errors.lines


# ---------------------------------------------------------------- blocks
def _blocks(errors: Errors, blocks: list[Any], path: str) -> None:
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        here = f"{path}/{i}"
        if not isinstance(block, dict):
            errors.add(here, "must be an object")
            continue
        kind = block.get("type")
        if kind not in L.BLOCK_TYPES:
            errors.add(f"{here}/type", f"unsupported type: {kind!r}")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or not block_id:
                errors.add(f"{here}/block_id", "must be a non-empty string")
            elif block_id in seen_ids:
                errors.add(f"{here}/block_id", f"duplicate block_id: {block_id}")
            else:
                seen_ids.add(block_id)
                errors.too_long(f"{here}/block_id", block_id, L.BLOCK_ID)
        _BLOCK_CHECKS.get(kind, no_check)(errors, block, here)
        _sdk(errors, block, here)


def _sdk(errors: Errors, block: Json, path: str) -> None:
    """slack_sdk's own model of the block: its validators carry Slack's per-field rules."""
    try:
        parsed = Block.parse(block)
        if parsed is not None:
            parsed.validate_json()
    except (SlackObjectFormationError, TypeError, KeyError, ValueError) as exc:
        errors.add(path, f"slack_sdk: {exc}")


def _section(errors: Errors, block: Json, path: str) -> None:
    text, fields = block.get("text"), block.get("fields")
    if text is None and not fields:
        errors.add(path, "must provide text or fields")
    if text is not None:
        check_text(errors, text, f"{path}/text", L.SECTION_TEXT)
    if fields is not None:
        if not isinstance(fields, list) or len(fields) > L.SECTION_FIELDS:
            errors.add(f"{path}/fields", f"no more than {L.SECTION_FIELDS} items allowed")
        else:
            for j, field in enumerate(fields):
                check_text(errors, field, f"{path}/fields/{j}", L.SECTION_FIELD_TEXT)
    if "accessory" in block:
        check_element(errors, block["accessory"], f"{path}/accessory", set())


def _actions(errors: Errors, block: Json, path: str) -> None:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        errors.add(f"{path}/elements", "must contain at least one element")
        return
    if len(elements) > L.ACTIONS_ELEMENTS:
        errors.add(f"{path}/elements", f"no more than {L.ACTIONS_ELEMENTS} items allowed")
    action_ids: set[str] = set()
    for j, element in enumerate(elements):
        check_element(errors, element, f"{path}/elements/{j}", action_ids)


def _context(errors: Errors, block: Json, path: str) -> None:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        errors.add(f"{path}/elements", "must contain at least one element")
        return
    if len(elements) > L.CONTEXT_ELEMENTS:
        errors.add(f"{path}/elements", f"no more than {L.CONTEXT_ELEMENTS} items allowed")
    for j, element in enumerate(elements):
        here = f"{path}/elements/{j}"
        if isinstance(element, dict) and element.get("type") == "image":
            errors.too_long(f"{here}/alt_text", element.get("alt_text"), L.IMAGE_ALT_TEXT)
        else:
            check_text(errors, element, here, L.TEXT)


def _header(errors: Errors, block: Json, path: str) -> None:
    check_text(errors, block.get("text"), f"{path}/text", L.HEADER_TEXT, plain_only=True)


def _input(errors: Errors, block: Json, path: str) -> None:
    check_text(errors, block.get("label"), f"{path}/label", L.INPUT_LABEL, plain_only=True)
    if "hint" in block:
        check_text(errors, block["hint"], f"{path}/hint", L.INPUT_HINT, plain_only=True)
    if "element" not in block:
        errors.add(f"{path}/element", "is required")
        return
    check_element(errors, block["element"], f"{path}/element", set())


def _image(errors: Errors, block: Json, path: str) -> None:
    errors.too_long(f"{path}/alt_text", block.get("alt_text"), L.IMAGE_ALT_TEXT)
    errors.too_long(f"{path}/image_url", block.get("image_url"), L.IMAGE_URL)


def _markdown(errors: Errors, block: Json, path: str) -> None:
    text = block.get("text")
    if not isinstance(text, str) or not text:
        errors.add(f"{path}/text", "must be a non-empty string")
    errors.too_long(f"{path}/text", text, L.MARKDOWN_BLOCK_TEXT)


_BLOCK_CHECKS = {
    "section": _section,
    "actions": _actions,
    "context": _context,
    "header": _header,
    "input": _input,
    "image": _image,
    "markdown": _markdown,
}
