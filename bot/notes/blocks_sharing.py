"""Block Kit for the summary form's information-sharing decisions: one row of fields per decision. Pure.

Each ``Shared:`` item marked in the discussion is a row, pre-filled with what its words said
(bot.notes.rules_sharing), then one blank row for a decision not marked. Six blocks a row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.kernel.blocks import context, input_block, option
from bot.notes import rules_sharing as sharing

SHARING_ROWS = 4  # marked decisions shown as rows (6 blocks each); one blank row is always added
FIELD_MAX = 500
WHAT_MAX = 1000
SHARING_PREFIX = "shr_"
HINTS = {
    "with_whom": "A role or agency (the school, the GP), not a person's name.",
    "basis": "E.g. consent, child protection (s47), a legal duty, a court order.",
}


def sharing_block(row: int, part: str) -> str:
    return f"{SHARING_PREFIX}{row}_{part}"


def sharing_rows(entries: Sequence[Mapping[str, str]]) -> list[dict[str, Any]]:
    """The rows for `entries` (at most SHARING_ROWS, the rest counted) and one blank row."""
    shown = list(entries[:SHARING_ROWS]) + [{}]
    blocks: list[dict[str, Any]] = []
    for number, entry in enumerate(shown, start=1):
        blocks.extend(_row(number, entry, blank=number == len(shown)))
    if len(entries) > SHARING_ROWS:
        left = len(entries) - SHARING_ROWS
        blocks.append(
            context(
                f"{left} more marked decision{'s' if left != 1 else ''} to share information did not fit "
                "here; add each one still needed to the Information sharing box above."
            )
        )
    return blocks


def _text(value: str, limit: int, *, multiline: bool = False) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "max_length": limit, "multiline": multiline}
    if value:
        element["initial_value"] = value[:limit]
    return element


def _row(number: int, entry: Mapping[str, str], *, blank: bool) -> list[dict[str, Any]]:
    consent: dict[str, Any] = {
        "type": "static_select",
        "options": [option(key, text) for key, text in sharing.CONSENT.items()],
    }
    if entry.get("consent") in sharing.CONSENT:
        consent["initial_option"] = option(entry["consent"], sharing.CONSENT[entry["consent"]])
    what = "Another decision to share information (optional)" if blank else f"Sharing decision {number}"
    blocks = [
        input_block(
            sharing_block(number, "what"),
            what,
            _text(entry.get("what", ""), WHAT_MAX, multiline=True),
            optional=True,
        )
    ]
    for field in sharing.FIELDS[1:]:
        element = consent if field == "consent" else _text(entry.get(field, ""), FIELD_MAX)
        blocks.append(
            input_block(
                sharing_block(number, field),
                sharing.LABELS[field],
                element,
                optional=True,
                hint=HINTS.get(field),
            )
        )
    return blocks


def read_sharing(values: Mapping[str, Mapping[str, Any]]) -> tuple[tuple[int, dict[str, str]], ...]:
    """(row number, entry) for each row with anything in it; fields left empty are ""."""
    rows: dict[int, dict[str, str]] = {}
    for block_id, fields in values.items():
        if not block_id.startswith(SHARING_PREFIX):
            continue
        number, _, part = block_id.removeprefix(SHARING_PREFIX).partition("_")
        if not number.isdigit() or part not in sharing.FIELDS:
            continue
        field: Mapping[str, Any] = fields.get(block_id) or next(iter(fields.values()), {})
        if part == "consent":
            value = ((field.get("selected_option") or {}).get("value")) or ""
        else:
            value = (field.get("value") or "").strip()
        rows.setdefault(int(number), {})[part] = value
    filled: list[tuple[int, dict[str, str]]] = []
    for row in sorted(rows):
        entry = {f: rows[row].get(f, "") for f in sharing.FIELDS}
        if any(entry.values()):
            filled.append((row, entry))
    return tuple(filled)
