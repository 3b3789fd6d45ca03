"""Queries for the command line's notes commands: finding a case by reference, and purging notes.

Keyword-only and never committing: the flow owns the transaction. Purging deletes with Core
statements on the tables (the ORM's append-only guard refuses deleting note versions, as it should
for everything else), by the exact ids the caller exported, so a version added meanwhile makes the
note's delete fail (foreign key) and the whole transaction roll back rather than go unexported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Table, delete, func, select
from sqlalchemy.orm import Session, selectinload

from storage.models import (
    Base,
    Case,
    CaseStatus,
    FollowUpClaim,
    Note,
    NoteAction,
    NoteVersion,
    ReviewRecord,
    SupervisionRecord,
    WellbeingCheck,
)


def cases_with_reference(session: Session, *, reference: str, team_id: str | None = None) -> Sequence[Case]:
    """Every case with this reference (as typed, else upper-cased), newest first."""
    for candidate in dict.fromkeys((reference, reference.upper())):
        query = select(Case).where(Case.reference == candidate)
        if team_id:
            query = query.where(Case.team_id == team_id)
        found = session.scalars(query.order_by(Case.created_at.desc(), Case.id.desc())).all()
        if found:
            return found
    return []


def newest_case(session: Session, *, team_id: str, reference: str) -> int | None:
    """The newest case with exactly this reference in the team, if any: a re-used reference links to it."""
    return session.scalar(
        select(Case.id)
        .where(Case.team_id == team_id, Case.reference == reference)
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class PurgeCandidate:
    case_id: int
    team_id: str
    reference: str
    notes: int
    versions: int
    actions: int


def purge_candidates(session: Session, *, before: datetime) -> list[PurgeCandidate]:
    """Closed cases with notes whose event time is before `before`, and how much would go."""
    old = (
        select(Note.id, Note.case_id)
        .join(Case, Case.id == Note.case_id)
        .where(Case.status == CaseStatus.CLOSED, Note.event_at < before)
        .subquery()
    )
    versions = select(NoteVersion.note_id, func.count().label("n")).group_by(NoteVersion.note_id).subquery()
    actions = select(NoteAction.note_id, func.count().label("n")).group_by(NoteAction.note_id).subquery()
    rows = session.execute(
        select(
            Case.id,
            Case.team_id,
            Case.reference,
            func.count(old.c.id),
            func.coalesce(func.sum(versions.c.n), 0),
            func.coalesce(func.sum(actions.c.n), 0),
        )
        .join(old, old.c.case_id == Case.id)
        .outerjoin(versions, versions.c.note_id == old.c.id)
        .outerjoin(actions, actions.c.note_id == old.c.id)
        .group_by(Case.id, Case.team_id, Case.reference)
        .order_by(Case.team_id, Case.reference, Case.id)
    ).all()
    return [PurgeCandidate(row[0], row[1], row[2], int(row[3]), int(row[4]), int(row[5])) for row in rows]


def notes_before(session: Session, *, case_id: int, before: datetime) -> Sequence[Note]:
    return session.scalars(
        select(Note)
        .where(Note.case_id == case_id, Note.event_at < before)
        .options(selectinload(Note.versions))
        .order_by(Note.number)
    ).all()


@dataclass(frozen=True)
class Deleted:
    notes: int
    versions: int
    actions: int
    follow_up_claims: int
    reviews: int = 0
    supervisions: int = 0
    wellbeing_checks: int = 0


def delete_notes(session: Session, *, note_ids: Sequence[int], version_ids: Sequence[int]) -> Deleted:
    """Delete these notes, exactly these versions, their actions and the actions' follow-up claims."""
    action_ids = session.scalars(select(NoteAction.id).where(NoteAction.note_id.in_(note_ids))).all()
    claims_table = _table(FollowUpClaim)
    claims = _deleted(
        session,
        delete(claims_table).where(
            claims_table.c.subject == "action",
            claims_table.c.subject_id.in_(action_ids),
        ),
    )
    actions_table, versions_table, notes_table = _table(NoteAction), _table(NoteVersion), _table(Note)
    actions = _deleted(session, delete(actions_table).where(actions_table.c.id.in_(action_ids)))
    versions = _deleted(session, delete(versions_table).where(versions_table.c.id.in_(version_ids)))
    # A review's record holds its measured facts as shown, also in its (exported) note: it goes with it.
    reviews_table = _table(ReviewRecord)
    reviews = _deleted(session, delete(reviews_table).where(reviews_table.c.note_id.in_(note_ids)))
    # So does a supervision's record (its decisions are its note's), with the wellbeing checks made at it:
    # they were never in the case record or an export, and are not kept once the case's record goes.
    supervisions_table, checks_table = _table(SupervisionRecord), _table(WellbeingCheck)
    supervision_ids = select(supervisions_table.c.id).where(supervisions_table.c.note_id.in_(note_ids))
    checks = _deleted(session, delete(checks_table).where(checks_table.c.supervision_id.in_(supervision_ids)))
    supervisions = _deleted(
        session, delete(supervisions_table).where(supervisions_table.c.note_id.in_(note_ids))
    )
    notes = _deleted(session, delete(notes_table).where(notes_table.c.id.in_(note_ids)))
    return Deleted(
        notes=notes,
        versions=versions,
        actions=actions,
        follow_up_claims=claims,
        reviews=reviews,
        supervisions=supervisions,
        wellbeing_checks=checks,
    )


def _table(model: type[Base]) -> Table:
    """The model's Table: SQLAlchemy types `__table__` as any FromClause, which delete() does not take."""
    return cast(Table, model.__table__)


def _deleted(session: Session, statement: Delete) -> int:
    """Run a DELETE; how many rows went. Its result is a CursorResult, though typed as a Result."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount
