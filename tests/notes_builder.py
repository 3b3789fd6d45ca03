"""Signed-off notes for tests: pure records for service tests, and ORM rows for flow, Slack and
command-line tests. Each version is the saving flow's own (`flows_save.signed_version`), content hash
included; the builder only chooses when it was recorded and how its actions stand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.notes.flows_save import signed_version
from bot.notes.rules import (
    ActionState,
    ActionText,
    Confirmation,
    NoteRecord,
    SectionText,
    VersionRecord,
    content_hash,
    people_section,
)
from bot.notes.rules_drafting import SECTIONS
from storage.models import (
    ActionStatus,
    Case,
    LearningEvidence,
    Note,
    NoteAction,
    NoteType,
)

EVENT = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)  # Wed 2 Dec 10:00 NZDT
TEXTS = {
    "purpose": "Is contact with dad still safe? Aroha & her brother <both> at school.",
    "happened": "We talked through the last three visits.\n# Not a heading\nSchool says attendance is up.",
    "analysis": "Our view of dad rests on one incident.",
    "childs_voice": "She says she wants Saturdays with dad.",
    "risk": "Scaled 6/10 by both.",
    "decisions": "Contact continues, supervised.",
    "actions": "Alex to ring the school by Friday.",
    "learning": "Sam: separating observation from inference.",
}


def sections(**changes: str) -> tuple[SectionText, ...]:
    texts = {**TEXTS, **changes}
    return tuple(SectionText(key, title, texts.get(key, "")) for key, title in SECTIONS)


NAMES = {"USAM0001": "Sam (newly qualified)", "UALEX001": "Alex (social worker)"}
ROLES = {"USAM0001": "co-worker", "UALEX001": "lead worker"}


def named_sections(
    participants: Sequence[str] = ("USAM0001", "UALEX001"), **changes: str
) -> tuple[SectionText, ...]:
    """The sections as a note signed since names are kept: who took part, named, then the text."""
    return (people_section(participants, NAMES, ROLES), *sections(**changes))


def actions(owner: str = "UALEX001") -> tuple[ActionText, ...]:
    return (
        ActionText(
            1, "Ring the school about attendance", owner, date(2026, 12, 4), "We know the last 4 weeks"
        ),
        ActionText(2, "Book the next family meeting", None, None, None),
    )


@dataclass
class Version:
    recorder_id: str = "USAM0001"
    participants: tuple[str, ...] = ("USAM0001", "UALEX001")
    sections: tuple[SectionText, ...] = field(default_factory=sections)
    actions: tuple[ActionText, ...] = field(default_factory=actions)
    amendment_reason: str | None = None
    confirmations: tuple[Confirmation, ...] = ()
    recorded_after: timedelta = timedelta(hours=2)


def hash_of(version: Version, *, event_at: datetime, note_type: str = NoteType.DISCUSSION.value) -> str:
    return content_hash(
        note_type=note_type,
        event_at=event_at,
        recorder_id=version.recorder_id,
        participants=version.participants,
        sections=version.sections,
        actions=version.actions,
        amendment_reason=version.amendment_reason,
    )


def record(
    *versions: Version,
    number: int = 1,
    event_at: datetime = EVENT,
    states: Sequence[ActionState] = (),
    mode: str = "slack",
    framework: str | None = "Critical friend",
) -> NoteRecord:
    versions = versions or (Version(),)
    return NoteRecord(
        number=number,
        note_type=NoteType.DISCUSSION.value,
        event_at=event_at,
        mode=mode,
        framework=framework,
        versions=tuple(
            VersionRecord(
                version=i,
                recorded_at=event_at + v.recorded_after + timedelta(days=i - 1),
                recorder_id=v.recorder_id,
                amendment_reason=v.amendment_reason,
                participants=v.participants,
                sections=v.sections,
                actions=v.actions,
                confirmations=v.confirmations,
                content_hash=hash_of(v, event_at=event_at),
            )
            for i, v in enumerate(versions, start=1)
        ),
        action_states=tuple(states),
    )


def add_note(
    session: Session,
    case: Case,
    *versions: Version,
    event_at: datetime = EVENT,
    states: dict[int, ActionStatus] | None = None,
    learning_for: int | None = None,
) -> Note:
    """Rows for one signed-off note of `case` (numbered next), its versions and the current actions."""
    versions = versions or (Version(),)
    number = 1 + max((n.number for n in session.query(Note).filter(Note.case_id == case.id)), default=0)
    note = Note(
        team_id=case.team_id,
        case_id=case.id,
        number=number,
        note_type=NoteType.DISCUSSION,
        event_at=event_at,
        created_at=event_at + versions[0].recorded_after,
        latest_version=len(versions),
    )
    session.add(note)
    session.flush()
    for i, v in enumerate(versions, start=1):
        # The saving flow's own signed version (its content hash included), as recorded then.
        session.add(
            signed_version(
                case,
                note,
                version=i,
                user_id=v.recorder_id,
                reason=v.amendment_reason,
                participants=v.participants,
                sections=v.sections,
                actions=v.actions,
                kept=[
                    {"key": c.key, "kind": c.kind, "message": c.message, "field": c.field}
                    for c in v.confirmations
                ],
                now=event_at + v.recorded_after + timedelta(days=i - 1),
            )
        )
    for action in versions[-1].actions:
        status = (states or {}).get(action.number, ActionStatus.OPEN)
        session.add(
            NoteAction(
                team_id=case.team_id,
                case_id=case.id,
                note_id=note.id,
                number=action.number,
                text=action.text,
                owner_id=action.owner_id,
                due=action.due,
                done_looks_like=action.done_looks_like,
                status=status,
                status_reason="The school is closed until January" if status == ActionStatus.CANNOT else None,
                status_at=event_at + timedelta(days=1) if status != ActionStatus.OPEN else None,
                status_by=action.owner_id if status != ActionStatus.OPEN else None,
                created_at=note.created_at,
            )
        )
    if learning_for is not None:
        session.add(
            LearningEvidence(
                team_id=case.team_id,
                person_id=learning_for,
                case_reference=case.reference,
                note_id=note.id,
                recorded_at=note.created_at,
            )
        )
    session.flush()
    return note
