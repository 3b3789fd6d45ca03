"""Working time: when a reminder may reach a person, in their own time zone and calendar.

Everything here is pure. Instants go in and come out as aware UTC datetimes; wall-clock reasoning happens
in the person's zone through `zoneinfo`, so daylight-saving changes never shift or duplicate anything.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Bounds on the searches below: long enough for any real calendar, short enough that a calendar with no
# working days at all fails instead of looping forever.
SEARCH_DAYS = 3 * 366
# A UTC offset is within -12h..+14h, so instants with a given local date lie within this margin of that date.
_OFFSET_MARGIN = timedelta(hours=15)


@dataclass(frozen=True)
class WorkingHours:
    start: time = time(9, 0)  # local wall clock
    end: time = time(17, 0)  # exclusive
    days: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday=0

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("Working hours must start before they end.")
        object.__setattr__(self, "days", frozenset(self.days))  # a caller's set becomes hashable
        if not self.days <= set(range(7)):
            raise ValueError("Working days are weekday numbers 0 (Monday) to 6 (Sunday).")


@dataclass(frozen=True)
class Leave:
    first_day: date  # inclusive, in the person's local calendar
    last_day: date  # inclusive

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError("Leave must end on or after the day it starts.")

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True)
class WorkCalendar:
    tz: ZoneInfo
    hours: WorkingHours = WorkingHours()
    holidays: Container[date] = field(default_factory=frozenset)  # a holidays.HolidayBase, or a set of dates
    leave: tuple[Leave, ...] = ()


def as_utc(at: datetime) -> datetime:
    """Naive datetimes are refused: guessing their zone is how reminders end up at 3am."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at!r} is naive; pass an aware UTC datetime.")
    return at.astimezone(UTC)


def local_datetime(tz: ZoneInfo, day: date, at: time) -> datetime:
    """The UTC instant for a local wall-clock time.

    fold=0 gives what people expect: a time skipped by spring-forward moves on by the gap (02:30 -> 03:30),
    and a time repeated at autumn fall-back means its first occurrence.
    """
    return datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz).astimezone(UTC)


def is_working_day(cal: WorkCalendar, day: date) -> bool:
    return (
        day.weekday() in cal.hours.days
        and day not in cal.holidays
        and not any(leave.covers(day) for leave in cal.leave)
    )


def is_working_time(cal: WorkCalendar, at: datetime) -> bool:
    local = as_utc(at).astimezone(cal.tz)
    return is_working_day(cal, local.date()) and cal.hours.start <= local.time() < cal.hours.end


def first_working_day(cal: WorkCalendar, day: date) -> date:
    """`day` itself if it is a working day, else the next one."""
    for offset in range(SEARCH_DAYS + 1):
        candidate = day + timedelta(days=offset)
        if is_working_day(cal, candidate):
            return candidate
    raise ValueError(f"No working day within {SEARCH_DAYS} days of {day}.")


def next_working_moment(cal: WorkCalendar, at: datetime) -> datetime:
    """`at` itself during working time, else the start of the next working window."""
    at = as_utc(at)
    if not cal.hours.days:
        raise ValueError("This calendar has no working days.")
    first = at.astimezone(cal.tz).date()  # windows of earlier local dates all end before `at`
    for offset in range(SEARCH_DAYS + 1):
        for start, end in working_windows(cal, first + timedelta(days=offset)):
            if end > at:
                return max(start, at)
    raise ValueError(f"No working time within {SEARCH_DAYS} days of {at}.")


def next_common_working_moment(
    cals: Sequence[WorkCalendar], at: datetime, *, within: timedelta = timedelta(days=28)
) -> datetime | None:
    """The earliest moment >= `at` when everyone is working, or None if there is none within `within`.

    Each round jumps to the latest of everyone's next working moment. No common moment can come before that,
    and each round passes at least one window boundary, so this walks boundaries rather than minutes.
    """
    if not cals:
        raise ValueError("Name at least one calendar.")
    candidate, deadline = as_utc(at), as_utc(at) + within
    while candidate <= deadline:
        try:
            latest = max(next_working_moment(cal, candidate) for cal in cals)
        except ValueError:  # someone has no working time at all
            return None
        if latest == candidate:
            return candidate
        candidate = latest
    return None


def add_working_days(cal: WorkCalendar, at: datetime, days: int) -> datetime:
    """The same local wall-clock time `days` working days later; weekends, holidays and leave don't count."""
    if days < 0:
        raise ValueError("Count working days forwards (days >= 0).")
    at = as_utc(at)
    if days == 0:
        return at
    local = at.astimezone(cal.tz)
    day = local.date()
    for _ in range(days):
        day = first_working_day(cal, day + timedelta(days=1))
    return local_datetime(cal.tz, day, local.time())


def on_working_day(cal: WorkCalendar, at: datetime) -> datetime:
    """`at` if its local date is a working day, else the same wall-clock time on the next working day."""
    at = as_utc(at)
    local = at.astimezone(cal.tz)
    day = first_working_day(cal, local.date())
    return at if day == local.date() else local_datetime(cal.tz, day, local.time())


def working_windows(cal: WorkCalendar, day: date) -> list[tuple[datetime, datetime]]:
    """The UTC intervals [start, end) of `day` whose local wall-clock time is within working hours.

    Usually one interval. When the start or end falls in a DST gap the window begins or ends at the
    transition; when working hours span an autumn fold the repeated hour can make two intervals. Working per
    UTC offset keeps this exactly in step with `is_working_time`.
    """
    if not is_working_day(cal, day):
        return []
    start, end = datetime.combine(day, cal.hours.start), datetime.combine(day, cal.hours.end)
    windows: list[tuple[datetime, datetime]] = []
    for lo, hi, offset in _offset_pieces(cal.tz, day):
        begin = max(lo, (start - offset).replace(tzinfo=UTC))
        finish = min(hi, (end - offset).replace(tzinfo=UTC))
        if begin >= finish:
            continue
        if windows and windows[-1][1] == begin:  # one window that merely crosses a transition
            begin = windows.pop()[0]
        windows.append((begin, finish))
    return windows


def _offset_pieces(tz: ZoneInfo, day: date) -> list[tuple[datetime, datetime, timedelta]]:
    """Split the UTC span around a local date into pieces with a constant UTC offset (at most one change)."""
    lo = datetime.combine(day, time(0), tzinfo=UTC) - _OFFSET_MARGIN
    hi = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC) + _OFFSET_MARGIN
    before, after = _offset(tz, lo), _offset(tz, hi)
    if before == after:
        return [(lo, hi, before)]
    change = _transition(tz, lo, hi, before)
    return [(lo, change, before), (change, hi, after)]


def _transition(tz: ZoneInfo, lo: datetime, hi: datetime, before: timedelta) -> datetime:
    """The first instant after `lo` whose offset differs, by bisection (tz data is in whole seconds)."""
    span = int((hi - lo).total_seconds())
    while span > 1:
        half = span // 2
        middle = lo + timedelta(seconds=half)
        if _offset(tz, middle) == before:
            lo, span = middle, span - half
        else:
            span = half
    return lo + timedelta(seconds=span)


def _offset(tz: ZoneInfo, at: datetime) -> timedelta:
    offset = at.astimezone(tz).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset
