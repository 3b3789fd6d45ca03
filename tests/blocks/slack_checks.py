"""Slack's documented Block Kit limits, checked on builder output (pure, for the builder tests).

The emulator's own validator (bot/sandbox/validation.py) checks every payload the Slack-level suite
sends; this small checker lets the pure builder tests assert the same limits on a builder's output
without a workspace. `message_errors` and `view_errors` return what real Slack would refuse.
"""

from __future__ import annotations

from typing import Any

LIMITS = {
    "section": 3000,
    "field": 2000,
    "header": 150,
    "button": 75,
    "button_value": 2000,
    "id": 255,
    "option": 75,
    "option_value": 150,
    "option_description": 75,
    "placeholder": 150,
    "label": 2000,
    "title": 24,
    "metadata": 3000,
    "max_length": 3000,
}
COUNTS = {"actions": 25, "context": 10, "fields": 10, "static_select": 100, "checkboxes": 10}
COUNTS["multi_static_select"] = COUNTS["static_select"]
COUNTS["radio_buttons"] = COUNTS["checkboxes"]


def message_errors(blocks: list[dict[str, Any]]) -> list[str]:
    return _blocks(blocks, 50)


def view_errors(view: dict[str, Any]) -> list[str]:
    errors = _blocks(view.get("blocks", []), 100)
    for key in ("title", "submit", "close"):
        if key in view:
            errors += _text(view[key], LIMITS["title"], f"view.{key}")
    if len(view.get("private_metadata", "")) > LIMITS["metadata"]:
        errors.append("view.private_metadata over 3000")
    return errors


def _blocks(blocks: list[dict[str, Any]], most: int) -> list[str]:
    errors = [f"{len(blocks)} blocks, more than {most}"] if len(blocks) > most else []
    ids = [b["block_id"] for b in blocks if "block_id" in b]
    errors += [f"block_id {i!r} used twice" for i in sorted(set(ids)) if ids.count(i) > 1]
    for n, block in enumerate(blocks):
        errors += _block(block, f"blocks[{n}]")
    return errors


def _block(block: dict[str, Any], at: str) -> list[str]:
    kind = block["type"]
    errors = _length(block.get("block_id", ""), LIMITS["id"], f"{at}.block_id")
    if kind == "section":
        if "text" in block:
            errors += _text(block["text"], LIMITS["section"], f"{at}.text")
        fields = block.get("fields", [])
        errors += _count(fields, COUNTS["fields"], f"{at}.fields")
        for field in fields:
            errors += _text(field, LIMITS["field"], f"{at}.fields")
        if "accessory" in block:
            errors += _element(block["accessory"], f"{at}.accessory")
    elif kind == "header":
        errors += _text(block["text"], LIMITS["header"], f"{at}.text")
    elif kind == "context":
        errors += _count(block["elements"], COUNTS["context"], f"{at}.elements")
        for element in block["elements"]:
            errors += _text(element, LIMITS["section"], f"{at}.elements")
    elif kind == "actions":
        errors += _count(block["elements"], COUNTS["actions"], f"{at}.elements")
        ids = [e.get("action_id") for e in block["elements"] if e.get("action_id")]
        errors += [f"{at}: action_id {i!r} used twice" for i in sorted(set(ids)) if ids.count(i) > 1]
        for element in block["elements"]:
            errors += _element(element, f"{at}.elements")
    elif kind == "input":
        errors += _text(block["label"], LIMITS["label"], f"{at}.label")
        if "hint" in block:
            errors += _text(block["hint"], LIMITS["label"], f"{at}.hint")
        errors += _element(block["element"], f"{at}.element")
    elif kind != "divider":
        errors.append(f"{at}: unexpected block type {kind}")
    return errors


def _element(element: dict[str, Any], at: str) -> list[str]:
    kind = element["type"]
    errors = _length(element.get("action_id", ""), LIMITS["id"], f"{at}.action_id")
    if "placeholder" in element:
        errors += _text(element["placeholder"], LIMITS["placeholder"], f"{at}.placeholder")
    if kind == "button":
        errors += _text(element["text"], LIMITS["button"], f"{at}.text")
        errors += _length(element.get("value", ""), LIMITS["button_value"], f"{at}.value")
    if kind in COUNTS:
        errors += _count(element["options"], COUNTS[kind], f"{at}.options")
    for option in element.get("options", []):
        errors += _text(option["text"], LIMITS["option"], f"{at}.option.text")
        errors += _length(option["value"], LIMITS["option_value"], f"{at}.option.value")
        if "description" in option:
            errors += _text(option["description"], LIMITS["option_description"], f"{at}.option")
    if kind == "plain_text_input":
        most = element.get("max_length", LIMITS["max_length"])
        if most > LIMITS["max_length"]:
            errors.append(f"{at}.max_length {most} over 3000")
        errors += _length(element.get("initial_value", ""), most, f"{at}.initial_value")
    return errors


def _text(obj: dict[str, Any], most: int, at: str) -> list[str]:
    text = obj.get("text", "")
    if not text.strip():
        return [f"{at}: empty text"]
    return _length(text, most, at)


def _length(value: str, most: int, at: str) -> list[str]:
    return [f"{at}: {len(value)} characters, more than {most}"] if len(value) > most else []


def _count(items: list[Any], most: int, at: str) -> list[str]:
    return [f"{at}: {len(items)} items, more than {most}"] if len(items) > most else []
