"""Block Kit for reading notes: the ephemeral list, one note in a modal, and the amendment form. Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.ids import ActionId, Block, CallbackId
from bot.kernel.blocks import actions, button, context, fit, input_block, option, section, sections, title
from bot.kernel.rules_text import mention, slack_date, slack_escape
from bot.notes.blocks import KEEP, KEEP_LABEL, REQUIRED, day_text, section_block
from bot.notes.rules import DECISION, PEOPLE, NoteRecord, VersionRecord
from bot.notes.rules_drafting import MAX_FIELD
from bot.notes.rules_sharing import as_line

REASON_MAX = 500
LIST_MAX = 40  # notes listed in one message (50 blocks); older ones are counted, and exported in full
VIEW_BLOCKS = 100  # a modal holds 100 blocks
ACTIONS_MAX = 25  # elements in one actions block
DIFFERENCES_SHOWN = 3  # open differences of view shown with a button in a note; the rest are counted
DIFFERENCE_QUOTED = 200  # characters of a difference's words shown beside its button
STATUS = {"open": "open", "done": "done", "cannot": "can't be done"}


def note_list(
    reference: str, case_id: int, notes: list[NoteRecord], *, closed: bool = False, earlier: bool = False
) -> tuple[str, list[dict[str, Any]]]:
    """`closed`: the case is closed (said in the heading); `earlier`: its reference was used before, by a
    closed case whose notes `/case notes REF earlier` lists (a re-referred child's history stays in view)."""
    ref = slack_escape(reference)
    before = [context(f"This reference was used before: `/case notes {ref} earlier` lists its notes.")]
    if not notes:
        text = f"Case *{ref}*{' (closed)' if closed else ''} has no notes yet."
        return text, [section(text), *(before if earlier else [])]
    shown = notes[-LIST_MAX:]
    blocks: list[dict[str, Any]] = [section(f"*Notes for case {ref}{' (closed)' if closed else ''}*")]
    if earlier:
        blocks += before
    if len(notes) > len(shown):
        blocks.append(context(f"{len(notes) - len(shown)} older notes are in `/case export`."))
    for note in reversed(shown):
        current = note.current
        amended = f" · version {current.version}, amended" if current.version > 1 else ""
        line = (
            f"*Note {note.number}* · {note.type_title} · {slack_date(note.event_at, with_time=False)}"
            f" · recorded by {mention(current.recorder_id)}{amended}"
        )
        blocks.append(section(line, accessory=button("Show", ActionId.NOTE_SHOW, f"{case_id}:{note.number}")))
    return f"Notes for case {reference}", blocks


def note_modal(
    reference: str,
    case_id: int,
    note: NoteRecord,
    version: VersionRecord,
    *,
    may_amend: bool,
    differences: Sequence[tuple[int, str, str, datetime]] = (),
) -> dict[str, Any]:
    """One version of a note, readable; the buttons show the other versions and offer Amend. Long text
    is split over blocks; a note too long for one view ends with a line saying how much is left for
    `/case export`, and the buttons always stay."""
    latest = version.version == note.current.version
    status = (
        "current version" if latest else f"an earlier version (the current one is {note.current.version})"
    )
    head: list[dict[str, Any]] = [
        section(
            f"*Case {slack_escape(reference)} · note {note.number}* · {note.type_title}\n"
            f"Version {version.version}, {status}."
        ),
        context(
            f"Held {slack_date(note.event_at)} · recorded {slack_date(version.recorded_at)} by "
            f"{mention(version.recorder_id)} · content hash `{version.content_hash[:12]}`"
        ),
    ]
    body: list[dict[str, Any]] = []
    if version.amendment_reason:
        body += sections(f"*Why it was amended*\n{slack_escape(version.amendment_reason)}")
    for part in version.sections:  # the participants first, named once with their roles
        if part.key == PEOPLE and part.entries:
            body += sections(f"*{slack_escape(part.title)}*\n{_people_line(part.entries)}")
            continue
        lines = [part.text] if part.text else []
        lines += [f"• {as_line(entry)}" for entry in part.entries if part.key not in (PEOPLE, DECISION)]
        body += sections(f"*{slack_escape(part.title)}*\n{slack_escape(chr(10).join(lines))}")
    if version.actions:
        body += sections("\n".join(["*Actions*", *_action_lines(note, version, latest=latest)]))
    tail = _open_differences(differences) + _version_buttons(
        case_id, note, version, may_amend=may_amend and latest
    )
    room = VIEW_BLOCKS - len(head) - len(tail)
    if len(body) > room:
        left = len(body) - (room - 1)
        body = body[: room - 1] + [
            context(
                f"+ {left} more {'part' if left == 1 else 'parts'} of this note did not fit in Slack's "
                "view: `/case export` sends you all of it."
            )
        ]
    return {
        "type": "modal",
        "title": title(f"Note {note.number}"),
        "close": title("Close"),
        "blocks": head + body + tail,
    }


def _action_lines(note: NoteRecord, version: VersionRecord, *, latest: bool) -> list[str]:
    states = {s.number: s for s in note.action_states}
    lines = []
    for action in version.actions:
        state = states.get(action.number)
        who = mention(action.owner_id) if action.owner_id else "no owner"
        due = day_text(state.due if state and state.due else action.due) if action.due else "no date"
        where = f" — {STATUS.get(state.status, state.status)}" if state and latest else ""
        done = (
            f"\n   Done looks like: {slack_escape(action.done_looks_like)}" if action.done_looks_like else ""
        )
        lines.append(f"{action.number}. {slack_escape(action.text)} ({who}, by {due}){where}{done}")
    return lines


def _version_buttons(
    case_id: int, note: NoteRecord, version: VersionRecord, *, may_amend: bool
) -> list[dict[str, Any]]:
    """Amend (if allowed) and a button per other version, newest first, in one actions block; versions
    beyond that are counted, not dropped silently."""
    others = [v.version for v in reversed(note.versions) if v.version != version.version]
    room = ACTIONS_MAX - (1 if may_amend else 0)
    # Slack refuses two elements with one action_id in a block: each version button has its own.
    buttons = [
        button(f"Version {n}", f"{ActionId.NOTE_SHOW}:v{n}", f"{case_id}:{note.number}:{n}")
        for n in others[:room]
    ]
    if may_amend:
        buttons.insert(0, button("Amend", ActionId.NOTE_AMEND, f"{case_id}:{note.number}", style="primary"))
    blocks: list[dict[str, Any]] = [actions(*buttons)] if buttons else []
    if len(others) > room:
        left = len(others) - room
        more = "version" if left == 1 else "versions"
        blocks.append(context(f"+ {left} earlier {more}: `/case export` has every version."))
    return blocks


def _people_line(entries: Sequence[Mapping[str, str]]) -> str:
    """Who took part: the name kept at sign-off, or (when nobody could name them then) a mention, which
    Slack shows as their name; never a bare Slack id."""
    return "; ".join(
        f"{mention(e['id']) if e.get('name') in (None, '', e['id']) else slack_escape(e['name'])}, "
        f"{slack_escape(e.get('role') or 'took part')}"
        for e in entries
    )


def _open_differences(found: Sequence[tuple[int, str, str, datetime]]) -> list[dict[str, Any]]:
    """The differences of view this note's discussion left open, each with *Resolve or escalate*."""
    blocks: list[dict[str, Any]] = []
    for item_id, words, author, marked_at in found[:DIFFERENCES_SHOWN]:
        quoted = (
            fit(slack_escape(words), DIFFERENCE_QUOTED)
            if words
            else "(its words were deleted after sign-off)"
        )
        blocks.append(
            section(
                f"*Difference of view still open*\n{quoted}\n_{mention(author)}, {marked_at:%d %b %Y}_",
                accessory=button("Resolve or escalate", ActionId.DIFFERENCE_RESOLVE, str(item_id)),
            )
        )
    if len(found) > DIFFERENCES_SHOWN:
        blocks.append(context(f"+ {len(found) - DIFFERENCES_SHOWN} more open: see the case card."))
    return blocks


def amend_modal(
    reference: str, case_id: int, note: NoteRecord, sections: list[tuple[str, str, str]]
) -> dict[str, Any]:
    """The current version's sections to edit, and the reason (required). `sections`: (key, title, text)."""
    blocks: list[dict[str, Any]] = [
        section(
            f"Amend note {note.number} of case *{slack_escape(reference)}*. The signed-off version stays "
            "as it was; this becomes a new version with your reason."
        ),
        input_block(
            Block.AMEND_REASON,
            "Why are you amending it?",
            {"type": "plain_text_input", "multiline": True, "max_length": REASON_MAX},
        ),
    ]
    for key, heading, text in sections:
        element: dict[str, Any] = {"type": "plain_text_input", "multiline": True, "max_length": MAX_FIELD}
        if text:
            element["initial_value"] = text
        blocks.append(input_block(section_block(key), heading, element, optional=key not in REQUIRED))
    blocks.append(
        input_block(
            Block.KEEP_CHECKED,
            "Checks",
            {"type": "checkboxes", "options": [option(KEEP, KEEP_LABEL)]},
            optional=True,
        )
    )
    return {
        "type": "modal",
        "callback_id": CallbackId.AMEND,
        "title": title(f"Amend note {note.number}"),
        "submit": title("Save new version"),
        "close": title("Back"),
        "private_metadata": json.dumps(
            {"case_id": case_id, "number": note.number, "base": note.current.version}
        ),
        "blocks": blocks,
    }


def amended_text(user_id: str, number: int, version: int) -> str:
    return (
        f":pencil2: {mention(user_id)} amended note {number}: it is now version {version}. "
        "The earlier version stays readable with `/case notes`."
    )
