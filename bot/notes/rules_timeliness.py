"""Timeliness of a discussion's summary: when it is due, and who is reminded once it is late. Pure.

A wrapped-up discussion's summary is due by the end of the working day, N working days later, in the
case's calendar (default N = 1: the end of the next working day). Not recorded by then: a DM to the
expected recorder(s); one working day later to the other co-worker(s); one more and the manager is
offered support. Like the reminder ladder, after downtime only the highest rung that is due goes, never
the backlog below it, and nothing goes once the summary is recorded.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.kernel.rules_working_time import (
    WorkCalendar,
    add_working_days,
    as_utc,
    first_working_day,
    local_datetime,
)


class Audience(enum.StrEnum):
    RECORDERS = "recorders"  # whoever the agreement expects to record this discussion
    COWORKERS = "coworkers"  # the case's other members
    MANAGER = "manager"  # the case's manager, offered support


@dataclass(frozen=True)
class Rung:
    level: int
    after_working_days: int  # after the deadline
    audience: Audience


LADDER = (
    Rung(0, 0, Audience.RECORDERS),
    Rung(1, 1, Audience.COWORKERS),
    Rung(2, 2, Audience.MANAGER),
)


def deadline(cal: WorkCalendar, wrapped_at: datetime, within_working_days: int) -> datetime:
    """The end of the working day `within_working_days` working days after `wrapped_at`, in `cal`.

    0 means the end of the working day it was wrapped up on, or of the next working day when that one
    has already ended (or was not a working day). The result is always after `wrapped_at`.
    """
    if within_working_days < 0:
        raise ValueError("Count working days forwards (within_working_days >= 0).")
    wrapped_at = as_utc(wrapped_at)
    day = wrapped_at.astimezone(cal.tz).date()
    if within_working_days == 0:
        day = first_working_day(cal, day)
        if _end_of(cal, day) <= wrapped_at:
            day = first_working_day(cal, day + timedelta(days=1))
    for _ in range(within_working_days):
        day = first_working_day(cal, day + timedelta(days=1))
    return _end_of(cal, day)


def _end_of(cal: WorkCalendar, day: date) -> datetime:
    return local_datetime(cal.tz, day, cal.hours.end)


@dataclass(frozen=True)
class RecordState:
    status: str  # active | wrapped | recorded
    due_at: datetime
    level_sent: int  # highest rung already sent; -1 for none


@dataclass(frozen=True)
class Step:
    """What to do now: send one rung (or none), and when to look again (None: never)."""

    send: Rung | None
    skipped: tuple[int, ...]  # lower rungs overtaken by `send` (downtime): never sent late
    next_check_at: datetime | None


def rung_due_at(state: RecordState, rung: Rung, cal: WorkCalendar) -> datetime:
    return add_working_days(cal, state.due_at, rung.after_working_days)


def decide(state: RecordState, *, now: datetime, calendar: WorkCalendar) -> Step:
    """The rung to send now (the highest one due and not yet sent), and when to look again."""
    if state.status == "recorded":
        return Step(None, (), None)
    rungs = [(rung, rung_due_at(state, rung, calendar)) for rung in LADDER if rung.level > state.level_sent]
    due = [rung for rung, at in rungs if at <= now]
    send = max(due, key=lambda r: r.level) if due else None
    sent_to = send.level if send else state.level_sent
    later = [at for rung, at in rungs if rung.level > sent_to]
    skipped = tuple(r.level for r in due if send is not None and r.level < send.level)
    return Step(send, skipped, min(later) if later else None)


def audience_ids(
    audience: Audience, *, recorder_ids: tuple[str, ...], member_ids: tuple[str, ...], manager_id: str
) -> tuple[str, ...]:
    """The Slack user ids a rung is meant for, before leave cover and deactivated accounts re-route it.

    The co-workers are the members who were not expected to record; none when everyone was.
    """
    if audience == Audience.RECORDERS:
        return recorder_ids
    if audience == Audience.COWORKERS:
        return tuple(m for m in member_ids if m not in recorder_ids)
    return (manager_id,)
