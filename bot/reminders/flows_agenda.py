"""The supervision agenda's facts, read from the store inside the caller's transaction.

Used by the manager's supervision reminder (bot/reminders/outbox.py renders it at send time, in the
recipient's zone) and by the *Record supervision* form, so the two always show the same agenda.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.reminders import flows_schedule as schedule
from bot.reminders import rules_agenda as rules
from storage import differences as open_ones
from storage import repository as repo
from storage.models import (
    CapturedItem,
    Case,
    Discussion,
    Experience,
    ItemKind,
    ItemStatus,
    LearningEvidence,
    NoteAction,
    ScheduleItem,
    SupervisionRecord,
    ThreadMessage,
)
from storage.review_dates import review_date
from storage.vocabulary import CaptureKind

TITLE = {
    "discussion": "reflective discussion",
    "supervision": "joint supervision check-in",
    "review": "review",
}


def last_supervision(session: Session, case: Case) -> datetime | None:
    """When the last check-in was held: recorded with the form, or marked held from a reminder."""
    recorded = session.scalar(
        select(SupervisionRecord.held_at)
        .where(SupervisionRecord.case_id == case.id)
        .order_by(SupervisionRecord.held_at.desc())
        .limit(1)
    )
    marked = session.scalar(
        select(ScheduleItem.held_at)
        .where(ScheduleItem.case_id == case.id, ScheduleItem.kind == ItemKind.SUPERVISION)
        .where(ScheduleItem.held_at.is_not(None))
        .order_by(ScheduleItem.held_at.desc())
        .limit(1)
    )
    return max((t for t in (recorded, marked) if t is not None), default=None)


def told(session: Session, case: Case, since: datetime | None) -> tuple[rules.Told, ...]:
    """Every `Told:` item since `since`, by the worker who wrote the message (else who marked it)."""
    query = select(CapturedItem).where(
        CapturedItem.case_id == case.id,
        CapturedItem.kind == CaptureKind.TOLD,
        CapturedItem.withdrawn_at.is_(None),
    )
    if since is not None:
        query = query.where(CapturedItem.marked_at >= since)
    found = []
    for item in session.scalars(query.order_by(CapturedItem.marked_at)):
        message = session.get(ThreadMessage, item.message_id) if item.message_id else None
        found.append(
            rules.Told(message.author_id if message else item.marked_by, item.text or "", item.marked_at)
        )
    return tuple(found)


def facts(
    session: Session, case: Case, *, now: datetime, exclude_item: int | None = None
) -> rules.AgendaFacts:
    since = last_supervision(session, case)
    history = repo.items_since(session, case_id=case.id, since=None)
    discussions = [
        i
        for i in history
        if i.kind == ItemKind.DISCUSSION and (since is None or i.due_at >= since) and i.due_at <= now
    ]
    held = sum(i.status == ItemStatus.HELD for i in discussions)
    missed = sum(i.status == ItemStatus.MISSED for i in discussions)
    overdue = tuple(
        (TITLE[i.kind.value], i.due_at)
        for i in history
        if i.status in repo.OPEN_ITEM and i.due_at <= now and i.id != exclude_item
    )
    action_query = select(NoteAction).where(NoteAction.case_id == case.id)
    if since is not None:
        action_query = action_query.where(NoteAction.created_at >= since)
    actions = tuple(
        rules.ActionFact(a.text, a.owner_id, a.due, a.status.value)
        for a in session.scalars(action_query.order_by(NoteAction.id))
    )
    # Only the open ones (neither resolved nor escalated): the form offers *Resolve or escalate* for each.
    differences = tuple(
        (text, False) for _, text, _, _ in open_ones.open_differences(session, case_id=case.id)
    )
    developing = [m.person_id for m in case.members if m.experience == Experience.DEVELOPING]
    learning_query = select(LearningEvidence).where(
        LearningEvidence.person_id.in_(developing), LearningEvidence.case_reference == case.reference
    )
    if since is not None:
        learning_query = learning_query.where(LearningEvidence.recorded_at >= since)
    learning = len(session.scalars(learning_query).all()) if developing else 0
    on_time = late = missing = 0
    query = select(Discussion).where(Discussion.case_id == case.id)
    if since is not None:
        query = query.where(Discussion.started_at >= since)
    for discussion in session.scalars(query):
        due = discussion.record_due_at
        if discussion.recorded_at is not None:
            if due is None or discussion.recorded_at <= due:
                on_time += 1
            else:
                late += 1
        elif due is not None and due < now:
            missing += 1
    agreement = schedule.current_agreement(case)
    return rules.AgendaFacts(
        since=since,
        discussions_held=held,
        discussions_missed=missed,
        discussions_open=len(discussions) - held - missed,
        overdue_items=overdue,
        actions=actions,
        differences=differences,
        learning_entries=learning,
        notes_on_time=on_time,
        notes_late=late,
        notes_missing=missing,
        review_date=review_date(session, agreement),
        told=told(session, case, since),
        learning_goals=agreement.learning_goals,
    )


def agenda(
    session: Session,
    case: Case,
    *,
    now: datetime,
    tz: tzinfo,
    exclude_item: int | None = None,
    questions: bool = True,
) -> tuple[str, ...]:
    """The agenda's lines, dates in `tz` (the reader's own zone)."""
    found = facts(session, case, now=now, exclude_item=exclude_item)
    return rules.agenda_lines(found, now=now, tz=tz, questions=questions)
