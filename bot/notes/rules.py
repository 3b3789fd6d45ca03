"""Signed-off notes as plain data, and their content hash. Pure: no I/O, no clock.

A note's identity (its number in the case, type, event time) and each signed-off version (recorder,
recorded time, sections, actions as agreed, confirmed checks, amendment reason) are stored by
`storage/`; this module is what the rest of casebot reads them as: the export, the `/case notes`
views and the command line all render these records, so they cannot disagree about what a note says.

The content hash is sha256 over a canonical JSON form of what the recorder signed (type, event time,
recorder, participants, sections, actions, amendment reason). Anyone holding an export can recompute
it: `content_hash` documents the exact form, and the export's JSON schema says so. A section's
structured "entries" (information-sharing decisions, the participants) are in the hash when present.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

NOTE_TYPE_TITLES = {
    "discussion_with_colleague": "Discussion with colleague",
    "management_decision": "Management decision",
}
MANAGEMENT = "management_decision"
# A management decision's section that says which decision it was (entries {"kind", "outcome"}).
DECISION = "decision"

# A version's first section row: who took part, their names as Slack gave them at sign-off and their
# role in the case (entries {"id", "name", "role"}), so a note names people without asking Slack.
PEOPLE = "people"
PEOPLE_TITLE = "Participants"


@dataclass(frozen=True)
class SectionText:
    key: str  # one of bot.notes.rules_drafting.SECTIONS' keys, or PEOPLE
    title: str
    text: str
    # Structured fields, for a section that has them: each information-sharing decision
    # (rules_sharing.FIELDS), each participant (PEOPLE). Part of the signed content when present.
    entries: tuple[Mapping[str, str], ...] = ()


def section_json(section: SectionText) -> dict[str, Any]:
    """A section as stored, exported and hashed: "entries" only when it has any (so older notes hash
    exactly as they did)."""
    row: dict[str, Any] = {"key": section.key, "title": section.title, "text": section.text}
    if section.entries:
        row["entries"] = [dict(e) for e in section.entries]
    return row


def people_section(
    participants: Sequence[str], names: Mapping[str, str], roles: Mapping[str, str]
) -> SectionText:
    """Who took part, named and with their role in the case, once."""
    entries = tuple(
        {"id": p, "name": names.get(p) or p, "role": roles.get(p) or "took part"} for p in participants
    )
    text = "; ".join(f"{e['name']}, {e['role']}" for e in entries)
    return SectionText(PEOPLE, PEOPLE_TITLE, text, entries)


@dataclass(frozen=True)
class ActionText:
    """An action as the recorder agreed it in one version of a note."""

    number: int
    text: str
    owner_id: str | None
    due: date | None
    done_looks_like: str | None


@dataclass(frozen=True)
class ActionState:
    """Where an action has got to since (follow-ups change this, never the signed version)."""

    number: int
    status: str  # open | done | cannot
    due: date | None  # the current due date: Need more time moves it
    reason: str | None = None  # why it can't be done
    changed_at: datetime | None = None
    changed_by: str | None = None


@dataclass(frozen=True)
class Confirmation:
    """A check the recorder saw and kept: its stable key, kind, masked message and which field."""

    key: str
    kind: str
    message: str
    field: str


@dataclass(frozen=True)
class VersionRecord:
    version: int
    recorded_at: datetime
    recorder_id: str
    amendment_reason: str | None
    participants: tuple[str, ...]
    sections: tuple[SectionText, ...]
    actions: tuple[ActionText, ...]
    confirmations: tuple[Confirmation, ...]
    content_hash: str

    @property
    def names(self) -> dict[str, str]:
        """People's names as recorded at sign-off (empty for notes signed before names were kept)."""
        return {  # a name that is only the Slack id again (nobody could name them then) names nobody
            e["id"]: e["name"]
            for s in self.sections
            if s.key == PEOPLE
            for e in s.entries
            if e.get("name") and e["name"] != e["id"]
        }

    @property
    def record_sections(self) -> tuple[SectionText, ...]:
        """The sections a reader reads: everything but the participants row (shown on its own)."""
        return tuple(s for s in self.sections if s.key != PEOPLE)

    def section(self, key: str) -> SectionText | None:
        return next((s for s in self.sections if s.key == key), None)


@dataclass(frozen=True)
class NoteRecord:
    number: int
    note_type: str  # a NOTE_TYPE_TITLES key
    event_at: datetime
    mode: str  # "slack" (held in the case thread), "offline", or "management" (a management decision)
    framework: str | None  # the framework's name, for a discussion held in Slack
    versions: tuple[VersionRecord, ...]  # oldest first; the last is the current one
    action_states: tuple[ActionState, ...] = ()

    @property
    def current(self) -> VersionRecord:
        return self.versions[-1]

    @property
    def type_title(self) -> str:
        return NOTE_TYPE_TITLES.get(self.note_type, self.note_type)

    @property
    def decision(self) -> dict[str, str] | None:
        """A management decision's kind (supervision, review...) and outcome, as signed; None otherwise."""
        found = self.current.section(DECISION) if self.note_type == MANAGEMENT else None
        return dict(found.entries[0]) if found and found.entries else None


@dataclass(frozen=True)
class CaseNotes:
    """Everything exported for one case."""

    reference: str
    status: str  # open | closed
    notes: tuple[NoteRecord, ...]


def _action_json(action: ActionText) -> dict[str, Any]:
    return {
        "number": action.number,
        "text": action.text,
        "owner_id": action.owner_id,
        "due": action.due.isoformat() if action.due else None,
        "done_looks_like": action.done_looks_like,
    }


def canonical_content(
    *,
    note_type: str,
    event_at: datetime,
    recorder_id: str,
    participants: Sequence[str],
    sections: Sequence[SectionText],
    actions: Sequence[ActionText],
    amendment_reason: str | None,
) -> str:
    """The exact text the content hash is taken over: compact JSON, keys sorted, UTF-8, times in UTC
    ISO 8601 with offset, sections and actions in their recorded order."""
    document = {
        "note_type": note_type,
        "event_at": event_at.isoformat(),
        "recorder_id": recorder_id,
        "participants": list(participants),
        "sections": [section_json(s) for s in sections],
        "actions": [_action_json(a) for a in actions],
        "amendment_reason": amendment_reason,
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(**content: Any) -> str:
    """sha256 (hex) of `canonical_content(**content)`."""
    return hashlib.sha256(canonical_content(**content).encode("utf-8")).hexdigest()


def hash_matches(note: NoteRecord, version: VersionRecord) -> bool:
    """Whether a stored version still says what was signed (a tampered row no longer matches)."""
    return version.content_hash == content_hash(
        note_type=note.note_type,
        event_at=note.event_at,
        recorder_id=version.recorder_id,
        participants=version.participants,
        sections=version.sections,
        actions=version.actions,
        amendment_reason=version.amendment_reason,
    )


def sections_from(rows: Sequence[Mapping[str, Any]]) -> tuple[SectionText, ...]:
    return tuple(
        SectionText(r["key"], r["title"], r["text"], tuple(dict(e) for e in r.get("entries") or ()))
        for r in rows
    )


def actions_from(rows: Sequence[Mapping[str, Any]]) -> tuple[ActionText, ...]:
    return tuple(
        ActionText(
            number=r["number"],
            text=r["text"],
            owner_id=r.get("owner_id"),
            due=date.fromisoformat(r["due"]) if r.get("due") else None,
            done_looks_like=r.get("done_looks_like"),
        )
        for r in rows
    )


def actions_json(actions: Sequence[ActionText]) -> list[dict[str, Any]]:
    return [_action_json(a) for a in actions]
