"""A case's notes as an export: JSON for a case-management system, Markdown for people. Pure.

Both are built from `bot.notes.rules.CaseNotes`, so they say exactly what the `/case notes` views
say. JSON follows docs/notes-export.schema.json (`SCHEMA_ID`, `SCHEMA_VERSION`; docs/notes-export.md
has the versioning policy): every note, every version oldest first, each with its content hash, whether
that hash still matches what is stored, and the actions' current states. Times are UTC ISO 8601 with
an offset, exactly as the content hash took them, so an importer can recompute the hash.

Markdown wording lives in prompts/templates/notes_export.md.j2 (one version's body in
note_version_body.md.j2, shared with note_version.md.j2 for a single version); this module decides
what goes in (plain strings, times in the reader's zone with its abbreviation) and the caller passes
`render(name, context) -> str` over an environment that does NOT Slack-escape
(``Content.render_plain``): the file is read as Markdown, where "&amp;" would be shown literally.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from bot.notes.rules import (
    DECISION,
    PEOPLE,
    ActionState,
    ActionText,
    CaseNotes,
    NoteRecord,
    VersionRecord,
    actions_json,
    hash_matches,
    section_json,
)
from bot.notes.rules_sharing import as_line

SCHEMA_ID = "urn:casebot:schema:notes-export:2"
SCHEMA_VERSION = 2  # 2: management decision notes ("mode": "management", "decision")
TEMPLATE = "notes_export.md.j2"
VERSION_TEMPLATE = "note_version.md.j2"
FORMATS = ("md", "json")
FORMAT_NAMES = {"md": "Markdown", "json": "JSON"}
STATE_WORDS = {"open": "open", "done": "done", "cannot": "can't be done"}

Render = Callable[[str, Mapping[str, Any]], str]


def utc_iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _optional_iso(at: datetime | date | None) -> str | None:
    if at is None:
        return None
    return utc_iso(at) if isinstance(at, datetime) else at.isoformat()


# ------------------------------------------------------------------------ JSON
def to_json(notes: CaseNotes, *, exported_at: datetime, exported_by: str) -> dict[str, Any]:
    """The export document (a dict ready for `json.dumps`), valid against the v2 schema."""
    return {
        "schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "exported_at": utc_iso(exported_at),
        "exported_by": exported_by,
        "case": {"reference": notes.reference, "status": notes.status},
        "notes": [_note_json(note) for note in notes.notes],
    }


def _note_json(note: NoteRecord) -> dict[str, Any]:
    return {
        "number": note.number,
        "note_type": note.note_type,
        "type_title": note.type_title,
        "event_at": utc_iso(note.event_at),
        "mode": note.mode,
        "framework": note.framework,
        "decision": note.decision,
        "current_version": note.current.version,
        "versions": [_version_json(note, version) for version in note.versions],
        "action_states": [_state_json(state) for state in note.action_states],
    }


def _version_json(note: NoteRecord, version: VersionRecord) -> dict[str, Any]:
    return {
        "version": version.version,
        "recorded_at": utc_iso(version.recorded_at),
        "recorder_id": version.recorder_id,
        "amendment_reason": version.amendment_reason,
        "participants": list(version.participants),
        "sections": [section_json(s) for s in version.sections],
        "actions": actions_json(version.actions),
        "confirmations": [
            {"key": c.key, "kind": c.kind, "message": c.message, "field": c.field}
            for c in version.confirmations
        ],
        "content_hash": version.content_hash,
        "content_hash_matches": hash_matches(note, version),
    }


def _state_json(state: ActionState) -> dict[str, Any]:
    return {
        "number": state.number,
        "status": state.status,
        "due": _optional_iso(state.due),
        "reason": state.reason,
        "changed_at": _optional_iso(state.changed_at),
        "changed_by": state.changed_by,
    }


# -------------------------------------------------------------------- Markdown
def when(at: datetime, zone: tzinfo) -> str:
    """'Wed 2 Dec 2026, 10:00 NZDT': a moment as a person reads it, with the zone."""
    local = at.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"


def day(on: date) -> str:
    return f"{on:%a} {on.day} {on:%b %Y}"


_HEADING = re.compile(r"^([ \t]{0,3})(#|=+[ \t]*$|-{2,}[ \t]*$)", re.MULTILINE)


def md_text(text: str) -> str:
    """A person's text kept as text: a line they began with '#', or underlined with '===' or '---',
    cannot become a heading that would look like part of the export's own structure. Their lists and
    line breaks stay as they wrote them."""
    return _HEADING.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text.strip())


@dataclass(frozen=True)
class _People:
    """People by name: as recorded with the note, else as Slack says now; the Slack id only when
    neither knows them (a deleted account, say)."""

    names: Mapping[str, str]

    def __call__(self, user_id: str | None) -> str:
        if not user_id:
            return "nobody named"
        return self.names.get(user_id) or user_id

    def knowing(self, more: Mapping[str, str]) -> _People:
        return _People({**self.names, **more})


def to_markdown(
    notes: CaseNotes,
    *,
    exported_at: datetime,
    exported_by: str,
    zone: tzinfo,
    zone_name: str,
    render: Render,
    names: Mapping[str, str] | None = None,
) -> str:
    """The export for people: each note's current version first, then its earlier versions (newest
    first) with their amendment reasons, and where its actions have got to since."""
    person = _People(names or {})
    context = {
        "reference": notes.reference,
        "status": notes.status,
        "exported_at": when(exported_at, zone),
        "exported_by": person(exported_by) if exported_by != "cli" else "the casebot command line",
        "zone_name": zone_name,
        "count": len(notes.notes),
        "notes": [_note_view(note, zone, person) for note in notes.notes],
        "schema_version": SCHEMA_VERSION,
    }
    return render(TEMPLATE, context).rstrip() + "\n"


def version_to_markdown(
    reference: str,
    note: NoteRecord,
    version: int,
    *,
    zone: tzinfo,
    zone_name: str,
    render: Render,
    names: Mapping[str, str] | None = None,
) -> str:
    """One version of one note (`casebot notes show --version`). KeyError if it has no such version."""
    person = _People(names or {})
    found = {v.version: v for v in note.versions}
    if version not in found:
        raise KeyError(version)
    context = {
        "reference": reference,
        "zone_name": zone_name,
        "note": _note_view(note, zone, person),
        "version": _version_view(note, found[version], zone, person, current=version == note.current.version),
    }
    return render(VERSION_TEMPLATE, context).rstrip() + "\n"


def _note_view(note: NoteRecord, zone: tzinfo, person: _People) -> dict[str, Any]:
    person = person.knowing(note.current.names)
    agreed = {a.number: a for a in note.current.actions}
    return {
        "number": note.number,
        "title": note.type_title,
        "event_at": when(note.event_at, zone),
        "held": _held(note),
        "version_count": len(note.versions),
        "current": _version_view(note, note.current, zone, person, current=True),
        "earlier": [
            _version_view(note, v, zone, person, current=False) for v in reversed(note.versions[:-1])
        ],
        "states": [_state_view(s, agreed.get(s.number), zone, person) for s in note.action_states],
    }


def _held(note: NoteRecord) -> str:
    if note.mode == "management":
        return "by the manager (a management decision)"
    if note.mode == "slack":
        return f"in Slack, framework: {note.framework}" if note.framework else "in Slack"
    return "offline"


def _version_view(
    note: NoteRecord, version: VersionRecord, zone: tzinfo, person: _People, *, current: bool
) -> dict[str, Any]:
    person = person.knowing(version.names)
    people = version.section(PEOPLE)
    return {
        "version": version.version,
        "current": current,
        "recorded_at": when(version.recorded_at, zone),
        "recorder": person(version.recorder_id),
        "amendment_reason": md_text(version.amendment_reason) if version.amendment_reason else None,
        "participants": [f"{person(e['id'])}, {e['role']}" for e in people.entries]
        if people
        else [person(p) for p in version.participants],
        "sections": [
            {
                "title": s.title,
                "text": md_text(s.text),
                "entries": [md_text(as_line(e)) for e in s.entries if s.key != DECISION],
            }
            for s in version.record_sections
        ],
        "actions": [_action_view(a, person) for a in version.actions],
        "confirmations": [md_text(c.message) for c in version.confirmations],
        "content_hash": version.content_hash,
        "hash_matches": hash_matches(note, version),
    }


def _action_view(action: ActionText, person: _People) -> dict[str, Any]:
    return {
        "number": action.number,
        "text": md_text(action.text),
        "owner": person(action.owner_id) if action.owner_id else None,
        "due": day(action.due) if action.due else None,
        "done_looks_like": md_text(action.done_looks_like) if action.done_looks_like else None,
    }


def _state_view(
    state: ActionState, action: ActionText | None, zone: tzinfo, person: _People
) -> dict[str, Any]:
    return {
        "number": state.number,
        "text": md_text(action.text) if action else None,
        "status": STATE_WORDS.get(state.status, state.status),
        "due": day(state.due) if state.due else None,
        "reason": md_text(state.reason) if state.reason else None,
        "changed_at": when(state.changed_at, zone) if state.changed_at else None,
        "changed_by": person(state.changed_by) if state.changed_by else None,
    }


# ----------------------------------------------------------------------- files
def filename(reference: str, exported_at: datetime, fmt: str) -> str:
    """'CASE-2026-014-notes-20261202T0100Z.md': safe on any file system, sorted by time."""
    safe = re.sub(r"[^A-Za-z0-9-]+", "-", reference).strip("-") or "case"
    return f"{safe}-notes-{exported_at.astimezone(UTC):%Y%m%dT%H%M%SZ}.{fmt}"


def parse_format(word: str) -> str | None:
    """'md', 'markdown', 'json' (any case, an optional leading dot) -> 'md' | 'json'; else None."""
    word = word.lower().lstrip(".")
    return {"md": "md", "markdown": "md", "json": "json"}.get(word)
