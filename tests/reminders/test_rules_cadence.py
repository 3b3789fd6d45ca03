from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import DAILY, MONTHLY, WEEKLY
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.kernel.rules_working_time import Leave, WorkCalendar, WorkingHours, is_working_day, local_datetime
from bot.reminders.rules_cadence import (
    DEFAULT_TIME,
    Cadence,
    induction_ends,
    next_discussion,
    next_supervision,
    parse_every,
    parse_time,
    review_due,
)
from tests.calendars import ENGLAND, HOLIDAYS, NZ_AUCKLAND, ZONES

LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")
LONDON_CAL = WorkCalendar(LONDON, holidays=ENGLAND)
AUCKLAND_CAL = WorkCalendar(AUCKLAND, holidays=NZ_AUCKLAND)
TUESDAY = 1


def local(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz).astimezone(UTC)


def discussions(cadence: Cadence, cal: WorkCalendar, started: datetime, count: int, *, developing=False):
    """The next `count` discussions, each asked for after the one before, as local datetimes."""
    found, after = [], started
    for _ in range(count):
        after = next_discussion(cadence, started=started, after=after, cal=cal, developing=developing)
        found.append(after.astimezone(cal.tz))
    return found


def supervisions(frequency: str, cal: WorkCalendar, started: datetime, count: int):
    found, after = [], started
    for _ in range(count):
        after = next_supervision(frequency, started=started, after=after, cal=cal)
        found.append(after.astimezone(cal.tz))
    return found


def dates(found) -> list[date]:
    return [moment.date() for moment in found]


# ------------------------------------------------------------------ parsing
def test_parse_time_reads_hours_and_minutes():
    assert parse_time("10:00") == time(10, 0)
    assert parse_time(" 9:30 ") == time(9, 30)
    assert parse_time(None) is None
    assert parse_time("") is None


@pytest.mark.parametrize("text", ["10", "ten", "10:0", "25:00", "10:75", "10:00pm"])
def test_parse_time_refuses_junk(text):
    with pytest.raises(ValueError):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("every 3 days", (DAILY, 3)),
        ("Every 2 Weeks", (WEEKLY, 2)),
        ("every 1 week", (WEEKLY, 1)),
        ("EVERY 26 MONTHS", (MONTHLY, 26)),
        ("FREQ=WEEKLY;INTERVAL=3", None),
    ],
)
def test_parse_every_reads_the_custom_forms(text, expected):
    assert parse_every(text) == expected


@pytest.mark.parametrize("text", ["every 0 weeks", "every 27 weeks"])
def test_parse_every_refuses_intervals_outside_1_to_26(text):
    with pytest.raises(ValueError):
        parse_every(text)


# ------------------------------------------------------------------ discussions
def test_weekly_tuesday_at_ten_stays_ten_across_the_london_clock_change():
    found = discussions(Cadence("weekly", weekday=TUESDAY), LONDON_CAL, local(LONDON, 2026, 3, 16, 12), 4)
    assert dates(found) == [date(2026, 3, 17), date(2026, 3, 24), date(2026, 3, 31), date(2026, 4, 7)]
    assert {moment.time() for moment in found} == {time(10)}
    assert [moment.utcoffset() for moment in found] == [timedelta(0)] * 2 + [timedelta(hours=1)] * 2


def test_weekly_tuesday_at_ten_stays_ten_across_both_auckland_clock_changes():
    autumn = discussions(
        Cadence("weekly", weekday=TUESDAY), AUCKLAND_CAL, local(AUCKLAND, 2026, 3, 23, 12), 3
    )
    assert dates(autumn) == [date(2026, 3, 24), date(2026, 3, 31), date(2026, 4, 7)]
    assert [m.utcoffset() for m in autumn] == [timedelta(hours=13)] * 2 + [timedelta(hours=12)]
    spring = discussions(
        Cadence("weekly", weekday=TUESDAY), AUCKLAND_CAL, local(AUCKLAND, 2026, 9, 21, 12), 2
    )
    assert dates(spring) == [date(2026, 9, 22), date(2026, 9, 29)]
    assert [m.utcoffset() for m in spring] == [timedelta(hours=12), timedelta(hours=13)]
    assert {moment.time() for moment in autumn + spring} == {time(10)}


def test_a_time_in_the_spring_forward_gap_moves_on_by_the_gap_that_day_only():
    cal = WorkCalendar(AUCKLAND, hours=WorkingHours(days=frozenset(range(7))))
    found = discussions(
        Cadence("custom", "every 1 day", at=time(2, 30)), cal, local(AUCKLAND, 2026, 9, 25, 12), 3
    )
    assert [(m.date(), m.time()) for m in found] == [
        (date(2026, 9, 26), time(2, 30)),
        (date(2026, 9, 27), time(3, 30)),
        (date(2026, 9, 28), time(2, 30)),
    ]


def test_a_discussion_on_a_holiday_moves_to_the_next_working_day_at_the_same_time():
    friday = Cadence("weekly", weekday=4, at=time(14, 30))
    found = discussions(friday, AUCKLAND_CAL, local(AUCKLAND, 2026, 2, 2, 12), 3)
    assert dates(found) == [date(2026, 2, 9), date(2026, 2, 13), date(2026, 2, 20)]  # Waitangi Day Fri 6 Feb
    assert {moment.time() for moment in found} == {time(14, 30)}


def test_a_discussion_during_leave_waits_until_the_leave_is_over():
    cal = WorkCalendar(LONDON, holidays=ENGLAND, leave=(Leave(date(2026, 7, 6), date(2026, 7, 17)),))
    found = discussions(Cadence("weekly", weekday=TUESDAY), cal, local(LONDON, 2026, 6, 29, 12), 3)
    assert dates(found) == [date(2026, 6, 30), date(2026, 7, 20), date(2026, 7, 21)]


def test_the_next_discussion_is_strictly_after_the_one_just_held():
    cadence, started = Cadence("weekly", weekday=TUESDAY), local(LONDON, 2026, 6, 1, 12)
    held = local(LONDON, 2026, 6, 2, 10)
    after = next_discussion(cadence, started=started, after=held, cal=LONDON_CAL, developing=False)
    assert after == local(LONDON, 2026, 6, 9, 10)


def test_without_a_weekday_the_first_eligible_day_sets_the_weekday():
    found = discussions(Cadence("fortnightly"), LONDON_CAL, local(LONDON, 2026, 6, 2, 12), 3)  # a Tuesday
    assert dates(found) == [date(2026, 6, 3), date(2026, 6, 17), date(2026, 7, 1)]


def test_monthly_on_the_31st_is_capped_at_the_28th_so_no_month_is_skipped():
    cal = WorkCalendar(LONDON, hours=WorkingHours(days=frozenset(range(7))))
    found = discussions(Cadence("monthly"), cal, local(LONDON, 2026, 12, 30, 12), 4)
    assert dates(found) == [date(2027, 1, 28), date(2027, 2, 28), date(2027, 3, 28), date(2027, 4, 28)]


def test_monthly_with_a_weekday_is_the_first_such_weekday_of_each_month():
    found = discussions(Cadence("monthly", weekday=2), LONDON_CAL, local(LONDON, 2026, 6, 15, 12), 3)
    assert dates(found) == [date(2026, 7, 1), date(2026, 8, 5), date(2026, 9, 2)]


@pytest.mark.parametrize(
    ("custom", "expected"),
    [
        ("every 3 days", [date(2026, 6, 2), date(2026, 6, 5), date(2026, 6, 8), date(2026, 6, 11)]),
        ("Every 3 Weeks", [date(2026, 6, 2), date(2026, 6, 23), date(2026, 7, 14), date(2026, 8, 4)]),
        ("every 2 month", [date(2026, 6, 2), date(2026, 8, 3), date(2026, 10, 2), date(2026, 12, 2)]),
        (
            "FREQ=WEEKLY;INTERVAL=3",
            [date(2026, 6, 2), date(2026, 6, 23), date(2026, 7, 14), date(2026, 8, 4)],
        ),
        (
            "RRULE:FREQ=WEEKLY;BYDAY=TH",
            [date(2026, 6, 4), date(2026, 6, 11), date(2026, 6, 18), date(2026, 6, 25)],
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=15",
            [date(2026, 6, 15), date(2026, 7, 15), date(2026, 8, 17), date(2026, 9, 15)],
        ),
    ],
)
def test_custom_cadences(custom, expected):
    found = discussions(Cadence("custom", custom), LONDON_CAL, local(LONDON, 2026, 6, 1, 12), 4)
    assert dates(found) == expected  # Sun 2 Aug and Sat 15 Aug 2026 move to Monday
    assert {moment.time() for moment in found} == {DEFAULT_TIME}


def test_a_custom_rrule_may_set_its_own_time():
    cadence = Cadence("custom", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=15;BYMINUTE=45")
    found = discussions(cadence, LONDON_CAL, local(LONDON, 2026, 6, 1, 12), 2)
    assert found == [
        datetime(2026, 6, 8, 15, 45, tzinfo=LONDON),
        datetime(2026, 6, 15, 15, 45, tzinfo=LONDON),
    ]


def test_a_custom_rrule_that_has_ended_has_no_next_discussion():
    started = local(LONDON, 2026, 6, 1, 12)
    until = Cadence("custom", "rrule:freq=weekly;until=20260610T000000Z")
    assert dates(discussions(until, LONDON_CAL, started, 2)) == [date(2026, 6, 2), date(2026, 6, 9)]
    with pytest.raises(ValueError):
        discussions(Cadence("custom", "FREQ=WEEKLY;COUNT=2"), LONDON_CAL, started, 3)


@pytest.mark.parametrize(
    "cadence", [Cadence("custom", "every fortnight"), Cadence("custom"), Cadence("daily")]
)
def test_unreadable_cadences_are_refused(cadence):
    started = local(LONDON, 2026, 6, 1)
    with pytest.raises(ValueError):
        next_discussion(cadence, started=started, after=started, cal=LONDON_CAL, developing=False)


def test_a_developing_worker_meets_weekly_for_six_weeks_then_as_agreed():
    started = local(AUCKLAND, 2026, 3, 2, 12)  # a Monday
    found = discussions(Cadence("fortnightly", weekday=TUESDAY), AUCKLAND_CAL, started, 9, developing=True)
    assert dates(found) == [
        *(date(2026, 3, 3) + timedelta(weeks=n) for n in range(6)),  # 3 Mar .. 7 Apr
        date(2026, 4, 14),
        date(2026, 4, 28),
        date(2026, 5, 12),
    ]
    assert found[-1] < local(AUCKLAND, 2026, 3, 2) + timedelta(weeks=12)


def test_induction_ends_six_weeks_after_the_start_on_the_day_of_the_last_weekly_discussion():
    started = local(AUCKLAND, 2026, 3, 2, 12)  # a Monday
    cadence = Cadence("fortnightly", weekday=TUESDAY)
    last = induction_ends(cadence, started=started, cal=AUCKLAND_CAL, developing=True)
    assert last == date(2026, 4, 13)
    found = dates(discussions(cadence, AUCKLAND_CAL, started, 9, developing=True))
    weekly = [day for day in found if day <= last]
    assert weekly == [date(2026, 3, 3) + timedelta(weeks=n) for n in range(6)]
    assert all(
        later - earlier == timedelta(weeks=2) for earlier, later in zip(found[6:], found[7:], strict=False)
    )
    assert induction_ends(cadence, started=started, cal=AUCKLAND_CAL, developing=False) is None
    assert induction_ends(Cadence("weekly"), started=started, cal=AUCKLAND_CAL, developing=True) is None


def test_induction_adds_nothing_when_the_agreed_rule_is_already_weekly_or_more():
    started = local(LONDON, 2026, 6, 1, 12)
    for cadence in [Cadence("weekly"), Cadence("custom", "every 3 days"), Cadence("custom", "FREQ=WEEKLY")]:
        assert discussions(cadence, LONDON_CAL, started, 8, developing=True) == discussions(
            cadence, LONDON_CAL, started, 8
        )


def test_naive_datetimes_are_refused():
    after = local(LONDON, 2026, 6, 1)
    with pytest.raises(ValueError):
        next_discussion(
            Cadence("weekly"), started=datetime(2026, 6, 1), after=after, cal=LONDON_CAL, developing=False
        )
    with pytest.raises(ValueError):
        next_supervision("weekly", started=after, after=datetime(2026, 6, 1), cal=LONDON_CAL)


# ------------------------------------------------------------------ supervision and review
def test_supervision_comes_one_period_after_the_start_then_every_period():
    started = local(LONDON, 2026, 6, 3, 15)  # a Wednesday
    assert dates(supervisions("weekly", LONDON_CAL, started, 2)) == [date(2026, 6, 10), date(2026, 6, 17)]
    assert dates(supervisions("fortnightly", LONDON_CAL, started, 2)) == [date(2026, 6, 17), date(2026, 7, 1)]
    assert dates(supervisions("monthly", LONDON_CAL, started, 3)) == [
        date(2026, 7, 3),
        date(2026, 8, 3),
        date(2026, 9, 3),
    ]
    assert {m.time() for m in supervisions("monthly", LONDON_CAL, started, 3)} == {DEFAULT_TIME}


def test_monthly_supervision_from_the_31st_falls_on_the_28th():
    found = supervisions("monthly", LONDON_CAL, local(LONDON, 2027, 1, 31, 12), 3)
    # 28 Feb 2027 is a Sunday; 28 Mar is Easter Sunday and 29 Mar Easter Monday.
    assert dates(found) == [date(2027, 3, 1), date(2027, 3, 30), date(2027, 4, 28)]


def test_unknown_supervision_frequency_is_refused():
    started = local(LONDON, 2026, 6, 1)
    with pytest.raises(ValueError):
        next_supervision("daily", started=started, after=started, cal=LONDON_CAL)


def test_a_review_due_on_a_holiday_is_due_on_the_next_working_day():
    assert review_due(date(2026, 12, 25), LONDON_CAL) == local(LONDON, 2026, 12, 29, 10)
    assert review_due(date(2026, 6, 3), LONDON_CAL, at=time(9, 15)) == local(LONDON, 2026, 6, 3, 9, 15)
    assert review_due(date(2026, 2, 6), AUCKLAND_CAL) == local(AUCKLAND, 2026, 2, 9, 10)


# ------------------------------------------------------------------ properties
CUSTOM = [
    "every 3 days",
    "every 2 weeks",
    "Every 1 Month",
    "every 10 days",
    "FREQ=WEEKLY;INTERVAL=3",
    "FREQ=DAILY",
]
instants = st.datetimes(datetime(2025, 1, 1), datetime(2029, 12, 31), timezones=st.just(UTC))
delays = st.timedeltas(timedelta(0), timedelta(days=400))
times = st.times().map(lambda t: t.replace(microsecond=0))


@st.composite
def calendars(draw) -> WorkCalendar:
    zone = draw(st.sampled_from(ZONES))
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    leave = tuple(
        Leave(first, first + timedelta(days=length))
        for first, length in draw(
            st.lists(st.tuples(st.dates(date(2025, 1, 1), date(2030, 6, 1)), st.integers(0, 21)), max_size=3)
        )
    )
    hols = HOLIDAYS[zone] if draw(st.booleans()) else frozenset()
    return WorkCalendar(ZoneInfo(zone), WorkingHours(days=days), hols, leave)


cadences = st.builds(
    Cadence,
    frequency=st.sampled_from(["weekly", "fortnightly", "monthly", "custom"]),
    custom=st.sampled_from(CUSTOM),
    weekday=st.none() | st.integers(0, 4),
    at=st.none() | times,
)


def expected_time(cal: WorkCalendar, day: date, preferred: time) -> time:
    """The preferred wall-clock time, or where a DST gap moved it on that day."""
    return local_datetime(cal.tz, day, preferred).astimezone(cal.tz).time()


def check_schedule(next_after, cal: WorkCalendar, after: datetime, preferred: time) -> None:
    """The shared properties of discussions and supervisions, stepping through eight occurrences."""
    found = next_after(after)
    assert found > after
    later = after + timedelta(days=3, hours=5)
    assert next_after(later) >= found
    steps = [found]
    for _ in range(7):
        steps.append(next_after(steps[-1]))
    assert all(one < two for one, two in zip(steps, steps[1:], strict=False))
    local_days = [moment.astimezone(cal.tz).date() for moment in steps]
    assert len(set(local_days)) == len(local_days)
    for moment, day in zip(steps, local_days, strict=True):
        assert is_working_day(cal, day)
        assert moment.astimezone(cal.tz).time() == expected_time(cal, day, preferred)


@settings(max_examples=200, deadline=None)
@given(cadences, calendars(), instants, delays, st.booleans())
def test_discussions_are_after_on_working_days_at_the_preferred_time_and_never_repeat(
    cadence, cal, started, delay, developing
):
    def next_after(after: datetime) -> datetime:
        return next_discussion(cadence, started=started, after=after, cal=cal, developing=developing)

    check_schedule(next_after, cal, started + delay, cadence.at or DEFAULT_TIME)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["weekly", "fortnightly", "monthly"]), calendars(), instants, delays)
def test_supervisions_are_after_on_working_days_at_ten_and_never_repeat(frequency, cal, started, delay):
    def next_after(after: datetime) -> datetime:
        return next_supervision(frequency, started=started, after=after, cal=cal)

    check_schedule(next_after, cal, started + delay, DEFAULT_TIME)


@settings(max_examples=200, deadline=None)
@given(cadences, calendars(), instants, delays, delays)
def test_the_next_discussion_is_monotonic_in_after(cadence, cal, started, one, two):
    early, late = sorted([started + one, started + two])
    first = next_discussion(cadence, started=started, after=early, cal=cal, developing=True)
    second = next_discussion(cadence, started=started, after=late, cal=cal, developing=True)
    assert first <= second
