"""Block Kit for the summary form (the note a recorder signs off) and the thread's confirmation. Pure.

The form is one text box per section of a good record (PRACTICE.md section 4), pre-filled with the
draft, then one row per action (what, who, by when, what done looks like) and a tick box for keeping
wording a check warned about. Ids travel in private_metadata; case text only in the boxes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import date
from typing import Any

from bot.ids import Block, CallbackId
from bot.kernel.blocks import MAX_TEXT, context, fit, input_block, option, section, title
from bot.kernel.rules_text import mention, slack_date, slack_escape
from bot.notes.blocks_sharing import read_sharing, sharing_rows
from bot.notes.rules import ActionText
from bot.notes.rules_drafting import MAX_FIELD, Draft

ACTION_ROWS = 10  # captured actions shown as rows (4 blocks each); one blank row is always added
DONE_MAX = 500
KEEP = "keep"
KEEP_LABEL = "Keep the wording a check warned about (tick after reading the warnings)"  # <= 75
SECTION_PREFIX = "sec_"
ACTION_PREFIX = "act_"
ACTION_PARTS = ("text", "owner", "due", "done")
METADATA_MAX = 3000  # a view's private_metadata
REQUIRED = ("happened", "childs_voice")  # sections a note is never signed off without


@dataclass(frozen=True)
class SummaryContext:
    """What the form carries through Slack: ids only."""

    case_id: int
    discussion_id: int | None  # None: a meeting held offline, recorded with /case record
    # People's names as Slack gave them when the form opened: kept with the note, so it names people.
    names: Mapping[str, str] = _field(default_factory=dict)

    def dumps(self) -> str:
        data = {"case_id": self.case_id, "discussion_id": self.discussion_id, "names": dict(self.names)}
        text = json.dumps(data, ensure_ascii=False)
        return text if len(text) <= METADATA_MAX else json.dumps({**data, "names": {}})

    @classmethod
    def loads(cls, raw: str | None) -> SummaryContext | None:
        try:
            data = json.loads(raw or "")
            discussion = data.get("discussion_id")
            names = {str(k): str(v) for k, v in (data.get("names") or {}).items()}
            return cls(int(data["case_id"]), int(discussion) if discussion is not None else None, names)
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


@dataclass(frozen=True)
class ActionRow:
    text: str = ""
    owner_id: str | None = None
    due: date | None = None
    done_looks_like: str = ""


@dataclass(frozen=True)
class Submitted:
    sections: dict[str, str]  # section key -> text as typed
    actions: tuple[tuple[int, ActionRow], ...]  # (row number, row) for rows with anything in them
    event_day: date | None
    keep: bool
    sharing: tuple[tuple[int, dict[str, str]], ...] = ()  # (row number, rules_sharing entry)


def section_block(key: str) -> str:
    return f"{SECTION_PREFIX}{key}"


def action_block(row: int, part: str) -> str:
    return f"{ACTION_PREFIX}{row}_{part}"


def summary_modal(
    *,
    reference: str,
    draft: Draft,
    actions: Sequence[ActionRow],
    more_actions: int,
    context_: SummaryContext,
    offline_day: date | None,
    retention_days: int,
    sharing: Sequence[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """The form, pre-filled. `offline_day`: ask when the meeting was (offline meetings only);
    `sharing`: the decisions to share information marked in the discussion, read into their fields."""
    blocks: list[dict[str, Any]] = [
        section(
            f"Summary for case *{slack_escape(reference)}*. Edit each part so it says what happened, "
            "then save to sign it off as a note. Keep names and identifying details out: the case "
            "reference is enough."
        ),
        context(fit(slack_escape(draft.header.text), MAX_TEXT)),
    ]
    if draft.condensed:
        blocks.append(
            context(
                "This was a long discussion, so replies are condensed here; every line that was left "
                f"out says so. The full capture stays in casebot for {retention_days} days after "
                "you save."
            )
        )
    if offline_day is not None:
        blocks.append(
            input_block(
                Block.EVENT_DAY,
                "When did you meet?",
                {"type": "datepicker", "initial_date": offline_day.isoformat()},
            )
        )
    for part in draft.sections:
        if part.key == "actions":
            continue  # actions are rows below, so each has an owner and a date
        blocks.append(
            input_block(
                section_block(part.key),
                part.title,
                {
                    "type": "plain_text_input",
                    "multiline": True,
                    "max_length": MAX_FIELD,
                    "initial_value": part.text,
                },
                optional=part.key not in REQUIRED,
            )
        )
        if part.key == "sharing":
            blocks.extend(sharing_rows(sharing))
    rows = list(actions[:ACTION_ROWS]) + [ActionRow()]
    for number, row in enumerate(rows, start=1):
        blocks.extend(_action_row(number, row, blank=number == len(rows)))
    if more_actions:
        blocks.append(
            context(
                f"{more_actions} more marked action{'s' if more_actions != 1 else ''} did not fit here; "
                "they are in the full capture. Add any still needed as new actions later."
            )
        )
    blocks.append(
        input_block(
            Block.KEEP_CHECKED,
            "Checks",
            {"type": "checkboxes", "options": [option(KEEP, KEEP_LABEL)]},
            optional=True,
            hint="If saving shows a warning next to a field, fix it, or tick this and save again.",
        )
    )
    return {
        "type": "modal",
        "callback_id": CallbackId.SUMMARY,
        "title": title("Discussion summary"),
        "submit": title("Save note"),
        "close": title("Not now"),
        "private_metadata": context_.dumps(),
        "blocks": blocks,
    }


def _action_row(number: int, row: ActionRow, *, blank: bool) -> list[dict[str, Any]]:
    what: dict[str, Any] = {"type": "plain_text_input", "multiline": True, "max_length": MAX_FIELD}
    if row.text:
        what["initial_value"] = row.text
    who: dict[str, Any] = {"type": "users_select"}
    if row.owner_id:
        who["initial_user"] = row.owner_id
    when: dict[str, Any] = {"type": "datepicker"}
    if row.due:
        when["initial_date"] = row.due.isoformat()
    done: dict[str, Any] = {"type": "plain_text_input", "max_length": DONE_MAX}
    if row.done_looks_like:
        done["initial_value"] = row.done_looks_like
    label = "Another action (optional)" if blank else f"Action {number}"
    return [
        input_block(action_block(number, "text"), label, what, optional=True),
        input_block(action_block(number, "owner"), "Who will do it", who, optional=True),
        input_block(action_block(number, "due"), "By when", when, optional=True),
        input_block(
            action_block(number, "done"),
            "What done looks like",
            done,
            optional=True,
            hint="How will everyone know it has been done?",
        ),
    ]


def read_summary(values: Mapping[str, Mapping[str, Any]]) -> Submitted:
    """The form's state as data. Rows left empty are dropped; nothing else is."""
    sections: dict[str, str] = {}
    rows: dict[int, dict[str, Any]] = {}
    event_day: date | None = None
    keep = False
    for block_id, fields in values.items():
        field: Mapping[str, Any] = fields.get(block_id) or next(iter(fields.values()), {})
        if block_id.startswith(SECTION_PREFIX):
            sections[block_id.removeprefix(SECTION_PREFIX)] = (field.get("value") or "").strip()
        elif block_id.startswith(ACTION_PREFIX):
            number, _, part = block_id.removeprefix(ACTION_PREFIX).partition("_")
            if number.isdigit() and part in ACTION_PARTS:
                rows.setdefault(int(number), {})[part] = field
        elif block_id == Block.EVENT_DAY:
            event_day = _day(field.get("selected_date"))
        elif block_id == Block.KEEP_CHECKED:
            keep = any(o.get("value") == KEEP for o in field.get("selected_options") or [])
    actions: list[tuple[int, ActionRow]] = []
    for row_number in sorted(rows):
        parts = rows[row_number]
        row = ActionRow(
            text=((parts.get("text") or {}).get("value") or "").strip(),
            owner_id=(parts.get("owner") or {}).get("selected_user") or None,
            due=_day((parts.get("due") or {}).get("selected_date")),
            done_looks_like=((parts.get("done") or {}).get("value") or "").strip(),
        )
        if row != ActionRow():
            actions.append((row_number, row))
    return Submitted(sections, tuple(actions), event_day, keep, read_sharing(values))


def _day(raw: Any) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class SavedView:
    """What the thread is told when a note is saved: not the note, only what people act on."""

    number: int
    recorder_id: str
    decisions: tuple[str, ...]
    actions: tuple[ActionText, ...]
    next_discussion: Any  # an aware datetime, or None


CONFIRM_DECISIONS = 5
CONFIRM_ACTIONS = 8
CONFIRM_CHARS = 150
CONFIRM_MAX = 3000  # one section block's text


def saved_text(view: SavedView) -> str:
    """Within one section block whatever was recorded: a confirmation must never stop a note saving."""
    head = [f":memo: {mention(view.recorder_id)} saved the summary as *note {view.number}*."]
    body: list[str] = []
    if view.decisions:
        body.append("*Decisions*")
        body += [f"• {_clip(d)}" for d in view.decisions[:CONFIRM_DECISIONS]]
        if len(view.decisions) > CONFIRM_DECISIONS:
            body.append(f"• … and {len(view.decisions) - CONFIRM_DECISIONS} more in the note")
    if view.actions:
        body.append("*Actions*")
        for action in view.actions[:CONFIRM_ACTIONS]:
            who = mention(action.owner_id) if action.owner_id else "no owner yet"
            by = f"by {day_text(action.due)}" if action.due else "no date yet"
            body.append(f"• {_clip(action.text)} ({who}, {by})")
        if len(view.actions) > CONFIRM_ACTIONS:
            body.append(f"• … and {len(view.actions) - CONFIRM_ACTIONS} more in the note")
    tail = []
    if view.next_discussion is not None:
        tail.append(f"Next discussion: {slack_date(view.next_discussion)}.")
    tail.append("Members and the manager can read it with `/case notes`.")
    if len("\n".join(head + body + tail)) > CONFIRM_MAX:
        # Escaping can grow text (& becomes &amp;): stay inside the block and say the rest is in the note.
        more = "• … more in the note"
        while body and len("\n".join(head + body + [more] + tail)) > CONFIRM_MAX:
            body.pop()
        body.append(more)
    return "\n".join(head + body + tail)


def day_text(day: date) -> str:
    """A due date as people say it ("Fri 4 Dec 2026"): a date, not a moment, so no time zone."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def _clip(text: str) -> str:
    one_line = " ".join(text.split())
    if len(one_line) > CONFIRM_CHARS:
        one_line = one_line[: CONFIRM_CHARS - 1].rstrip() + "…"
    return slack_escape(one_line)
