"""A new agreement version re-plans the future and keeps the past."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot import jobs
from bot.reminders import flows_schedule as schedule
from storage import repository as repo
from storage.models import Agreement, ItemKind, ItemStatus, ScheduleItem
from tests.journey import open_case

FIRST_DISCUSSION = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)  # Wed 2 Dec 10:00 in Auckland


def items(box) -> list[ScheduleItem]:
    with box.deps.sessions() as session:
        return list(session.scalars(select(ScheduleItem).order_by(ScheduleItem.id)))


def add_version_two(box, **terms) -> None:
    with box.deps.sessions.begin() as session:
        case = repo.load_case(session, case_id=1)
        first = case.agreements[0]
        copied = {c.key: getattr(first, c.key) for c in Agreement.__table__.columns if c.key not in ("id",)}
        session.add(
            Agreement(
                **copied | {"version": 2, "change_reason": "Review", "created_at": box.deps.clock()} | terms
            )
        )
        session.flush()
        session.expire(case)
        case = repo.load_case(session, case_id=1)
        schedule.replan(box.deps, session, case, case.agreements[-1], box.deps.clock())


def test_a_new_version_replans_the_future_and_keeps_what_is_already_due(http_sandbox, clock):
    box = http_sandbox
    open_case(box)
    clock.move_to(FIRST_DISCUSSION)
    jobs.run_pass(box.deps)  # the first discussion is now due and reminded: it is the past
    add_version_two(box, supervision_frequency="fortnightly", review_date=date(2027, 1, 29))

    by_kind = {(i.kind, i.status): i for i in items(box)}
    kept = by_kind[(ItemKind.DISCUSSION, ItemStatus.SCHEDULED)]
    assert kept.due_at == FIRST_DISCUSSION and kept.level_sent == 0  # not lost, ladder continues
    assert by_kind[(ItemKind.SUPERVISION, ItemStatus.CANCELLED)].agreement_id == 1
    replanned = by_kind[(ItemKind.SUPERVISION, ItemStatus.SCHEDULED)]
    assert replanned.agreement_id == 2
    assert replanned.due_at < by_kind[(ItemKind.SUPERVISION, ItemStatus.CANCELLED)].due_at  # fortnightly now
    review = by_kind[(ItemKind.REVIEW, ItemStatus.SCHEDULED)]
    assert review.agreement_id == 2 and review.due_at.astimezone(
        schedule.zone(box.deps, None)
    ).date() == date(2027, 1, 29)
    assert len([i for i in items(box) if i.status in (ItemStatus.SCHEDULED, ItemStatus.STARTED)]) == 3


def test_the_next_discussion_after_a_held_one_follows_the_new_version(http_sandbox, clock):
    box = http_sandbox
    open_case(box)
    add_version_two(box, discussion_frequency="monthly", discussion_weekday=0, discussion_time="14:00")
    discussion = next(
        i for i in items(box) if i.kind == ItemKind.DISCUSSION and i.status == ItemStatus.SCHEDULED
    )
    local = discussion.due_at.astimezone(schedule.zone(box.deps, None))
    # Mondays at 14:00 (weekly during the developing worker's first six weeks, then monthly).
    assert discussion.agreement_id == 2 and local.weekday() == 0 and local.hour == 14
