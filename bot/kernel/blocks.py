"""Small Block Kit pieces shared by messages and modals (pure).

Every piece stays inside Slack's documented limits (see docs.slack.dev's Block Kit reference): a
label that would be too long is shortened with a visible "…", and long mrkdwn is split across blocks
by `split_text` rather than cut. Text given to `mrkdwn` must already fit: it refuses what would not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.kernel import blocks_limits as limits
from bot.kernel.blocks_limits import slack_length

# Slack's limits, from the one table the emulator checks against too.
MAX_TEXT = limits.SECTION_TEXT  # a section's (or a context element's) text
HEADER_TEXT = limits.HEADER_TEXT
PLACEHOLDER_TEXT = limits.PLACEHOLDER
BUTTON_TEXT = limits.BUTTON_TEXT
OPTION_TEXT = limits.OPTION_TEXT
OPTION_VALUE = limits.OPTION_VALUE
VIEW_TITLE = limits.VIEW_TITLE  # a modal's title, submit and close
INPUT_LABEL = limits.INPUT_LABEL  # an input block's label and hint
ELLIPSIS = "…"


def within(text: str, units: int) -> int:
    """The length of the longest prefix of `text` that is at most `units` long as Slack counts
    (UTF-16 code units: an emoji outside the BMP counts twice)."""
    if len(text) == slack_length(text):
        return min(units, len(text))
    count = 0
    for index, char in enumerate(text):
        count += 2 if ord(char) > 0xFFFF else 1
        if count > units:
            return index
    return len(text)


def clip(text: str, limit: int) -> str:
    """Plain text shortened to `limit` characters with a visible "…" (never silently)."""
    if slack_length(text) <= limit:
        return text
    return text[: within(text, limit - 1)].rstrip() + ELLIPSIS


def plain(text: str, limit: int = HEADER_TEXT) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def title(text: str) -> dict[str, Any]:
    """A modal's title, submit or close label: at most 24 characters."""
    return plain(text, VIEW_TITLE)


def mrkdwn(text: str) -> dict[str, Any]:
    if slack_length(text) > MAX_TEXT:
        raise ValueError("section text over Slack's 3000-character limit: condense before rendering")
    return {"type": "mrkdwn", "text": text}


def _safe_cut(text: str, at: int) -> int:
    """The last place at or before `at` that is not inside an escape (&amp;) or a <…> token."""
    amp = text.rfind("&", max(0, at - 5), at)  # an escape is at most five characters: &amp;
    if amp != -1 and ";" not in text[amp:at]:
        at = amp
    opened = text.rfind("<", 0, at)
    if opened != -1 and ">" not in text[opened:at]:
        at = opened
    return at


def fit(text: str, limit: int) -> str:
    """Escaped mrkdwn shortened to `limit` characters with a visible "…", never inside an escape or a
    <…> token (mentions, dates, links), so what is shown is still what was typed."""
    if slack_length(text) <= limit:
        return text
    return text[: _safe_cut(text, within(text, limit - 1))].rstrip() + ELLIPSIS


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Escaped mrkdwn in pieces of at most `limit` characters, for one block each. It breaks at line
    ends where it can, else at a space, never inside an escape or a <…> token; nothing is dropped."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        joined = f"{current}\n{line}" if current else line
        if slack_length(joined) <= limit:
            current = joined
            continue
        pieces.append(current)
        while slack_length(line) > limit:
            cut = _break_at(line, within(line, limit))
            pieces.append(line[:cut])
            line = line[cut:]
        current = line
    pieces.append(current)
    return [piece for piece in pieces if piece.strip()] or [" "]


def _break_at(line: str, limit: int) -> int:
    cut = _safe_cut(line, limit)
    space = line.rfind(" ", limit // 2, cut)
    if space > 0:
        return space + 1
    return cut if cut > 0 else limit


def section(
    text: str, *, accessory: dict[str, Any] | None = None, block_id: str | None = None
) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(text)}
    if accessory:
        block["accessory"] = accessory
    if block_id:
        block["block_id"] = block_id
    return block


def sections(text: str) -> list[dict[str, Any]]:
    """Long mrkdwn as as many section blocks as it needs (see split_text)."""
    return [section(piece) for piece in split_text(text)]


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(text)]}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(text, HEADER_TEXT)}


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, BUTTON_TEXT),
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def actions(*elements: dict[str, Any], block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "actions", "elements": list(elements)}
    if block_id:
        block["block_id"] = block_id
    return block


def option(value: str, label: str) -> dict[str, Any]:
    if slack_length(value) > OPTION_VALUE:
        raise ValueError(f"an option's value is over Slack's {OPTION_VALUE}-character limit")
    return {"text": plain(label, OPTION_TEXT), "value": value}


def options(choices: Mapping[str, str]) -> list[dict[str, Any]]:
    return [option(value, label) for value, label in choices.items()]


def input_block(
    block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None
) -> dict[str, Any]:
    element = {**element, "action_id": block_id}
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, INPUT_LABEL),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, INPUT_LABEL)
    return block
