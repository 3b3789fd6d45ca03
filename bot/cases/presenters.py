"""From stored rows to the plain data the Block Kit builders take."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from bot.cases.blocks import AgreementView, CaseLine, CaseView, MemberView
from bot.cases.blocks_schedule import MISSED, NOT_HELD, DueItem, ScheduleView
from bot.cases.rules_agreements import TERMS, expected_recorders
from bot.deps import Deps
from bot.follow_ups.blocks_card import CardNotes, OpenAction, OverdueAction, SummaryDue
from bot.follow_ups.rules import is_overdue
from bot.kernel import zones
from bot.kernel.rules_working_time import local_datetime
from bot.reminders import flows_schedule as schedule
from bot.reminders.rules import ItemState, showing
from storage import discussions as discussion_store
from storage import follow_ups as store
from storage import repository as repo
from storage.models import (
    Agreement,
    Case,
    Discussion,
    DiscussionStatus,
    Experience,
    ItemKind,
    ItemStatus,
    MemberRole,
    ScheduleItem,
)


def agreement_view(agreement: Agreement) -> AgreementView:
    terms = {name: getattr(agreement, name) for name in TERMS}
    return AgreementView(
        agreement_id=agreement.id,
        version=agreement.version,
        **terms | {"reasons": tuple(agreement.reasons), "responsibilities": dict(agreement.responsibilities)},
    )


def schedule_view(
    items: Sequence[ScheduleItem], now: datetime, recent: Sequence[ScheduleItem] = ()
) -> ScheduleView:
    """Next discussion and supervision, how due each open item is, and (from `recent`, items of any
    status) the occurrences missed since the last one of their kind that was held."""

    def next_of(kind: ItemKind) -> datetime | None:
        return min((i.due_at for i in items if i.kind == kind), default=None)

    due = []
    for item in sorted(items, key=lambda i: i.due_at):
        state = ItemState(item.kind.value, item.status.value, item.due_at, item.expires_at, item.level_sent)
        if shown := showing(state, now=now):
            due.append(DueItem(item.kind.value, item.due_at, shown))
    overdue = tuple((d.kind, d.due_at) for d in due if d.state == NOT_HELD)
    return ScheduleView(
        next_of(ItemKind.DISCUSSION), next_of(ItemKind.SUPERVISION), overdue, tuple(due), _missed(recent)
    )


def _missed(recent: Sequence[ScheduleItem]) -> tuple[DueItem, ...]:
    """Missed occurrences after the latest held one of the same kind, in date order."""
    held: dict[ItemKind, datetime] = {}
    for item in recent:
        if item.status == ItemStatus.HELD:
            held[item.kind] = max(item.due_at, held.get(item.kind, item.due_at))
    missed = sorted(
        (
            i
            for i in recent
            if i.status == ItemStatus.MISSED and (i.kind not in held or i.due_at > held[i.kind])
        ),
        key=lambda i: i.due_at,
    )
    return tuple(DueItem(i.kind.value, i.due_at, MISSED) for i in missed)


def case_view(
    case: Case,
    *,
    items: Sequence[ScheduleItem] = (),
    now: datetime | None = None,
    notes: CardNotes | None = None,
    induction_until: date | None = None,
    recent: Sequence[ScheduleItem] = (),
) -> CaseView:
    agreement = schedule.current_agreement(case)
    agreed = {acceptance.person_id for acceptance in agreement.acceptances}
    return CaseView(
        case_id=case.id,
        reference=case.reference,
        status=case.status.value,
        manager_id=case.manager.slack_user_id,
        members=tuple(
            MemberView(
                user_id=m.person.slack_user_id,
                role=m.role.value,
                developing=m.experience == Experience.DEVELOPING,
                agreed=m.person_id in agreed,
            )
            for m in case.members
        ),
        agreement=agreement_view(agreement),
        schedule=schedule_view(items, now, recent) if now is not None else None,
        notes=notes,
        induction_until=induction_until,
        channel_others=case.channel_others,
    )


def recorders_for(session: Session, case: Case, turn: int) -> tuple[str, ...]:
    """Who the current agreement expects to record discussion number `turn` of the case (1 = the first)."""
    lead = next((m for m in case.members if m.role == MemberRole.LEAD), case.members[0])
    others = [m.person.slack_user_id for m in case.members if m.id != lead.id]
    recorder = schedule.current_agreement(case).recorder
    return expected_recorders(recorder, lead_id=lead.person.slack_user_id, others=others, turn=turn)


def recorders_of(session: Session, case: Case, discussion: Discussion) -> tuple[str, ...]:
    """Who the agreement expects to record this discussion (taking turns counts the case's discussions)."""
    return recorders_for(
        session, case, discussion_store.discussion_count(session, case_id=case.id, up_to=discussion.id)
    )


def card_notes(deps: Deps, session: Session, case: Case, now: datetime) -> CardNotes:
    """The card's record lines: who records the next (or current) discussion, summaries still to record
    with their deadline (late once past), and every open action, split into those overdue in their owner's
    own calendar and the rest."""
    # A constant number of statements however many discussions and actions the case has (issue 17).
    ids = discussion_store.discussion_ids(session, case_id=case.id)
    count = len(ids)
    latest = store.latest_discussion(session, case_id=case.id)
    active = latest is not None and latest.status == DiscussionStatus.ACTIVE
    summaries = tuple(
        SummaryDue(
            discussion_id=d.id,
            recorder_ids=recorders_for(session, case, bisect_right(ids, d.id)),  # its number in the case
            due_at=d.record_due_at,
            late=d.record_due_at is not None and d.record_due_at <= now,
        )
        for d in store.unrecorded_discussions(session, case_id=case.id)
    )
    overdue: list[OverdueAction] = []
    upcoming: list[OpenAction] = []
    actions = store.open_actions(session, case_id=case.id)  # each owner's calendar says which are overdue
    owners = repo.people_by_slack_id(
        session, team_id=case.team_id, slack_user_ids={a.owner_id for a in actions if a.owner_id}
    )
    for action in actions:
        if action.due is None:
            upcoming.append(OpenAction(action.owner_id, None, None))
            continue
        tz = zones.zone(deps, owners.get(action.owner_id or ""))
        noon = local_datetime(tz, action.due, time(12))
        if is_overdue(action.status.value, action.due, now.astimezone(tz).date()):
            overdue.append(OverdueAction(action.owner_id, action.due, noon))
        else:
            upcoming.append(OpenAction(action.owner_id, action.due, noon))
    return CardNotes(
        next_recorders=recorders_for(session, case, count if active else count + 1),
        summaries=summaries,
        overdue_actions=tuple(overdue),
        open_actions=tuple(upcoming),
    )


def case_line(case: Case, user_id: str, *, items: Sequence[ScheduleItem], now: datetime) -> CaseLine:
    view = case_view(case, items=items, now=now)
    roles = [m.role_label for m in view.members if m.user_id == user_id]
    role = roles[0] if roles else "manager"
    return CaseLine(
        reference=case.reference,
        channel_id=case.channel_id,
        role=role,
        everyone_agreed=view.everyone_agreed,
        schedule=view.schedule,
    )
