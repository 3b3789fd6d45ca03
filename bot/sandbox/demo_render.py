"""Block Kit as plain lines for `casebot demo`: messages, forms, and what changed when one is edited.

Nothing here knows the bot's wording: it renders whatever blocks the emulator recorded, so the demo
keeps reading right as the messages change.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from datetime import date
from typing import Any

Json = dict[str, Any]

WIDTH = 104  # a form's fields, and short bullets of a list, share a line up to this width
VALUE = 40  # a field's value is cut to this many characters
ROWS = 1  # a form shows at most this many lines of filled-in fields
BUTTONS = "\0"  # marks a row of buttons, printed at the end of the line before it
RESEMBLES = 0.6  # a changed line this similar to an old one is that line reworded, not a new one
DIVIDER = "—" * 20
BULLET = 40  # a run of three or more bullets this long or shorter is printed as one line

# The emoji the bot uses, as Slack shows them; any other :name: stays as written.
EMOJI = {
    "white_check_mark": "✅",
    "hourglass_flowing_sand": "⏳",
    "warning": "⚠️",
    "speech_balloon": "💬",
    "memo": "📝",
    "calendar": "📅",
    "rotating_light": "🚨",
    "bell": "🔔",
    "alarm_clock": "⏰",
    "lock": "🔒",
    "x": "❌",
    "eyes": "👀",
    "pushpin": "📌",
    "ballot_box_with_check": "☑️",
    "handshake": "🤝",
    "clipboard": "📋",
    "paperclip": "📎",
}
_EMOJI = re.compile(r":([a-z0-9_+-]+):")


def emoji(text: str) -> str:
    return _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group()), text)


def message_lines(blocks: list[Json] | None, fallback: str) -> list[str]:
    """A message as Slack shows it, one entry per line, without blank lines; a run of short bullets
    ("• Visits: Shared") shares lines."""
    if not blocks:
        return [line for line in fallback.splitlines() if line.strip()] or [""]
    lines: list[str] = []
    for block in blocks:
        for line in _block(block):
            if line.startswith(BUTTONS) and lines:  # buttons follow the text they act on
                lines[-1] += "  " + line.removeprefix(BUTTONS)
            else:
                lines.append(line.removeprefix(BUTTONS))
    return _pack_bullets([line for line in lines if line.strip()])


JOIN = "\1"
_HEADING = re.compile(r"\*[^*]+\*")


def _join_headings(lines: list[str]) -> list[str]:
    """A bold heading on a line of its own ("*Purpose or focus*") and the one line of text after it
    become one line; a heading over a list keeps its own line."""
    joined: list[str] = []
    for i, line in enumerate(lines):
        after = lines[i + 1] if i + 1 < len(lines) else ""
        single = not after.startswith(("• ", "1. ")) and not _HEADING.fullmatch(after)
        if joined and joined[-1].endswith(JOIN):
            joined[-1] = joined[-1][:-1] + " " + line
        elif _HEADING.fullmatch(line) and after and single:
            joined.append(line + JOIN)
        else:
            joined.append(line)
    return joined


def _pack_bullets(lines: list[str]) -> list[str]:
    packed: list[str] = []
    run: list[str] = []

    def end_run() -> None:
        if len(run) < 3:
            packed.extend(run)
        else:
            packed.extend(_rows([line.removeprefix("• ") for line in run], "• ", "• ", "; "))
        run.clear()

    for line in lines:
        if line.startswith("• ") and len(line) <= BULLET:
            run.append(line)
        else:
            end_run()
            packed.append(line)
    end_run()
    return packed


def _rows(items: list[str], first: str, rest: str, joiner: str) -> list[str]:
    """`items` joined into lines of at most WIDTH characters (an item longer than that gets its own)."""
    rows: list[str] = []
    row = ""
    for item in items:
        if row and len(row) + len(joiner) + len(item) > WIDTH:
            rows.append(row)
            row = ""
        row = f"{row}{joiner}{item}" if row else f"{rest if rows else first}{item}"
    return [*rows, row] if row else rows


def _block(block: Json) -> list[str]:
    kind = block.get("type")
    if kind == "header":
        return [f"== {block['text']['text']} =="]
    if kind == "section":
        text = (block.get("text") or {}).get("text", "")
        if accessory := block.get("accessory"):
            label = (accessory.get("text") or accessory.get("placeholder") or {}).get("text", "")
            text += f"  [{label}]" if label else ""
        fields = [f.get("text", "") for f in block.get("fields", [])]
        return [*text.splitlines(), *fields] if text else fields
    if kind == "context":
        return " ".join(e.get("text", "") for e in block.get("elements", [])).splitlines()
    if kind == "actions":
        return [BUTTONS + "  ".join(f"[{_label(e)}]" for e in block.get("elements", []))]
    if kind == "divider":
        return [DIVIDER]
    if kind == "input":
        return [_field(block)]
    return []


def home_lines(blocks: list[Json]) -> list[str]:
    """An App Home tab as a person reads it: each row with its buttons on its first line (the buttons
    act on the case the row names), without the tab's title and dividers."""
    lines: list[str] = []
    row = 0  # where the last section began: its buttons go on its first line
    for block in blocks:
        kind = block.get("type")
        if kind in ("header", "divider"):
            continue
        if kind == "actions" and lines:
            lines[row] += "  " + _block(block)[0].removeprefix(BUTTONS)
            continue
        if kind == "section":
            row = len(lines)
        lines += [line.removeprefix(BUTTONS) for line in _block(block)]
    return [line for line in lines if line.strip()]


def _label(element: Json) -> str:
    return str((element.get("text") or element.get("placeholder") or {}).get("text", ""))


def _field(block: Json) -> str:
    label = block.get("label", {}).get("text", "")
    value = input_value(block.get("element", {}))
    return f"{label}: {value}" if value else label


def input_value(element: Json) -> str:
    """What an input shows before anyone types: its initial value, briefly, or "" when empty."""
    if text := element.get("initial_value"):
        lines = str(text).splitlines()
        first = textwrap.shorten(lines[0], VALUE, placeholder=" …") if lines else ""
        return first + (f" (+{len(lines) - 1} more lines)" if len(lines) > 1 else "")
    if user := element.get("initial_user"):
        return f"<@{user}>"
    if users := element.get("initial_users"):
        return ", ".join(f"<@{u}>" for u in users)
    if day := element.get("initial_date"):
        return f"{date.fromisoformat(day):%a %-d %b %Y}"
    if time := element.get("initial_time"):
        return str(time)
    if option := element.get("initial_option"):
        return str(option["text"]["text"])
    if options := element.get("initial_options"):
        return ", ".join(o["text"]["text"] for o in options)
    return ""


def form_lines(blocks: list[Json]) -> list[str]:
    """A modal, briefly. A read-only one (a note) in full. A form: its text cut to one line a block,
    then its fields sharing lines: a text box filled in by the bot by its label only, a choice with
    what is chosen ("By when: Fri 11 Dec 2026"), then how many fields are empty and a few names."""
    if not any(block.get("type") == "input" for block in blocks):
        return _join_headings(message_lines(blocks, ""))
    lines: list[str] = []
    filled: list[str] = []
    empty: list[str] = []
    for block in blocks:
        label = block.get("label", {}).get("text", "")
        element = block.get("element", {})
        if block.get("type") != "input":
            if not lines:  # the form's first words say what it is for
                first = _block(block)[:1]
                lines += [
                    textwrap.shorten(line.removeprefix(BUTTONS), WIDTH, placeholder=" …") for line in first
                ]
        elif not input_value(element):
            empty.append(label)
        elif element.get("type") == "plain_text_input":
            filled.append(label)
        else:
            filled.append(f"{label}: {input_value(element)}")
    if filled:
        rows = _rows(filled, "filled in: ", "  ", " · ")
        shown = rows[:ROWS]
        if len(rows) > ROWS:
            left = len(filled) - sum(row.count(" · ") + 1 for row in shown)
            shown[-1] += f" · and {left} more"
        lines += shown
    if empty:
        named = " · ".join(empty[:4]) + (f" and {len(empty) - 4} more" if len(empty) > 4 else "")
        lines.append(f"empty: {named}")
    return lines


def changes(before: list[str], after: list[str]) -> list[str]:
    """What changed between two versions of a message: "+ " lines added or rewritten, "− " lines gone.

    A rewritten line shows only its new wording (the old one was printed before), and not at all when
    all that changed is that something at its end went (buttons, once they are done with). A message
    rewritten through shows only what it says now.
    """
    shown: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    if before != after and not any(op == "equal" for op, *_ in matcher.get_opcodes()):
        return ["+ " + line for line in after]  # rewritten through: what it says now is what matters
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        old, new = before[a1:a2], after[b1:b2]
        cut = [line for line in new if any(o.startswith(line) for o in old)]  # only an end went
        old = [o for o in old if not any(o.startswith(line) for line in cut)]
        added = [line for line in new if line not in cut]
        shown += ["+ " + line for line in added]
        # A line with buttons replaced by what happened ("please agree [Agree]" by "agreed") is not
        # printed as removed: the new line says it.
        gone = [o for o in old if not (added and o.endswith("]") and "  [" in o)]
        shown += ["− " + o for o in gone if not any(_alike(o, line) for line in added)]
    moved = {line for line in shown if line.startswith("+ ")}  # a line that moved is said where it went
    return [
        line
        for line in shown
        if not (line.startswith("− ") and "+ " + line[2:] in moved) and line[2:] != DIVIDER
    ]


def _alike(old: str, new: str) -> bool:
    """True when `new` reads as `old` reworded (the same line with another date, say)."""
    return difflib.SequenceMatcher(a=old, b=new, autojunk=False).ratio() >= RESEMBLES


_NAMES = re.compile(r"@[\w.-]+")
_NUMBERS = re.compile(r"\d+|\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\b")  # numbers and days: dates


def repeated(earlier: list[list[str]], lines: list[str]) -> tuple[list[str], list[str]] | None:
    """When `lines` is an earlier message again, only for another person or another date: (that
    message, the lines that say something new). Lines that differ only in whom they name are not new."""

    def unnamed(text: str) -> str:
        return _NAMES.sub("@", text)

    def shape(message: list[str]) -> list[str]:
        return [_NUMBERS.sub("0", unnamed(line)) for line in message]

    for before in reversed(earlier):
        if shape(before) == shape(lines):
            return before, [
                new for old, new in zip(before, lines, strict=True) if unnamed(old) != unnamed(new)
            ]
    return None


_MARKUP = re.compile(r"[*_~`>=]|:[a-z0-9_+-]+:")


def title(lines: list[str]) -> str:
    """A message's first words, to name it when it changes."""
    first = next((line for line in lines if line.strip()), "")
    return textwrap.shorten(_MARKUP.sub("", first).strip(), 60, placeholder=" …")
