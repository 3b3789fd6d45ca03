"""Planning a case's discussions, supervision check-ins and review from its agreement.

Each item is one occurrence. The next one is planned when the current one is held or has been missed,
and a new agreement version replaces the not-yet-due future while everything already due or held
stays. These helpers run inside the caller's transaction and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.kernel.rules_working_time import Leave as LeaveSpan
from bot.kernel.rules_working_time import WorkCalendar
from bot.kernel.zones import today_for, zone  # noqa: F401 - today_for: the plan's callers use schedule.today_for
from bot.reminders.rules import Thresholds
from bot.reminders.rules_cadence import (
    Cadence,
    induction_ends,
    next_discussion,
    next_nq_supervision,
    next_supervision,
    parse_time,
    rebook,
    review_due,
)
from storage import repository as repo
from storage.models import (
    Agreement,
    Case,
    Experience,
    ItemKind,
    ItemStatus,
    Leave,
    MemberRole,
    Person,
    ScheduleItem,
)

MAX_SKIPPED = 400  # occurrences skipped after downtime: years of weekly discussions


def thresholds(deps: Deps) -> Thresholds:
    return Thresholds(
        remind_after=deps.settings.remind_after_working_days,
        escalate_after=deps.settings.escalate_after_working_days,
    )


def calendar(deps: Deps, person: Person | None, leave: Iterable[Leave] = ()) -> WorkCalendar:
    return WorkCalendar(
        tz=zone(deps, person),
        hours=deps.settings.hours(),
        holidays=deps.public_holidays,
        leave=tuple(LeaveSpan(span.first_day, span.last_day) for span in leave),
    )


def lead_of(case: Case) -> Person | None:
    return next((m.person for m in case.members if m.role == MemberRole.LEAD), None)


def current_agreement(case: Case) -> Agreement:
    """The case's agreement as it stands: its latest version."""
    return max(case.agreements, key=lambda a: a.version)


def case_calendar(deps: Deps, case: Case) -> WorkCalendar:
    """The case's own calendar (the lead's zone, no leave): occurrences and thresholds are counted in it."""
    return calendar(deps, lead_of(case))


def plan_case(deps: Deps, session: Session, case: Case, agreement: Agreement, now: datetime) -> None:
    """Plan whatever kind of item the case has nothing open for (first agreement, or after a replan)."""
    planned = {
        item.kind for item in repo.open_items(session, case_ids=[case.id])
    }  # one query, not one a kind
    for kind in ItemKind:
        if kind not in planned:
            due = _next_due(deps, case, agreement, kind, after=now)
            session.add(_item(deps, case, agreement, kind, due, now))
    session.flush()


def replan(deps: Deps, session: Session, case: Case, agreement: Agreement, now: datetime) -> None:
    """A new agreement version: cancel the not-yet-due future and plan again from the new terms."""
    for item in repo.open_items(session, case_ids=[case.id]):
        if item.status == ItemStatus.SCHEDULED and item.due_at > now and item.level_sent < 0:
            item.status, item.next_check_at = ItemStatus.CANCELLED, None
    session.flush()
    plan_case(deps, session, case, agreement, now)


def plan_next(
    deps: Deps, session: Session, item: ScheduleItem, now: datetime, *, missed: bool = False
) -> ScheduleItem | None:
    """After an item is held or missed, plan the following occurrence (reviews recur only by agreement).

    A missed item is followed by the latest occurrence already due (after downtime the ones in between
    are skipped, not replayed as a backlog); a held one by the first occurrence after both its due time
    and now, so holding it late does not bunch two together.
    """
    if item.kind == ItemKind.REVIEW:
        return None
    case = item.case
    agreement = current_agreement(case)
    if missed and item.kind == ItemKind.SUPERVISION:
        # Missed supervision is rebooked at the earliest date, never silently skipped (PRACTICE.md 5).
        following = _item(
            deps, case, agreement, item.kind, rebook(item.due_at, now=now, cal=case_calendar(deps, case)), now
        )
        session.add(following)
        session.flush()
        return following
    due = _next_due(deps, case, agreement, item.kind, after=item.due_at if missed else max(now, item.due_at))
    for _ in range(MAX_SKIPPED):
        following = _next_due(deps, case, agreement, item.kind, after=due)
        if not missed or following > now:
            break
        due = following
    following = _item(deps, case, agreement, item.kind, due, now)
    session.add(following)
    session.flush()
    return following


def following_due(deps: Deps, item: ScheduleItem, now: datetime) -> datetime:
    """When the occurrence after `item` would fall due if `item` were held now (what plan_next plans)."""
    case = item.case
    return _next_due(deps, case, current_agreement(case), item.kind, after=max(now, item.due_at))


def replan_supervision(deps: Deps, item: ScheduleItem, now: datetime) -> None:
    """The open check-in moved to the cadence as it now stands (a worker's start date was recorded)."""
    move_to(deps, item, _next_due(deps, item.case, current_agreement(item.case), item.kind, after=now))


def move_to(deps: Deps, item: ScheduleItem, due: datetime) -> None:
    """A planned occurrence moved to a chosen time (the manager's next check-in): reminded from then."""
    item.due_at, item.next_check_at = due, due
    if item.expires_at is not None:
        item.expires_at = _next_due(deps, item.case, current_agreement(item.case), item.kind, after=due)


def plan_review(deps: Deps, session: Session, case: Case, day: date, now: datetime) -> ScheduleItem:
    """The next review of the arrangement, on the day the manager chose at a review (reviews recur only
    by being planned)."""
    due = review_due(day, case_calendar(deps, case))
    item = _item(deps, case, current_agreement(case), ItemKind.REVIEW, due, now)
    session.add(item)
    session.flush()
    return item


def _item(deps: Deps, case: Case, agreement: Agreement, kind: ItemKind, due: datetime, now: datetime):
    expires = None if kind == ItemKind.REVIEW else _next_due(deps, case, agreement, kind, after=due)
    return ScheduleItem(
        team_id=case.team_id,
        case_id=case.id,
        agreement_id=agreement.id,
        kind=kind,
        status=ItemStatus.SCHEDULED,
        due_at=due,
        expires_at=expires,
        round=0,
        level_sent=-1,
        next_check_at=due,
        created_at=now,
    )


def induction_until(deps: Deps, case: Case, now: datetime) -> date | None:
    """The last day of the developing worker's weekly induction discussions, while it lasts; else None."""
    cal = case_calendar(deps, case)
    last_day = induction_ends(
        _cadence(current_agreement(case)), started=case.created_at, cal=cal, developing=_developing(case)
    )
    return last_day if last_day is not None and now.astimezone(cal.tz).date() <= last_day else None


def _cadence(agreement: Agreement) -> Cadence:
    return Cadence(
        frequency=agreement.discussion_frequency,
        custom=agreement.discussion_custom,
        weekday=agreement.discussion_weekday,
        at=parse_time(agreement.discussion_time),
    )


def newly_qualified_since(case: Case) -> date | None:
    """The latest start date of a developing worker on the case who has one recorded: supervision then
    follows the newly qualified cadence from that worker's own start, not the case's."""
    return max(
        (
            m.person.started_on
            for m in case.members
            if m.experience == Experience.DEVELOPING and m.person.started_on is not None
        ),
        default=None,
    )


def _developing(case: Case) -> bool:
    return any(m.experience == Experience.DEVELOPING for m in case.members)


def _next_due(deps: Deps, case: Case, agreement: Agreement, kind: ItemKind, *, after: datetime) -> datetime:
    cal = case_calendar(deps, case)
    if kind == ItemKind.DISCUSSION:
        return next_discussion(
            _cadence(agreement), started=case.created_at, after=after, cal=cal, developing=_developing(case)
        )
    if kind == ItemKind.SUPERVISION:
        if started_on := newly_qualified_since(case):
            return next_nq_supervision(
                agreement.supervision_frequency, started_on=started_on, after=after, cal=cal
            )
        return next_supervision(
            agreement.supervision_frequency, started=case.created_at, after=after, cal=cal
        )
    return max(review_due(agreement.review_date, cal), after + timedelta(minutes=1))


def local_time_of(deps: Deps, case: Case, at: datetime):
    return at.astimezone(case_calendar(deps, case).tz).time()
