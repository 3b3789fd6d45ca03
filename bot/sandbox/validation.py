"""Block Kit as Slack checks it: what the emulator refuses, and what tests can ask directly.

Two passes over every message, modal and home tab, both needed:
- `slack_sdk.models` (Block.parse + validate_json): the SDK's own schema for each block and element;
- a walk of the raw JSON against `bot.kernel.blocks_limits`, for what the SDK does not check (unknown block
  types, duplicate block_ids and action_ids, counts in actions/context blocks and option lists, an
  initial_value longer than max_length, input blocks in a modal with no submit button, view-level fields).

Each problem is one line in Slack's own style, "[ERROR] <what> [json-pointer:/path]", as Slack lists
them in response_metadata.messages, so a failing test says exactly what would have been refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

from bot.kernel import blocks_limits as L
from bot.kernel.blocks_limits import slack_length

Json = dict[str, Any]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}")
_EVENT_TYPE = re.compile(L.METADATA_EVENT_TYPE_PATTERN)
_SELECTS_WITH_OPTIONS = {"static_select", "multi_static_select"}
_OPTION_LISTS = {"checkboxes": L.CHECKBOX_OPTIONS, "radio_buttons": L.RADIO_OPTIONS}


class _Errors:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, path: str, what: str) -> None:
        self.lines.append(f"[ERROR] {what} [json-pointer:{path}]")

    def too_long(self, path: str, value: Any, limit: int) -> None:
        if isinstance(value, str) and slack_length(value) > limit:
            self.add(path, f"must be less than {limit + 1} characters")


def message_errors(blocks: Any) -> list[str]:
    """Why Slack would refuse these message blocks (chat.postMessage, update, postEphemeral); [] if valid."""
    errors = _Errors()
    if not isinstance(blocks, list):
        errors.add("/blocks", "must be an array")
        return errors.lines
    if len(blocks) > L.MESSAGE_BLOCKS:
        errors.add("/blocks", f"no more than {L.MESSAGE_BLOCKS} items allowed")
    _blocks(errors, blocks, "/blocks")
    return errors.lines


def view_errors(view: Any) -> list[str]:
    """Why Slack would refuse this view (views.open/push/update/publish); [] if it wouldn't."""
    errors = _Errors()
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
                _text(errors, view[key], f"/view/{key}", L.VIEW_TITLE, plain_only=True)
        if "submit" not in view and any(isinstance(b, dict) and b.get("type") == "input" for b in blocks):
            errors.add("/view/submit", "is required when blocks contain an input block")
    errors.too_long("/view/private_metadata", view.get("private_metadata"), L.PRIVATE_METADATA)
    errors.too_long("/view/callback_id", view.get("callback_id"), L.CALLBACK_ID)
    errors.too_long("/view/external_id", view.get("external_id"), L.EXTERNAL_ID)
    _blocks(errors, blocks, "/view/blocks")
    return errors.lines


def metadata_errors(metadata: Any) -> list[str]:
    """Message metadata: an object with a machine-name event_type and an object event_payload."""
    errors = _Errors()
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
def _blocks(errors: _Errors, blocks: list[Any], path: str) -> None:
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
        _BLOCK_CHECKS.get(kind, _no_check)(errors, block, here)
        _sdk(errors, block, here)


def _sdk(errors: _Errors, block: Json, path: str) -> None:
    """slack_sdk's own model of the block: its validators carry Slack's per-field rules."""
    try:
        parsed = Block.parse(block)
        if parsed is not None:
            parsed.validate_json()
    except (SlackObjectFormationError, TypeError, KeyError, ValueError) as exc:
        errors.add(path, f"slack_sdk: {exc}")


def _no_check(errors: _Errors, block: Json, path: str) -> None:
    return None


def _section(errors: _Errors, block: Json, path: str) -> None:
    text, fields = block.get("text"), block.get("fields")
    if text is None and not fields:
        errors.add(path, "must provide text or fields")
    if text is not None:
        _text(errors, text, f"{path}/text", L.SECTION_TEXT)
    if fields is not None:
        if not isinstance(fields, list) or len(fields) > L.SECTION_FIELDS:
            errors.add(f"{path}/fields", f"no more than {L.SECTION_FIELDS} items allowed")
        else:
            for j, field in enumerate(fields):
                _text(errors, field, f"{path}/fields/{j}", L.SECTION_FIELD_TEXT)
    if "accessory" in block:
        _element(errors, block["accessory"], f"{path}/accessory", set())


def _actions(errors: _Errors, block: Json, path: str) -> None:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        errors.add(f"{path}/elements", "must contain at least one element")
        return
    if len(elements) > L.ACTIONS_ELEMENTS:
        errors.add(f"{path}/elements", f"no more than {L.ACTIONS_ELEMENTS} items allowed")
    action_ids: set[str] = set()
    for j, element in enumerate(elements):
        _element(errors, element, f"{path}/elements/{j}", action_ids)


def _context(errors: _Errors, block: Json, path: str) -> None:
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
            _text(errors, element, here, L.TEXT)


def _header(errors: _Errors, block: Json, path: str) -> None:
    _text(errors, block.get("text"), f"{path}/text", L.HEADER_TEXT, plain_only=True)


def _input(errors: _Errors, block: Json, path: str) -> None:
    _text(errors, block.get("label"), f"{path}/label", L.INPUT_LABEL, plain_only=True)
    if "hint" in block:
        _text(errors, block["hint"], f"{path}/hint", L.INPUT_HINT, plain_only=True)
    if "element" not in block:
        errors.add(f"{path}/element", "is required")
        return
    _element(errors, block["element"], f"{path}/element", set())


def _image(errors: _Errors, block: Json, path: str) -> None:
    errors.too_long(f"{path}/alt_text", block.get("alt_text"), L.IMAGE_ALT_TEXT)
    errors.too_long(f"{path}/image_url", block.get("image_url"), L.IMAGE_URL)


def _markdown(errors: _Errors, block: Json, path: str) -> None:
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


# ---------------------------------------------------------------- elements and objects
def _text(errors: _Errors, obj: Any, path: str, limit: int, *, plain_only: bool = False) -> None:
    if not isinstance(obj, dict):
        errors.add(path, "must be a text object")
        return
    kind = obj.get("type")
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if kind not in allowed:
        errors.add(f"{path}/type", f"must be one of {', '.join(allowed)}")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        errors.add(f"{path}/text", "must be more than 0 characters")
        return
    errors.too_long(f"{path}/text", text, limit)


def _element(errors: _Errors, element: Any, path: str, action_ids: set[str]) -> None:
    if not isinstance(element, dict):
        errors.add(path, "must be an object")
        return
    kind = element.get("type")
    if kind == "image":
        errors.too_long(f"{path}/alt_text", element.get("alt_text"), L.IMAGE_ALT_TEXT)
        return
    if kind not in L.INTERACTIVE_ELEMENTS:
        errors.add(f"{path}/type", f"unsupported element type: {kind!r}")
        return
    action_id = element.get("action_id")
    if action_id is not None:
        if action_id in action_ids:
            errors.add(f"{path}/action_id", f"duplicate action_id: {action_id}")
        action_ids.add(action_id)
        errors.too_long(f"{path}/action_id", action_id, L.ACTION_ID)
    if "placeholder" in element:
        _text(errors, element["placeholder"], f"{path}/placeholder", L.PLACEHOLDER, plain_only=True)
    if "confirm" in element:
        _confirm(errors, element["confirm"], f"{path}/confirm")
    _ELEMENT_CHECKS.get(kind, _no_check)(errors, element, path)


def _button(errors: _Errors, element: Json, path: str) -> None:
    _text(errors, element.get("text"), f"{path}/text", L.BUTTON_TEXT, plain_only=True)
    errors.too_long(f"{path}/value", element.get("value"), L.BUTTON_VALUE)
    errors.too_long(f"{path}/url", element.get("url"), L.BUTTON_URL)
    if element.get("style") not in (None, "primary", "danger"):
        errors.add(f"{path}/style", "must be one of primary, danger")


def _select(errors: _Errors, element: Json, path: str) -> None:
    options, groups = element.get("options"), element.get("option_groups")
    if options is None and groups is None:
        errors.add(path, "must provide options or option_groups")
        return
    values: list[str] = []
    if options is not None:
        values += _options(errors, options, f"{path}/options", L.SELECT_OPTIONS, plain_only=True)
    if groups is not None:
        if not isinstance(groups, list) or len(groups) > L.SELECT_OPTION_GROUPS:
            errors.add(f"{path}/option_groups", f"no more than {L.SELECT_OPTION_GROUPS} items allowed")
        else:
            for g, group in enumerate(groups):
                here = f"{path}/option_groups/{g}"
                _text(
                    errors, (group or {}).get("label"), f"{here}/label", L.OPTION_GROUP_LABEL, plain_only=True
                )
                values += _options(
                    errors, (group or {}).get("options"), f"{here}/options", L.SELECT_OPTIONS, plain_only=True
                )
    _initial_options(errors, element, path, values)


def _option_list(errors: _Errors, element: Json, path: str) -> None:
    limit = _OPTION_LISTS[element["type"]]
    values = _options(errors, element.get("options"), f"{path}/options", limit, plain_only=False)
    _initial_options(errors, element, path, values)


def _overflow(errors: _Errors, element: Json, path: str) -> None:
    low, high = L.OVERFLOW_OPTIONS
    options = element.get("options")
    if not isinstance(options, list) or not low <= len(options) <= high:
        errors.add(f"{path}/options", f"must have between {low} and {high} items")
        return
    _options(errors, options, f"{path}/options", high, plain_only=True)


def _options(errors: _Errors, options: Any, path: str, limit: int, *, plain_only: bool) -> list[str]:
    if not isinstance(options, list) or not options:
        errors.add(path, "must contain at least one option")
        return []
    if len(options) > limit:
        errors.add(path, f"no more than {limit} items allowed")
    values = []
    for k, option in enumerate(options):
        here = f"{path}/{k}"
        if not isinstance(option, dict):
            errors.add(here, "must be an object")
            continue
        _text(errors, option.get("text"), f"{here}/text", L.OPTION_TEXT, plain_only=plain_only)
        value = option.get("value")
        if not isinstance(value, str) or not value:
            errors.add(f"{here}/value", "must be a non-empty string")
        else:
            errors.too_long(f"{here}/value", value, L.OPTION_VALUE)
            values.append(value)
        if "description" in option:
            _text(errors, option["description"], f"{here}/description", L.OPTION_DESCRIPTION)
    return values


def _initial_options(errors: _Errors, element: Json, path: str, values: Iterable[str]) -> None:
    known = set(values)
    chosen = element.get("initial_options", [])
    if "initial_option" in element:
        chosen = [element["initial_option"]]
    for option in chosen if isinstance(chosen, list) else []:
        if not isinstance(option, dict) or option.get("value") not in known:
            errors.add(f"{path}/initial_option", "must match one of the provided options")


def _in_range(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and low <= value <= high


def _plain_text_input(errors: _Errors, element: Json, path: str) -> None:
    max_length, min_length = element.get("max_length"), element.get("min_length")
    if max_length is not None and (
        not isinstance(max_length, int) or not 1 <= max_length <= L.INPUT_MAX_LENGTH
    ):
        errors.add(f"{path}/max_length", f"must be between 1 and {L.INPUT_MAX_LENGTH}")
    if min_length is not None and (
        not isinstance(min_length, int) or not 0 <= min_length <= L.INPUT_MAX_LENGTH
    ):
        errors.add(f"{path}/min_length", f"must be between 0 and {L.INPUT_MAX_LENGTH}")
    initial = element.get("initial_value")
    if initial is not None and not isinstance(initial, str):
        errors.add(f"{path}/initial_value", "must be a string")
    elif isinstance(initial, str) and isinstance(max_length, int) and slack_length(initial) > max_length:
        errors.add(f"{path}/initial_value", f"must be at most max_length ({max_length}) characters")


def _datepicker(errors: _Errors, element: Json, path: str) -> None:
    initial = element.get("initial_date")
    if initial is not None and not (isinstance(initial, str) and _DATE.fullmatch(initial)):
        errors.add(f"{path}/initial_date", "must be in YYYY-MM-DD format")


def _timepicker(errors: _Errors, element: Json, path: str) -> None:
    initial = element.get("initial_time")
    if initial is not None and not (isinstance(initial, str) and _TIME.fullmatch(initial)):
        errors.add(f"{path}/initial_time", "must be in HH:mm format")


def _confirm(errors: _Errors, confirm: Any, path: str) -> None:
    if not isinstance(confirm, dict):
        errors.add(path, "must be an object")
        return
    _text(errors, confirm.get("title"), f"{path}/title", L.CONFIRM_TITLE, plain_only=True)
    _text(errors, confirm.get("text"), f"{path}/text", L.CONFIRM_TEXT)
    _text(errors, confirm.get("confirm"), f"{path}/confirm", L.CONFIRM_BUTTON, plain_only=True)
    _text(errors, confirm.get("deny"), f"{path}/deny", L.CONFIRM_BUTTON, plain_only=True)


_ELEMENT_CHECKS = {
    "button": _button,
    "static_select": _select,
    "multi_static_select": _select,
    "checkboxes": _option_list,
    "radio_buttons": _option_list,
    "overflow": _overflow,
    "plain_text_input": _plain_text_input,
    "datepicker": _datepicker,
    "timepicker": _timepicker,
}
