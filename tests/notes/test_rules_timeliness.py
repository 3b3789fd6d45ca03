"""When a discussion's summary is due, and the late-summary ladder, as pure decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.kernel.rules_working_time import WorkCalendar, is_working_day, is_working_time
from bot.notes.rules_timeliness import LADDER, Audience, RecordState, audience_ids, deadline, decide
from tests.calendars import HOLIDAYS, NZ_AUCKLAND, ZONES

NZ = ZoneInfo("Pacific/Auckland")
AUCKLAND = WorkCalendar(tz=NZ, holidays=NZ_AUCKLAND)


def nz(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NZ).astimezone(UTC)


WRAPPED = nz(11, 25, 10)  # Wednesday 25 November 2026, 10:00 in Auckland
DUE = nz(11, 26, 17)  # the end of the next working day


def state(level_sent: int = -1, status: str = "wrapped") -> RecordState:
    return RecordState(status=status, due_at=DUE, level_sent=level_sent)


# ---------------------------------------------------------------- the deadline


def test_by_default_a_summary_is_due_by_the_end_of_the_next_working_day():
    assert deadline(AUCKLAND, WRAPPED, 1) == DUE


def test_a_discussion_wrapped_up_on_friday_is_due_on_monday_evening():
    assert deadline(AUCKLAND, nz(11, 27, 16), 1) == nz(11, 30, 17)


def test_a_discussion_wrapped_up_at_the_weekend_is_due_at_the_end_of_the_next_working_day():
    assert deadline(AUCKLAND, nz(11, 28, 11), 1) == nz(11, 30, 17)


def test_public_holidays_do_not_count():
    # Christmas Day (Fri), the weekend and Boxing Day observed (Mon 28 Dec) are all skipped.
    assert deadline(AUCKLAND, nz(12, 24, 15), 1) == nz(12, 29, 17)


def test_zero_means_the_end_of_the_same_working_day_or_the_next_once_it_has_ended():
    assert deadline(AUCKLAND, WRAPPED, 0) == nz(11, 25, 17)
    assert deadline(AUCKLAND, nz(11, 25, 18), 0) == nz(11, 26, 17)
    assert deadline(AUCKLAND, nz(11, 28, 11), 0) == nz(11, 30, 17)


def test_more_working_days_move_the_deadline_on_by_working_days():
    assert deadline(AUCKLAND, WRAPPED, 2) == nz(11, 27, 17)
    assert deadline(AUCKLAND, WRAPPED, 3) == nz(11, 30, 17)


def test_the_deadline_is_local_working_hours_across_a_daylight_saving_change():
    # Auckland moves to NZDT on Sunday 27 September 2026: Friday is +12, Monday +13.
    due = deadline(AUCKLAND, nz(9, 25, 12), 1)
    assert due == datetime(2026, 9, 28, 4, 0, tzinfo=UTC)
    assert due.astimezone(NZ).hour == 17


# ---------------------------------------------------------------- the ladder


def test_nothing_is_sent_before_the_deadline_and_the_next_look_is_the_deadline():
    step = decide(state(), now=DUE - timedelta(minutes=1), calendar=AUCKLAND)
    assert step.send is None and step.next_check_at == DUE


def test_at_the_deadline_the_recorder_is_reminded_and_the_next_look_is_a_working_day_later():
    step = decide(state(), now=DUE, calendar=AUCKLAND)
    assert step.send.level == 0 and step.send.audience == Audience.RECORDERS
    assert step.next_check_at == nz(11, 27, 17)


def test_a_working_day_later_the_coworker_then_over_the_weekend_the_manager():
    step = decide(state(0), now=nz(11, 27, 17), calendar=AUCKLAND)
    assert step.send.audience == Audience.COWORKERS and step.next_check_at == nz(11, 30, 17)
    step = decide(state(1), now=nz(11, 30, 17), calendar=AUCKLAND)
    assert step.send.audience == Audience.MANAGER and step.next_check_at is None


def test_each_rung_is_sent_once():
    assert decide(state(0), now=DUE + timedelta(hours=1), calendar=AUCKLAND).send is None
    assert decide(state(2), now=nz(12, 30, 12), calendar=AUCKLAND) == decide(
        state(2), now=nz(12, 31, 12), calendar=AUCKLAND
    )
    assert decide(state(2), now=nz(12, 30, 12), calendar=AUCKLAND).send is None


def test_after_downtime_only_the_highest_rung_that_is_due_goes():
    step = decide(state(), now=nz(12, 8, 9), calendar=AUCKLAND)
    assert step.send.level == 2 and step.skipped == (0, 1) and step.next_check_at is None
    step = decide(state(), now=nz(11, 27, 18), calendar=AUCKLAND)
    assert step.send.level == 1 and step.skipped == (0,) and step.next_check_at == nz(11, 30, 17)


def test_nothing_is_sent_once_the_summary_is_recorded():
    for level in (-1, 0, 1):
        step = decide(state(level, status="recorded"), now=nz(12, 8, 9), calendar=AUCKLAND)
        assert step.send is None and step.next_check_at is None


def test_the_coworkers_are_the_members_not_expected_to_record():
    ids = {"recorder_ids": ("UA",), "member_ids": ("UA", "UB", "UC"), "manager_id": "UM"}
    assert audience_ids(Audience.RECORDERS, **ids) == ("UA",)
    assert audience_ids(Audience.COWORKERS, **ids) == ("UB", "UC")
    assert audience_ids(Audience.MANAGER, **ids) == ("UM",)
    assert audience_ids(Audience.COWORKERS, recorder_ids=("UA",), member_ids=("UA",), manager_id="UM") == ()


# ---------------------------------------------------------------- properties

moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


def calendar_for(zone: str) -> WorkCalendar:
    return WorkCalendar(tz=ZoneInfo(zone), holidays=HOLIDAYS[zone])


@settings(max_examples=200, deadline=None)
@given(zone=st.sampled_from(ZONES), wrapped=moments, within=st.integers(0, 6))
def test_the_deadline_is_the_last_working_moment_of_a_working_day_after_the_wrap_up(zone, wrapped, within):
    cal = calendar_for(zone)
    due = deadline(cal, wrapped, within)
    local = due.astimezone(cal.tz)
    assert due > wrapped
    assert local.time() == cal.hours.end and is_working_day(cal, local.date())
    assert is_working_time(cal, due - timedelta(minutes=1)) and not is_working_time(cal, due)
    wrapped_day = wrapped.astimezone(cal.tz).date()
    working_days_between = sum(
        is_working_day(cal, wrapped_day + timedelta(days=n))
        for n in range(1, (local.date() - wrapped_day).days + 1)
    )
    if within > 0:
        assert working_days_between == within
    else:  # the first working day whose end is still to come
        assert working_days_between <= 1


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    wrapped=moments,
    gaps=st.lists(st.integers(min_value=1, max_value=6 * 24 * 60), min_size=1, max_size=12),
    recorded_after=st.one_of(st.none(), st.integers(0, 11)),
)
def test_rungs_never_go_backwards_or_repeat_or_go_early_and_stop_once_recorded(
    zone, wrapped, gaps, recorded_after
):
    """Sweeps at arbitrary later moments (downtime included), applying each step as the flow does."""
    cal = calendar_for(zone)
    current = RecordState("wrapped", deadline(cal, wrapped, 1), -1)
    now, sent = wrapped, []
    for index, gap in enumerate(gaps):
        now += timedelta(minutes=gap)
        if recorded_after is not None and index >= recorded_after:
            current = RecordState("recorded", current.due_at, current.level_sent)
        step = decide(current, now=now, calendar=cal)
        if step.send is not None:
            assert current.status != "recorded"
            assert now >= current.due_at
            sent.append(step.send.level)
            current = RecordState(current.status, current.due_at, step.send.level)
        assert step.next_check_at is None or step.next_check_at > now
    assert sent == sorted(set(sent)) and set(sent) <= {r.level for r in LADDER}
