"""Keyword-only reads and writes. They never commit: the flow that calls them owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage import audit
from storage import outbox as outbox_store
from storage.models import (
    Agreement,
    AuditEntry,
    Case,
    CaseMember,
    CaseStatus,
    ItemKind,
    ItemStatus,
    Leave,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    ScheduleItem,
    SlackPost,
    Workspace,
)
from storage.once import claim_once as claim_once
from storage.once import insert_new as insert_new
from storage.once import insert_once as insert_once
from storage.once import was_claimed as was_claimed


def ensure_workspace(
    session: Session, *, team_id: str, now: datetime, name: str | None = None, bot_user_id: str | None = None
) -> Workspace:
    workspace = session.get(Workspace, team_id)
    if workspace is None:
        workspace = Workspace(team_id=team_id, name=name, bot_user_id=bot_user_id, created_at=now)
        session.add(workspace)
        session.flush()
    elif bot_user_id and workspace.bot_user_id != bot_user_id:
        workspace.bot_user_id = bot_user_id
    return workspace


def get_person(session: Session, *, team_id: str, slack_user_id: str) -> Person | None:
    return session.scalar(
        select(Person).where(Person.team_id == team_id, Person.slack_user_id == slack_user_id)
    )


def people_by_slack_id(session: Session, *, team_id: str, slack_user_ids: Iterable[str]) -> dict[str, Person]:
    """The known people among `slack_user_ids`, in one query (no query per person)."""
    wanted = set(slack_user_ids)
    if not wanted:
        return {}
    found = session.scalars(select(Person).where(Person.team_id == team_id, Person.slack_user_id.in_(wanted)))
    return {p.slack_user_id: p for p in found}


def ensure_person(session: Session, *, team_id: str, slack_user_id: str) -> Person:
    person = get_person(session, team_id=team_id, slack_user_id=slack_user_id)
    if person is None:
        # Inserted once: on PostgreSQL a transaction adding the same new person at the same moment (two
        # cases opened with a newcomer on both) waits for the other's commit and then finds its row,
        # instead of failing on the unique key. SQLite runs writers one at a time.
        values = {"team_id": team_id, "slack_user_id": slack_user_id, "role": Role.MEMBER}
        insert_new(session, Person, {**values, "deactivated": False})
        person = get_person(session, team_id=team_id, slack_user_id=slack_user_id)
        assert person is not None
    return person


def ensure_people(session: Session, *, team_id: str, slack_user_ids: Iterable[str]) -> dict[str, Person]:
    """`ensure_person` for several people: one query for those known, one more only for newcomers."""
    wanted = list(dict.fromkeys(slack_user_ids))
    found = people_by_slack_id(session, team_id=team_id, slack_user_ids=wanted)
    newcomers = [user_id for user_id in wanted if user_id not in found]
    for user_id in newcomers:  # inserted once, as ensure_person explains
        values = {"team_id": team_id, "slack_user_id": user_id, "role": Role.MEMBER, "deactivated": False}
        insert_new(session, Person, values)
    if newcomers:
        found |= people_by_slack_id(session, team_id=team_id, slack_user_ids=newcomers)
    return found


def open_case_with_reference(session: Session, *, team_id: str, reference: str) -> Case | None:
    return session.scalar(
        select(Case).where(
            Case.team_id == team_id, Case.reference == reference, Case.status == CaseStatus.OPEN
        )
    )


def load_case(session: Session, *, case_id: int) -> Case | None:
    return session.scalar(
        select(Case)
        .where(Case.id == case_id)
        .options(
            selectinload(Case.members).selectinload(CaseMember.person),
            selectinload(Case.agreements),
            selectinload(Case.manager),
        )
    )


def cases_for_user(session: Session, *, team_id: str, slack_user_id: str) -> Sequence[Case]:
    """Open cases the user co-works or manages, oldest first."""
    person = get_person(session, team_id=team_id, slack_user_id=slack_user_id)
    if person is None:
        return []
    member_of = select(CaseMember.case_id).where(CaseMember.person_id == person.id)
    return session.scalars(
        select(Case)
        .where(
            Case.team_id == team_id,
            Case.status == CaseStatus.OPEN,
            (Case.id.in_(member_of)) | (Case.manager_id == person.id),
        )
        .options(  # everything a case's line in /case list and App Home reads: no query per case
            selectinload(Case.members).selectinload(CaseMember.person),
            selectinload(Case.agreements).selectinload(Agreement.acceptances),
            selectinload(Case.manager),
        )
        .order_by(Case.id)
    ).all()


def add_audit(
    session: Session,
    *,
    team_id: str,
    now: datetime,
    actor: str | None,
    action: str,
    object_type: str | None = None,
    object_id: Any = None,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
) -> None:
    """Append an entry to the workspace's hash-chained audit trail (see storage/audit.py)."""
    audit.append(
        session,
        AuditEntry(
            team_id=team_id,
            at=now,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            outcome=outcome,
            detail=detail,
        ),
    )


def enqueue(
    session: Session,
    *,
    team_id: str,
    kind: OutboxKind,
    payload: dict[str, Any],
    now: datetime,
    case_id: int | None = None,
    not_before: datetime | None = None,
) -> OutboxMessage:
    """Queue a Slack call; `not_before` holds it back, e.g. until the recipient's working hours."""
    message = OutboxMessage(
        team_id=team_id,
        case_id=case_id,
        kind=kind,
        payload=payload,
        status=OutboxStatus.PENDING,
        attempts=0,
        created_at=now,
        next_attempt_at=max(now, not_before) if not_before else now,
    )
    session.add(message)
    session.flush()
    outbox_store.mark_queued(session)  # its commit is what wakes the delivery loop (delivery.wake)
    return message


def enqueue_card_update(session: Session, *, case: Case, now: datetime) -> None:
    """Re-render the case card in place: it shows agreement, schedule and overdue state."""
    enqueue(
        session,
        team_id=case.team_id,
        case_id=case.id,
        kind=OutboxKind.UPDATE_CARD,
        payload={"case_id": case.id},
        now=now,
    )


def slack_post(session: Session, *, case_id: int, purpose: str) -> SlackPost | None:
    return session.scalar(select(SlackPost).where(SlackPost.case_id == case_id, SlackPost.purpose == purpose))


OPEN_ITEM = (ItemStatus.SCHEDULED, ItemStatus.STARTED)


def due_schedule_item_ids(session: Session, *, now: datetime, limit: int) -> list[int]:
    """Items the sweep must look at now: a range scan of the next_check_at index, earliest first."""
    return list(
        session.scalars(
            select(ScheduleItem.id)
            .where(ScheduleItem.next_check_at <= now)
            .order_by(ScheduleItem.next_check_at)
            .limit(limit)
        )
    )


def open_items(session: Session, *, case_ids: Iterable[int]) -> Sequence[ScheduleItem]:
    """Planned occurrences not yet held, missed or cancelled, for these cases, earliest first."""
    ids = list(case_ids)
    if not ids:
        return []
    return session.scalars(
        select(ScheduleItem)
        .where(ScheduleItem.case_id.in_(ids), ScheduleItem.status.in_(OPEN_ITEM))
        .order_by(ScheduleItem.due_at)
    ).all()


def open_item_of_kind(session: Session, *, case_id: int, kind: ItemKind) -> ScheduleItem | None:
    return session.scalar(
        select(ScheduleItem)
        .where(ScheduleItem.case_id == case_id, ScheduleItem.kind == kind, ScheduleItem.status.in_(OPEN_ITEM))
        .order_by(ScheduleItem.due_at)
        .limit(1)
    )


def items_since(session: Session, *, case_id: int, since: datetime | None) -> Sequence[ScheduleItem]:
    query = select(ScheduleItem).where(ScheduleItem.case_id == case_id)
    if since is not None:
        query = query.where(ScheduleItem.due_at >= since)
    return session.scalars(query.order_by(ScheduleItem.due_at)).all()


def leave_from(session: Session, *, person_ids: Iterable[int], day: date) -> Sequence[Leave]:
    """Leave that has not ended before `day`, for these people."""
    ids = list(person_ids)
    if not ids:
        return []
    return session.scalars(
        select(Leave).where(Leave.person_id.in_(ids), Leave.last_day >= day).order_by(Leave.first_day)
    ).all()


def covered_by(session: Session, *, cover_slack_user_id: str, team_id: str, day: date) -> list[str]:
    """Slack ids of the people whose leave this person is covering on `day`."""
    cover = get_person(session, team_id=team_id, slack_user_id=cover_slack_user_id)
    if cover is None:
        return []
    spans = session.scalars(
        select(Leave).where(Leave.cover_id == cover.id, Leave.first_day <= day, Leave.last_day >= day)
    )
    return [span.person.slack_user_id for span in spans]


def people_needing_zone(session: Session, *, older_than: datetime, limit: int) -> Sequence[Person]:
    """People on open cases, or covering someone's leave, whose Slack time zone was never fetched or is
    older than `older_than`.

    Run every scheduled pass, so it starts from the stale people (an index range: usually none) and asks
    of each whether they are on an open case, by index; listing everyone on an open case first read
    every case on every pass. Which `limit` of them comes first does not matter: the rest are next."""
    on_case = (
        select(CaseMember.id)
        .join(Case)
        .where(CaseMember.person_id == Person.id, Case.status == CaseStatus.OPEN)
        .exists()
    )
    managing = select(Case.id).where(Case.manager_id == Person.id, Case.status == CaseStatus.OPEN).exists()
    covering = select(Leave.id).where(Leave.cover_id == Person.id).exists()
    return session.scalars(
        select(Person)
        .where(
            (Person.tz_fetched_at.is_(None)) | (Person.tz_fetched_at < older_than),
            on_case | managing | covering,
        )
        .limit(limit)  # no ORDER BY: ordering by id made SQLite walk every person instead of the range
    ).all()
