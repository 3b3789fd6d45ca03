"""When the next reflective discussion, supervision check-in and agreement review fall due.

Recurrences are dateutil rules run on naive local wall-clock datetimes in the person's zone, so
"Tuesdays at 10" stays 10:00 on both sides of a DST change. Each occurrence is then turned into an aware
UTC instant and moved off weekends, holidays and leave onto the next working day at the same wall-clock time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, rrule, rrulebase, rruleset, rrulestr, weekdays

from bot.kernel.rules_working_time import WorkCalendar, as_utc, first_working_day, local_datetime

DEFAULT_TIME = time(10, 0)
INDUCTION = timedelta(weeks=6)  # weekly discussions while a developing worker is in their first six weeks
HORIZON = relativedelta(years=5)  # a rule with no occurrence this far ahead has ended
# The same forms bot.cases.rules_agreements accepts for a custom cadence.
EVERY = re.compile(r"^every\s+(\d{1,2})\s+(day|week|month)s?$", re.IGNORECASE)
_UNITS = {"day": DAILY, "week": WEEKLY, "month": MONTHLY}
_PERIODS = {"weekly": (WEEKLY, 1), "fortnightly": (WEEKLY, 2), "monthly": (MONTHLY, 1)}
_DAYS_PER = {"SECONDLY": 0, "MINUTELY": 0, "HOURLY": 0, "DAILY": 1, "WEEKLY": 7, "MONTHLY": 28, "YEARLY": 365}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Cadence:
    frequency: str  # "weekly" | "fortnightly" | "monthly" | "custom"
    custom: str | None = None  # "every N days|weeks|months" or an RFC 5545 RRULE
    weekday: int | None = None  # preferred weekday 0..4 (Mon..Fri); None = that of the first eligible day
    at: time | None = None  # preferred local time; None = DEFAULT_TIME


def parse_time(text: str | None) -> time | None:
    """'10:00' -> time(10, 0); nothing -> None (use the default); anything else is a mistake."""
    if text is None or not text.strip():
        return None
    match = _TIME.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a time like 10:00.")
    return time(int(match.group(1)), int(match.group(2)))  # ValueError for 25:00 or 10:75


def parse_every(text: str) -> tuple[int, int] | None:
    """'every 3 weeks' -> (WEEKLY, 3); None when the text is not of that form (it may be an RRULE)."""
    match = EVERY.match(text.strip())
    if not match:
        return None
    interval = int(match.group(1))
    if not 0 < interval <= 26:
        raise ValueError("Choose between 1 and 26.")
    return _UNITS[match.group(2).lower()], interval


def next_discussion(
    cadence: Cadence, *, started: datetime, after: datetime, cal: WorkCalendar, developing: bool
) -> datetime:
    """The next reflective discussion strictly after `after`, on a working day."""
    return _next(_discussion_rule(cadence, as_utc(started), cal, developing), as_utc(after), cal)


def next_supervision(frequency: str, *, started: datetime, after: datetime, cal: WorkCalendar) -> datetime:
    """The next joint supervision check-in: one period after the case started, then every period."""
    if frequency not in _PERIODS:
        raise ValueError(f"Unknown supervision frequency {frequency!r}.")
    freq, interval = _PERIODS[frequency]
    first = as_utc(started).astimezone(cal.tz).date()
    if freq == MONTHLY:  # same day of the month, capped so that short months are not skipped
        day = min(first.day, 28)
        first += relativedelta(months=1, day=day)
    else:
        first += timedelta(weeks=interval)
    dtstart = datetime.combine(first, DEFAULT_TIME)
    return _next(_rule(freq, interval, dtstart, weekday=None, monthday=dtstart.day), as_utc(after), cal)


def review_due(review_date: date, cal: WorkCalendar, *, at: time = DEFAULT_TIME) -> datetime:
    """The agreement review reminder: the review date at `at` local, or the next working day."""
    return local_datetime(cal.tz, first_working_day(cal, review_date), at)


def induction_ends(
    cadence: Cadence, *, started: datetime, cal: WorkCalendar, developing: bool
) -> date | None:
    """The last day of the developing worker's induction, through which discussions come weekly; None
    when nobody on the case is developing or the agreed rule meets at least weekly anyway."""
    if not developing or _weekly_or_more(cadence):
        return None
    return as_utc(started).astimezone(cal.tz).date() + INDUCTION


NQ_WEEKLY_FOR = timedelta(weeks=6)  # PRACTICE.md 5: weekly for a newly qualified worker's first 6 weeks,
NQ_FORTNIGHTLY_UNTIL = relativedelta(months=6)  # fortnightly to 6 months, then the agreed cadence (monthly)


def next_nq_supervision(frequency: str, *, started_on: date, after: datetime, cal: WorkCalendar) -> datetime:
    """A newly qualified worker's supervision, counted from THEIR start date (not the case's): weekly
    for their first six weeks, fortnightly to six months, then at the agreed frequency."""
    if frequency not in _PERIODS:
        raise ValueError(f"Unknown supervision frequency {frequency!r}.")
    six_weeks = datetime.combine(started_on + NQ_WEEKLY_FOR, DEFAULT_TIME)
    six_months = datetime.combine(started_on + NQ_FORTNIGHTLY_UNTIL, DEFAULT_TIME)
    rules = rruleset()
    rules.rrule(
        rrule(
            WEEKLY, dtstart=datetime.combine(started_on + timedelta(weeks=1), DEFAULT_TIME), until=six_weeks
        )
    )
    fortnightly_until = six_months - timedelta(days=1)
    rules.rrule(rrule(WEEKLY, interval=2, dtstart=six_weeks + timedelta(weeks=2), until=fortnightly_until))
    freq, interval = _PERIODS[frequency]
    rules.rrule(_rule(freq, interval, six_months, weekday=None, monthday=six_months.day))
    return _next(rules, as_utc(after), cal)


def rebook(missed_at: datetime, *, now: datetime, cal: WorkCalendar) -> datetime:
    """A missed supervision rebooked at the earliest date (PRACTICE.md 5): the next working day after
    `now`, at the missed one's local time."""
    at = as_utc(missed_at).astimezone(cal.tz).time()
    day = as_utc(now).astimezone(cal.tz).date() + timedelta(days=1)
    return local_datetime(cal.tz, first_working_day(cal, day), at)


def _discussion_rule(cadence: Cadence, started: datetime, cal: WorkCalendar, developing: bool) -> rrulebase:
    """The agreed rule; for a developing worker, weekly through induction and the agreed rule after it."""
    started_on = started.astimezone(cal.tz).date()
    at = DEFAULT_TIME if cadence.at is None else cadence.at
    dtstart = datetime.combine(started_on + timedelta(days=1), at)
    # The weekday and day of month come from the first eligible day, so the rhythm is the same with or without
    # induction; induction only delays where the agreed rule begins.
    day = cadence.weekday if cadence.weekday is not None else dtstart.weekday()
    agreed = _agreed(cadence, day, dtstart.day)
    last_day = induction_ends(cadence, started=started, cal=cal, developing=developing)
    if last_day is None:
        return agreed(dtstart)
    until = datetime.combine(last_day, at)
    rules = rruleset()
    rules.rrule(rrule(WEEKLY, dtstart=dtstart, byweekday=day, until=until))
    # A custom RRULE text may parse to a set; rruleset iterates any rrulebase, though its stub says rrule.
    rules.rrule(agreed(until + timedelta(days=1)))  # type: ignore[arg-type]
    return rules


def _agreed(cadence: Cadence, day: int, monthday: int) -> Callable[[datetime], rrulebase]:
    """A function from dtstart to the agreed rule."""
    if cadence.frequency in _PERIODS:
        freq, interval = _PERIODS[cadence.frequency]
    elif cadence.frequency == "custom":
        text = (cadence.custom or "").strip()
        if every := parse_every(text):
            freq, interval = every
        else:
            return lambda dtstart: rrulestr(_rrule_body(text), dtstart=dtstart, ignoretz=True)
    else:
        raise ValueError(f"Unknown discussion frequency {cadence.frequency!r}.")
    # Monthly without a chosen weekday goes by the day of the month, not "the first Tuesday".
    on_day = day if cadence.weekday is not None or freq != MONTHLY else None
    return lambda dtstart: _rule(freq, interval, dtstart, weekday=on_day, monthday=monthday)


def _rule(freq: int, interval: int, dtstart: datetime, *, weekday: int | None, monthday: int) -> rrule:
    if freq == WEEKLY:
        return rrule(WEEKLY, interval=interval, dtstart=dtstart, byweekday=weekday)
    if freq == MONTHLY and weekday is not None:  # the first such weekday of the month
        return rrule(MONTHLY, interval=interval, dtstart=dtstart, byweekday=weekdays[weekday](+1))
    if freq == MONTHLY:  # rrule skips months that lack the 29th-31st; capping at 28 keeps every month
        return rrule(MONTHLY, interval=interval, dtstart=dtstart, bymonthday=min(monthday, 28))
    if freq == DAILY:
        return rrule(DAILY, interval=interval, dtstart=dtstart)
    raise ValueError(f"Unknown rrule frequency {freq!r}.")  # _UNITS and _PERIODS hold only these three


def _weekly_or_more(cadence: Cadence) -> bool:
    """Whether the agreed rule already meets at least weekly, so induction adds nothing."""
    if cadence.frequency != "custom":
        return cadence.frequency == "weekly"
    text = (cadence.custom or "").strip()
    if every := parse_every(text):
        freq, interval = every
        return (freq == DAILY and interval <= 7) or (freq == WEEKLY and interval == 1)
    parts = dict(part.partition("=")[::2] for part in _rrule_body(text).upper().split(";"))
    interval = int(parts.get("INTERVAL", "1") or 1)
    return _DAYS_PER.get(parts.get("FREQ", ""), 365) * interval <= 7


def _rrule_body(text: str) -> str:
    return text[len("RRULE:") :] if text.upper().startswith("RRULE:") else text


def _next(rule: rrulebase, after: datetime, cal: WorkCalendar) -> datetime:
    """The first occurrence after `after`, moved onto a working day; always strictly after `after`."""
    local_after = after.astimezone(cal.tz).replace(tzinfo=None)
    # Start a day early: near a DST change local and UTC order can differ by an hour; UTC decides below.
    for occurrence in rule.xafter(local_after - timedelta(days=1), inc=True):
        if occurrence > local_after + HORIZON:
            break
        if local_datetime(cal.tz, occurrence.date(), occurrence.time()) <= after:
            continue
        moved = local_datetime(cal.tz, first_working_day(cal, occurrence.date()), occurrence.time())
        if moved > after:
            return moved
    raise ValueError(f"No occurrence within {HORIZON.years} years after {after}.")
