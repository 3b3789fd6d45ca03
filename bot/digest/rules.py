"""The weekly digest's arithmetic (PURE): when it is due, its week, and 12 weeks of co-working health.

Everything here takes `now` and plain facts; nothing reads a case's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKS = 12


def parse_at(text: str) -> tuple[int, time]:
    """ "Mon 09:00" -> (0, 09:00); ValueError for anything else."""
    day, _, at = text.strip().partition(" ")
    if day.lower()[:3] not in DAYS or len(day) < 3:
        raise ValueError(f"not a day name: {day!r}")
    return DAYS.index(day.lower()[:3]), time.fromisoformat(at.strip())


def latest_due(now: datetime, tz: str, weekday: int, at: time) -> datetime:
    """The latest digest moment at or before `now`, in the manager's own zone: after downtime, only
    this one is sent, never a backlog of earlier weeks."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    moment = datetime.combine(day, at, tzinfo=zone)
    if moment > local:
        moment = datetime.combine(day - timedelta(days=7), at, tzinfo=zone)
    return moment


def week_key(moment: datetime) -> int:
    """The ISO week of a digest moment (its local date), e.g. 202649: the claim's round."""
    year, week, _ = moment.date().isocalendar()
    return year * 100 + week


@dataclass(frozen=True)
class Planned:
    due_at: datetime
    held: bool


@dataclass(frozen=True)
class Recorded:
    due_at: datetime  # the summary's due time
    recorded_at: datetime | None


@dataclass(frozen=True)
class Due:
    due: date
    done: bool


@dataclass(frozen=True)
class Week:
    starts: datetime
    held: int
    planned: int
    on_time: int
    notes_due: int
    done: int
    actions_due: int


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def weeks(
    end: datetime,
    planned: list[Planned],
    recorded: list[Recorded],
    actions: list[Due],
    *,
    count: int = WEEKS,
) -> list[Week]:
    """`count` weeks ending at `end` (oldest first): discussions held of planned, summaries recorded on
    time of those due (a summary not recorded by now counts as not on time), actions done of due."""
    out = []
    for n in range(count, 0, -1):
        lo, hi = end - timedelta(weeks=n), end - timedelta(weeks=n - 1)
        p = [x for x in planned if lo <= x.due_at < hi]
        r = [x for x in recorded if lo <= x.due_at < hi and x.due_at <= end]
        a = [x for x in actions if lo.date() <= x.due < hi.date()]
        out.append(
            Week(
                lo,
                sum(x.held for x in p),
                len(p),
                sum(1 for x in r if x.recorded_at is not None and x.recorded_at <= x.due_at),
                len(r),
                sum(x.done for x in a),
                len(a),
            )
        )
    return out


def percent(part: int, whole: int) -> str:
    share = _share(part, whole)
    return "none due" if share is None else f"{part} of {whole} ({round(100 * share)}%)"


def alt_text(series: list[Week], cases: int) -> str:
    """The chart in words: the 12-week totals and the latest week, for a screen reader."""
    total = Week(
        series[0].starts if series else datetime.min,
        *(
            sum(getattr(w, f) for w in series)
            for f in ("held", "planned", "on_time", "notes_due", "done", "actions_due")
        ),
    )
    text = (
        f"Line chart of co-working health across your {cases} case{'' if cases == 1 else 's'} over the last "
        f"{len(series)} weeks, as percentages. "
        f"Discussions held against planned: {percent(total.held, total.planned)}. "
        f"Notes recorded on time: {percent(total.on_time, total.notes_due)}. "
        f"Actions completed against due: {percent(total.done, total.actions_due)}."
    )
    if series:
        last = series[-1]
        text += (
            f" Latest week: discussions {percent(last.held, last.planned)}, notes on time "
            f"{percent(last.on_time, last.notes_due)}, actions {percent(last.done, last.actions_due)}."
        )
    return text


def shares(series: list[Week]) -> dict[str, list[float | None]]:
    """The chart's three lines, as percentages (None where nothing was due that week: a gap, not 0)."""

    def line(part: str, whole: str) -> list[float | None]:
        return [
            None if (s := _share(getattr(w, part), getattr(w, whole))) is None else round(100 * s, 1)
            for w in series
        ]

    return {
        "Discussions held / planned": line("held", "planned"),
        "Notes on time": line("on_time", "notes_due"),
        "Actions done / due": line("done", "actions_due"),
    }
