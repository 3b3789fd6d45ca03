"""Block Kit elements and composition objects as Slack checks them (text objects, buttons, selects,
option lists, inputs, date and time pickers, confirm dialogs): the inner half of validation.py."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bot.kernel import blocks_limits as L
from bot.kernel.blocks_limits import slack_length

Json = dict[str, Any]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}")
_OPTION_LISTS = {"checkboxes": L.CHECKBOX_OPTIONS, "radio_buttons": L.RADIO_OPTIONS}


class Errors:
    """The problems found so far, one line each in Slack's style."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, path: str, what: str) -> None:
        self.lines.append(f"[ERROR] {what} [json-pointer:{path}]")

    def too_long(self, path: str, value: Any, limit: int) -> None:
        if isinstance(value, str) and slack_length(value) > limit:
            self.add(path, f"must be less than {limit + 1} characters")


def no_check(errors: Errors, block: Json, path: str) -> None:
    return None


def check_text(errors: Errors, obj: Any, path: str, limit: int, *, plain_only: bool = False) -> None:
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


def check_element(errors: Errors, element: Any, path: str, action_ids: set[str]) -> None:
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
        check_text(errors, element["placeholder"], f"{path}/placeholder", L.PLACEHOLDER, plain_only=True)
    if "confirm" in element:
        _confirm(errors, element["confirm"], f"{path}/confirm")
    _ELEMENT_CHECKS.get(kind, no_check)(errors, element, path)


def _button(errors: Errors, element: Json, path: str) -> None:
    check_text(errors, element.get("text"), f"{path}/text", L.BUTTON_TEXT, plain_only=True)
    errors.too_long(f"{path}/value", element.get("value"), L.BUTTON_VALUE)
    errors.too_long(f"{path}/url", element.get("url"), L.BUTTON_URL)
    if element.get("style") not in (None, "primary", "danger"):
        errors.add(f"{path}/style", "must be one of primary, danger")


def _select(errors: Errors, element: Json, path: str) -> None:
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
                check_text(
                    errors, (group or {}).get("label"), f"{here}/label", L.OPTION_GROUP_LABEL, plain_only=True
                )
                values += _options(
                    errors, (group or {}).get("options"), f"{here}/options", L.SELECT_OPTIONS, plain_only=True
                )
    _initial_options(errors, element, path, values)


def _option_list(errors: Errors, element: Json, path: str) -> None:
    limit = _OPTION_LISTS[element["type"]]
    values = _options(errors, element.get("options"), f"{path}/options", limit, plain_only=False)
    _initial_options(errors, element, path, values)


def _overflow(errors: Errors, element: Json, path: str) -> None:
    low, high = L.OVERFLOW_OPTIONS
    options = element.get("options")
    if not isinstance(options, list) or not low <= len(options) <= high:
        errors.add(f"{path}/options", f"must have between {low} and {high} items")
        return
    _options(errors, options, f"{path}/options", high, plain_only=True)


def _options(errors: Errors, options: Any, path: str, limit: int, *, plain_only: bool) -> list[str]:
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
        check_text(errors, option.get("text"), f"{here}/text", L.OPTION_TEXT, plain_only=plain_only)
        value = option.get("value")
        if not isinstance(value, str) or not value:
            errors.add(f"{here}/value", "must be a non-empty string")
        else:
            errors.too_long(f"{here}/value", value, L.OPTION_VALUE)
            values.append(value)
        if "description" in option:
            check_text(errors, option["description"], f"{here}/description", L.OPTION_DESCRIPTION)
    return values


def _initial_options(errors: Errors, element: Json, path: str, values: Iterable[str]) -> None:
    known = set(values)
    chosen = element.get("initial_options", [])
    if "initial_option" in element:
        chosen = [element["initial_option"]]
    for option in chosen if isinstance(chosen, list) else []:
        if not isinstance(option, dict) or option.get("value") not in known:
            errors.add(f"{path}/initial_option", "must match one of the provided options")


def _in_range(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and low <= value <= high


def _plain_text_input(errors: Errors, element: Json, path: str) -> None:
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


def _datepicker(errors: Errors, element: Json, path: str) -> None:
    initial = element.get("initial_date")
    if initial is not None and not (isinstance(initial, str) and _DATE.fullmatch(initial)):
        errors.add(f"{path}/initial_date", "must be in YYYY-MM-DD format")


def _timepicker(errors: Errors, element: Json, path: str) -> None:
    initial = element.get("initial_time")
    if initial is not None and not (isinstance(initial, str) and _TIME.fullmatch(initial)):
        errors.add(f"{path}/initial_time", "must be in HH:mm format")


def _confirm(errors: Errors, confirm: Any, path: str) -> None:
    if not isinstance(confirm, dict):
        errors.add(path, "must be an object")
        return
    check_text(errors, confirm.get("title"), f"{path}/title", L.CONFIRM_TITLE, plain_only=True)
    check_text(errors, confirm.get("text"), f"{path}/text", L.CONFIRM_TEXT)
    check_text(errors, confirm.get("confirm"), f"{path}/confirm", L.CONFIRM_BUTTON, plain_only=True)
    check_text(errors, confirm.get("deny"), f"{path}/deny", L.CONFIRM_BUTTON, plain_only=True)


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
