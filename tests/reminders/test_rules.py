"""The reminder ladder as pure decisions: which rung, when to look again, and who receives it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.kernel.rules_working_time import WorkCalendar, add_working_days
from bot.reminders.rules import (
    Audience,
    ItemState,
    Person,
    Route,
    Thresholds,
    decide,
    ladder,
    routes,
    showing,
)

AUCKLAND = WorkCalendar(
    tz=ZoneInfo("Pacific/Auckland"), holidays=holidays.country_holidays("NZ", subdiv="AUK")
)
DUE = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)  # Wednesday 2 December, 10:00 in Auckland
DAY = timedelta(days=1)
T = Thresholds()


def item(status="scheduled", level_sent=-1, kind="discussion", expires_at=None) -> ItemState:
    return ItemState(kind=kind, status=status, due_at=DUE, expires_at=expires_at, level_sent=level_sent)


def test_nothing_is_sent_before_the_item_is_due_and_the_next_look_is_its_due_time():
    step = decide(item(), now=DUE - DAY, calendar=AUCKLAND, thresholds=T)
    assert step.send is None and step.next_check_at == DUE


def test_at_due_time_the_thread_is_reminded_and_the_next_look_is_two_working_days_later():
    step = decide(item(), now=DUE, calendar=AUCKLAND, thresholds=T)
    assert step.send.level == 0 and step.send.audiences == (Audience.THREAD,)
    assert step.next_check_at == datetime(2026, 12, 3, 21, 0, tzinfo=UTC)  # Friday 4 Dec, 10:00 NZDT


def test_coworker_rung_counts_working_days_so_the_weekend_does_not_count():
    step = decide(
        item(level_sent=0), now=datetime(2026, 12, 3, 21, 0, tzinfo=UTC), calendar=AUCKLAND, thresholds=T
    )
    assert step.send.level == 1 and step.send.audiences == (Audience.COWORKERS,)
    assert step.next_check_at == datetime(2026, 12, 8, 21, 0, tzinfo=UTC)  # Wed 9 Dec: 5 working days


def test_a_started_discussion_skips_the_coworker_rung_but_not_the_manager():
    started = item(status="started", level_sent=0)
    assert decide(started, now=DUE + 3 * DAY, calendar=AUCKLAND, thresholds=T).send is None
    step = decide(started, now=DUE + 8 * DAY, calendar=AUCKLAND, thresholds=T)
    assert step.send.level == 2 and step.send.audiences == (Audience.MANAGER,)


def test_a_held_discussion_needs_nothing_more():
    step = decide(item(status="held"), now=DUE + 30 * DAY, calendar=AUCKLAND, thresholds=T)
    assert step == type(step)(None, (), False, None)


def test_after_downtime_only_the_highest_due_rung_is_sent_and_the_lower_ones_are_skipped():
    step = decide(item(), now=DUE + 20 * DAY, calendar=AUCKLAND, thresholds=T)
    assert step.send.level == 2 and step.skipped == (0, 1) and step.next_check_at is None


def test_an_expired_item_is_marked_missed_without_a_late_reminder():
    expires = DUE + 7 * DAY
    step = decide(item(level_sent=2, expires_at=expires), now=expires, calendar=AUCKLAND, thresholds=T)
    assert step.expire and step.send is None


def test_a_rung_due_exactly_when_the_next_occurrence_starts_still_reaches_the_manager():
    expires = add_working_days(AUCKLAND, DUE, 5)  # weekly: the escalation coincides with the next one
    step = decide(item(level_sent=1, expires_at=expires), now=expires, calendar=AUCKLAND, thresholds=T)
    assert step.send.level == 2 and not step.expire and step.next_check_at == expires


def test_after_downtime_an_item_that_expired_long_ago_is_marked_missed_without_a_late_escalation():
    expires = add_working_days(AUCKLAND, DUE, 5)
    step = decide(
        item(level_sent=1, expires_at=expires), now=expires + 3 * DAY, calendar=AUCKLAND, thresholds=T
    )
    assert step.expire and step.send is None


def test_rungs_after_the_next_occurrence_are_never_sent():
    expires = DUE + DAY  # before the coworker rung (Friday)
    step = decide(item(level_sent=0, expires_at=expires), now=expires + DAY, calendar=AUCKLAND, thresholds=T)
    assert step.expire and step.send is None


def test_supervision_goes_to_the_manager_first_and_review_only_to_the_manager():
    assert ladder("supervision", T)[0].audiences == (Audience.MANAGER, Audience.THREAD)
    assert {a for rung in ladder("review", T) for a in rung.audiences} == {Audience.MANAGER}


def test_thresholds_are_configuration():
    rungs = ladder("discussion", Thresholds(remind_after=1, escalate_after=3))
    assert [r.after_working_days for r in rungs] == [0, 1, 3]


MANAGER = Person("UMERE001")


def test_a_deactivated_coworkers_reminder_goes_to_the_manager_saying_whose_it_is():
    found = routes([Person("UALEX001", deactivated=True), Person("USAM0001")], manager=MANAGER)
    assert found == [Route("UMERE001", (("UALEX001", "deactivated"),)), Route("USAM0001")]


def test_a_coworker_on_leave_with_cover_is_routed_to_the_cover():
    found = routes([Person("UALEX001", cover_user_id="UKIRI001")], manager=MANAGER)
    assert found == [Route("UKIRI001", (("UALEX001", "cover"),))]


def test_each_recipient_gets_one_copy_however_many_reasons_send_it_to_them():
    found = routes(
        [Person("UALEX001", deactivated=True), Person("USAM0001", deactivated=True), MANAGER], manager=MANAGER
    )
    assert found == [Route("UMERE001", (("UALEX001", "deactivated"), ("USAM0001", "deactivated")))]


@settings(max_examples=150, deadline=None)
@given(
    minutes=st.integers(min_value=-3 * 24 * 60, max_value=40 * 24 * 60),
    level_sent=st.integers(min_value=-1, max_value=2),
    status=st.sampled_from(["scheduled", "started", "held"]),
    expires_days=st.one_of(st.none(), st.integers(min_value=1, max_value=30)),
)
def test_decide_sends_at_most_one_rung_above_what_was_sent_and_always_looks_again_later(
    minutes, level_sent, status, expires_days
):
    expires = DUE + timedelta(days=expires_days) if expires_days else None
    now = DUE + timedelta(minutes=minutes)
    step = decide(item(status, level_sent, expires_at=expires), now=now, calendar=AUCKLAND, thresholds=T)
    if step.send is not None:
        assert step.send.level > level_sent and status != "held"
        assert all(level < step.send.level for level in step.skipped)
    if step.next_check_at is not None and step.send is None and not step.expire:
        assert step.next_check_at > now  # never a busy loop on the same item
    if status == "held":
        assert step.send is None and step.next_check_at is None


def test_the_card_shows_an_item_due_now_from_its_time_until_its_first_follow_up_goes():
    assert showing(item(), now=DUE - timedelta(minutes=1)) is None
    assert showing(item(level_sent=0), now=DUE) == "due_now"
    assert showing(item(), now=DUE) == "due_now"  # the sweep has not reached it yet


def test_the_card_shows_it_not_held_once_a_follow_up_has_gone_and_under_way_once_started():
    assert showing(item(level_sent=1), now=DUE + 2 * DAY) == "not_held"
    assert showing(item(level_sent=2), now=DUE + 7 * DAY) == "not_held"  # the manager's, after downtime
    assert showing(item("started", level_sent=0), now=DUE) == "under_way"
    assert showing(item("started", level_sent=2), now=DUE + 7 * DAY) == "under_way"
    assert showing(item("held", level_sent=0), now=DUE) is None
    assert showing(item("missed", level_sent=2), now=DUE + 7 * DAY) is None
