"""Queries for the case-note store: notes, their versions, their actions, and records of them as data.

Keyword-only and never committing, like `storage.repository`: the flow owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.notes.rules import (
    ActionState,
    CaseNotes,
    Confirmation,
    NoteRecord,
    VersionRecord,
    actions_from,
    sections_from,
)
from storage.models import Case, Discussion, ExportFile, Note, NoteAction, NoteType, NoteVersion, SummaryCheck


def notes_of_case(session: Session, *, case_id: int) -> Sequence[Note]:
    return session.scalars(
        select(Note).where(Note.case_id == case_id).options(selectinload(Note.versions)).order_by(Note.number)
    ).all()


def note_by_number(session: Session, *, case_id: int, number: int) -> Note | None:
    return session.scalar(select(Note).where(Note.case_id == case_id, Note.number == number))


def note_of_discussion(session: Session, *, discussion_id: int) -> Note | None:
    return session.scalar(select(Note).where(Note.discussion_id == discussion_id))


def next_note_number(session: Session, *, case_id: int) -> int:
    return (session.scalar(select(func.max(Note.number)).where(Note.case_id == case_id)) or 0) + 1


def actions_of_note(session: Session, *, note_id: int) -> Sequence[NoteAction]:
    return session.scalars(
        select(NoteAction).where(NoteAction.note_id == note_id).order_by(NoteAction.number)
    ).all()


def actions_of_case(session: Session, *, case_id: int) -> Sequence[NoteAction]:
    return session.scalars(
        select(NoteAction)
        .where(NoteAction.case_id == case_id)
        .order_by(NoteAction.note_id, NoteAction.number)
    ).all()


def version_record(version: NoteVersion) -> VersionRecord:
    return VersionRecord(
        version=version.version,
        recorded_at=version.recorded_at,
        recorder_id=version.recorder_id,
        amendment_reason=version.amendment_reason,
        participants=tuple(version.participants),
        sections=sections_from(version.sections),
        actions=actions_from(version.actions),
        confirmations=tuple(
            Confirmation(c["key"], c["kind"], c["message"], c.get("field", "")) for c in version.confirmations
        ),
        content_hash=version.content_hash,
    )


def note_record(session: Session, note: Note, *, frameworks: dict[str, str] | None = None) -> NoteRecord:
    """A note and all its versions as plain data. `frameworks` maps framework ids to their names."""
    discussion = session.get(Discussion, note.discussion_id) if note.discussion_id else None
    framework = None
    if discussion is not None and discussion.mode == "slack":
        framework = (frameworks or {}).get(discussion.framework, discussion.framework)
    return NoteRecord(
        number=note.number,
        note_type=note.note_type.value,
        event_at=note.event_at,
        mode=_mode(note, discussion),
        framework=framework,
        versions=tuple(version_record(v) for v in note.versions),
        action_states=tuple(
            ActionState(a.number, a.status.value, a.due, a.status_reason, a.status_at, a.status_by)
            for a in actions_of_note(session, note_id=note.id)
        ),
    )


def _mode(note: Note, discussion: Discussion | None) -> str:
    if note.note_type == NoteType.MANAGEMENT:
        return "management"
    return discussion.mode if discussion is not None else "offline"


def case_notes(session: Session, case: Case, *, frameworks: dict[str, str] | None = None) -> CaseNotes:
    return CaseNotes(
        reference=case.reference,
        status=case.status.value,
        notes=tuple(
            note_record(session, n, frameworks=frameworks) for n in notes_of_case(session, case_id=case.id)
        ),
    )


def shown_keys(session: Session, *, team_id: str, view_id: str) -> list[str]:
    """The check keys already shown on this form (a view id)."""
    row = session.scalar(
        select(SummaryCheck).where(SummaryCheck.team_id == team_id, SummaryCheck.view_id == view_id)
    )
    return list(row.shown_keys) if row else []


def remember_shown(session: Session, *, team_id: str, view_id: str, keys: list[str], now) -> None:
    row = session.scalar(
        select(SummaryCheck).where(SummaryCheck.team_id == team_id, SummaryCheck.view_id == view_id)
    )
    if row is None:
        session.add(SummaryCheck(team_id=team_id, view_id=view_id, shown_keys=sorted(keys), created_at=now))
    else:
        row.shown_keys = sorted(set(row.shown_keys) | set(keys))


def due_export_files(session: Session, *, now: datetime, limit: int = 100) -> list[tuple[int, str]]:
    """(row id, Slack file id) of exported files whose time in Slack is up and not yet deleted."""
    rows = session.execute(
        select(ExportFile.id, ExportFile.file_id)
        .where(ExportFile.deleted_at.is_(None), ExportFile.delete_after <= now)
        .order_by(ExportFile.delete_after, ExportFile.id)
        .limit(limit)
    )
    return [(row_id, file_id) for row_id, file_id in rows]
