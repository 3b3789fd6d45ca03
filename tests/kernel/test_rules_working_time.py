from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.kernel.rules_working_time import (
    Leave,
    WorkCalendar,
    WorkingHours,
    add_working_days,
    is_working_day,
    is_working_time,
    local_datetime,
    next_common_working_moment,
    next_working_moment,
    on_working_day,
    working_windows,
)
from tests.calendars import ENGLAND, HOLIDAYS, NZ_AUCKLAND, ZONES

LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")
CHATHAM = ZoneInfo("Pacific/Chatham")
EVERY_DAY = WorkingHours(days=frozenset(range(7)))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(tz: ZoneInfo, *args: int) -> datetime:
    """An aware UTC instant given as local wall-clock fields (first occurrence if ambiguous)."""
    return datetime(*args, tzinfo=tz).astimezone(UTC)


def london(**kwargs) -> WorkCalendar:
    return WorkCalendar(LONDON, holidays=ENGLAND, **kwargs)


def auckland(**kwargs) -> WorkCalendar:
    return WorkCalendar(AUCKLAND, holidays=NZ_AUCKLAND, **kwargs)


# ------------------------------------------------------------------ wall clock and DST
def test_a_time_skipped_by_spring_forward_moves_on_by_the_gap():
    assert local_datetime(AUCKLAND, date(2026, 9, 27), time(2, 30)).astimezone(AUCKLAND).time() == time(3, 30)
    assert local_datetime(LONDON, date(2026, 3, 29), time(1, 30)) == utc(2026, 3, 29, 1, 30)  # 02:30 BST


def test_a_time_repeated_at_fall_back_means_its_first_occurrence():
    assert local_datetime(LONDON, date(2025, 10, 26), time(1, 30)) == utc(2025, 10, 26, 0, 30)  # BST
    assert local_datetime(AUCKLAND, date(2026, 4, 5), time(2, 30)) == utc(2026, 4, 4, 13, 30)  # NZDT


def test_results_are_aware_utc():
    assert local_datetime(LONDON, date(2026, 7, 1), time(9)).tzinfo is UTC
    assert next_working_moment(london(), utc(2026, 7, 4)).tzinfo is UTC


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        next_working_moment(london(), datetime(2026, 7, 1, 10))
    with pytest.raises(ValueError):
        is_working_time(london(), datetime(2026, 7, 1, 10))


def test_working_hours_must_start_before_they_end():
    with pytest.raises(ValueError):
        WorkingHours(start=time(17), end=time(9))
    with pytest.raises(ValueError):
        WorkingHours(start=time(9), end=time(9))


def test_working_time_is_local_to_the_person():
    assert is_working_time(london(), utc(2026, 7, 1, 8))  # 09:00 BST
    assert not is_working_time(london(), utc(2026, 7, 1, 16))  # 17:00 BST: the end is exclusive
    assert not is_working_time(auckland(), utc(2026, 7, 1, 8))  # 20:00 in Auckland


def test_next_working_moment_is_the_moment_itself_during_working_time():
    at = local(LONDON, 2026, 7, 1, 11, 15)
    assert next_working_moment(london(), at) == at


def test_next_working_moment_after_friday_evening_is_monday_morning():
    assert next_working_moment(london(), local(LONDON, 2026, 7, 3, 17)) == local(LONDON, 2026, 7, 6, 9)


def test_next_working_moment_on_the_dst_change_day_uses_the_new_offset():
    cal = WorkCalendar(LONDON, hours=EVERY_DAY)
    assert next_working_moment(cal, utc(2025, 3, 30, 0, 30)) == utc(2025, 3, 30, 8)  # 09:00 BST
    assert next_working_moment(cal, utc(2025, 10, 26, 0, 30)) == utc(2025, 10, 26, 9)  # 09:00 GMT
    nz = WorkCalendar(AUCKLAND, hours=EVERY_DAY)
    assert next_working_moment(nz, local(AUCKLAND, 2026, 9, 27, 1)) == utc(2026, 9, 26, 20)  # 09:00 NZDT


def test_next_working_moment_over_a_weekend_with_a_dst_change():
    assert next_working_moment(london(), local(LONDON, 2026, 3, 27, 18)) == utc(2026, 3, 30, 8)


def test_a_working_window_starting_in_a_dst_gap_opens_at_the_transition():
    cal = WorkCalendar(LONDON, hours=WorkingHours(time(1, 30), time(3), frozenset(range(7))))
    assert working_windows(cal, date(2025, 3, 30)) == [(utc(2025, 3, 30, 1), utc(2025, 3, 30, 2))]
    assert next_working_moment(cal, utc(2025, 3, 30, 0, 59)) == utc(2025, 3, 30, 1)


def test_working_hours_inside_the_repeated_hour_are_two_windows():
    cal = WorkCalendar(LONDON, hours=WorkingHours(time(1), time(1, 30), frozenset(range(7))))
    assert working_windows(cal, date(2025, 10, 26)) == [
        (utc(2025, 10, 26, 0), utc(2025, 10, 26, 0, 30)),
        (utc(2025, 10, 26, 1), utc(2025, 10, 26, 1, 30)),
    ]


def test_a_calendar_with_no_working_days_has_no_next_working_moment():
    with pytest.raises(ValueError):
        next_working_moment(WorkCalendar(LONDON, hours=WorkingHours(days=frozenset())), utc(2026, 1, 1))


# ------------------------------------------------------------------ holidays and leave
def test_christmas_and_boxing_day_in_england_are_skipped():
    assert not is_working_day(london(), date(2026, 12, 25))
    assert not is_working_day(london(), date(2026, 12, 28))  # Boxing Day observed
    assert next_working_moment(london(), local(LONDON, 2026, 12, 24, 17)) == local(LONDON, 2026, 12, 29, 9)


def test_waitangi_day_in_new_zealand_is_skipped():
    assert next_working_moment(auckland(), local(AUCKLAND, 2026, 2, 5, 17)) == local(AUCKLAND, 2026, 2, 9, 9)


def test_auckland_anniversary_day_is_skipped_only_in_auckland():
    assert not is_working_day(auckland(), date(2026, 1, 26))
    assert is_working_day(WorkCalendar(AUCKLAND), date(2026, 1, 26))


def test_from_inside_leave_the_next_working_moment_is_the_first_working_day_after_it():
    cal = london(leave=(Leave(date(2026, 7, 6), date(2026, 7, 17)),))
    assert next_working_moment(cal, local(LONDON, 2026, 7, 8, 11)) == local(LONDON, 2026, 7, 20, 9)


def test_leave_running_into_a_bank_holiday_waits_for_both():
    cal = london(leave=(Leave(date(2026, 8, 24), date(2026, 8, 28)),))
    assert next_working_moment(cal, local(LONDON, 2026, 8, 25, 10)) == local(LONDON, 2026, 9, 1, 9)


def test_leave_must_not_end_before_it_starts():
    with pytest.raises(ValueError):
        Leave(date(2026, 7, 6), date(2026, 7, 5))


# ------------------------------------------------------------------ counting working days
def test_two_working_days_after_christmas_eve_in_england_is_the_thirtieth():
    assert add_working_days(london(), local(LONDON, 2026, 12, 24, 10), 2) == local(LONDON, 2026, 12, 30, 10)


def test_adding_no_working_days_changes_nothing():
    at = local(LONDON, 2026, 12, 26, 3)
    assert add_working_days(london(), at, 0) == at


def test_adding_working_days_keeps_the_wall_clock_across_dst():
    assert add_working_days(london(), local(LONDON, 2026, 3, 27, 10), 1) == utc(2026, 3, 30, 9)  # 10:00 BST
    assert add_working_days(auckland(), local(AUCKLAND, 2026, 4, 3, 10), 1) == utc(
        2026, 4, 6, 22
    )  # Tue 10:00 NZST, after Easter


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(london(), utc(2026, 1, 1), -1)


def test_on_working_day_moves_a_weekend_time_to_monday_at_the_same_wall_clock():
    assert on_working_day(london(), local(LONDON, 2026, 3, 28, 10)) == local(LONDON, 2026, 3, 30, 10)
    at = local(LONDON, 2026, 3, 30, 22)
    assert on_working_day(london(), at) == at


# ------------------------------------------------------------------ people in different zones
def test_auckland_and_chatham_overlap_until_chatham_stops_work():
    cals = [auckland(), WorkCalendar(CHATHAM, holidays=NZ_AUCKLAND)]
    at = local(AUCKLAND, 2026, 7, 6, 9)
    assert next_common_working_moment(cals, at) == at  # 09:45 in Chatham
    # Chatham stops at 17:00 local, 16:15 in Auckland.
    assert next_common_working_moment(cals, local(AUCKLAND, 2026, 7, 6, 16, 30)) == local(
        AUCKLAND, 2026, 7, 7, 9
    )
    assert next_common_working_moment(cals, local(AUCKLAND, 2026, 7, 4, 12)) == local(AUCKLAND, 2026, 7, 6, 9)


def test_auckland_and_london_office_hours_never_meet():
    assert next_common_working_moment([auckland(), london()], utc(2026, 7, 1)) is None
    assert next_common_working_moment([auckland(), london()], utc(2026, 1, 5)) is None


def test_auckland_and_london_meet_when_both_stretch_their_day():
    early = WorkingHours(start=time(7), end=time(19))
    late = WorkingHours(start=time(7), end=time(20))
    cals = [auckland(hours=late), london(hours=early)]
    found = next_common_working_moment(cals, utc(2026, 7, 1))
    assert found == local(AUCKLAND, 2026, 7, 1, 18)  # Wednesday 07:00 in London
    assert all(is_working_time(cal, found) for cal in cals)


def test_no_common_moment_when_someone_has_no_working_days():
    nobody = WorkCalendar(LONDON, hours=WorkingHours(days=frozenset()))
    assert next_common_working_moment([london(), nobody], utc(2026, 7, 1)) is None


# ------------------------------------------------------------------ properties
instants = st.datetimes(datetime(2025, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC))
gaps = st.timedeltas(timedelta(0), timedelta(days=20))


@st.composite
def working_hours(draw) -> WorkingHours:
    start, end = sorted(draw(st.lists(st.times(), min_size=2, max_size=2, unique=True)))
    return WorkingHours(start, end, draw(st.frozensets(st.integers(0, 6), min_size=1)))


@st.composite
def scenarios(draw) -> tuple[WorkCalendar, datetime]:
    """A calendar with leave placed near the drawn instant, so that leave actually gets in the way."""
    zone = draw(st.sampled_from(ZONES))
    at = draw(instants)
    near = at.astimezone(ZoneInfo(zone)).date()
    leave = tuple(
        Leave(near + timedelta(days=first), near + timedelta(days=first + length))
        for first, length in draw(st.lists(st.tuples(st.integers(-5, 20), st.integers(0, 14)), max_size=2))
    )
    hols = HOLIDAYS[zone] if draw(st.booleans()) else frozenset()
    return WorkCalendar(ZoneInfo(zone), draw(working_hours()), hols, leave), at


def wall_time_exists(tz: ZoneInfo, day: date, at: time) -> bool:
    return local_datetime(tz, day, at).astimezone(tz).replace(tzinfo=None) == datetime.combine(day, at)


@settings(max_examples=200, deadline=None)
@given(scenarios(), gaps)
def test_next_working_moment_is_working_time_idempotent_and_monotonic(scenario, gap):
    cal, at = scenario
    found = next_working_moment(cal, at)
    assert found >= at
    assert found.tzinfo is UTC
    assert is_working_time(cal, found)
    assert is_working_day(cal, found.astimezone(cal.tz).date())
    assert next_working_moment(cal, found) == found
    assert next_working_moment(cal, at + gap) >= found


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_there_is_no_working_time_before_the_next_working_moment(scenario):
    cal, at = scenario
    found = next_working_moment(cal, at)
    assume(found > at)
    samples = [at + (found - at) * k / 40 for k in range(40)] + [found - timedelta(microseconds=1)]
    assert not any(is_working_time(cal, moment) for moment in samples)
    # Every local date in between was a non-working day or had its window elsewhere.
    day = at.astimezone(cal.tz).date()
    while day < found.astimezone(cal.tz).date():
        assert all(end <= at for _start, end in working_windows(cal, day))
        day += timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.integers(0, 15))
def test_adding_working_days_counts_only_working_days_and_keeps_the_wall_clock(scenario, days):
    cal, at = scenario
    found = add_working_days(cal, at, days)
    if days == 0:
        assert found == at
        return
    start, end = at.astimezone(cal.tz), found.astimezone(cal.tz)
    assert is_working_day(cal, end.date())
    between = [start.date() + timedelta(days=n) for n in range(1, (end.date() - start.date()).days + 1)]
    assert sum(is_working_day(cal, day) for day in between) == days
    if wall_time_exists(cal.tz, end.date(), start.time()):
        assert end.time() == start.time()
    assert add_working_days(cal, at, days + 1) > found


@settings(max_examples=200, deadline=None)
@given(scenarios(), gaps, st.integers(0, 10))
def test_adding_working_days_is_monotonic_in_the_start(scenario, gap, days):
    cal, first = scenario
    second = first + gap
    one, two = add_working_days(cal, first, days), add_working_days(cal, second, days)
    start_one, start_two = first.astimezone(cal.tz), second.astimezone(cal.tz)
    assert one.astimezone(cal.tz).date() <= two.astimezone(cal.tz).date()
    # Friday 15:00 and Saturday 10:00 both count to Monday, so compare instants only from working days; and
    # a wall clock that repeats (autumn) or is skipped (spring) on the way can reorder times within one date.
    both_working = is_working_day(cal, start_one.date()) and is_working_day(cal, start_two.date())
    assume(days == 0 or start_one.date() == start_two.date() or both_working)
    assume(start_one.replace(tzinfo=None) <= start_two.replace(tzinfo=None))
    assume(wall_time_exists(cal.tz, one.astimezone(cal.tz).date(), start_one.time()))
    assume(wall_time_exists(cal.tz, two.astimezone(cal.tz).date(), start_two.time()))
    assert one <= two


@settings(max_examples=200, deadline=None)
@given(scenarios(), st.lists(st.sampled_from(ZONES), min_size=1, max_size=2))
def test_a_common_working_moment_is_working_for_everyone_and_none_is_earlier(scenario, zones):
    cal, at = scenario
    cals = [cal, *(WorkCalendar(ZoneInfo(zone), holidays=HOLIDAYS[zone]) for zone in zones)]
    found = next_common_working_moment(cals, at, within=timedelta(days=14))
    if found is None:
        return
    assert at <= found <= at + timedelta(days=14)
    assert all(is_working_time(c, found) for c in cals)
    if found > at:
        assert not all(is_working_time(c, found - timedelta(microseconds=1)) for c in cals)
