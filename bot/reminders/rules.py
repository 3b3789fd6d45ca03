"""The reminder ladder: which reminder an item needs now, and who receives it. Pure; `now` is passed in.

A discussion falls due: a post in the case thread. Not started after a few working days: a DM to each
co-worker. Not held after a few more: an offer of support to the manager. Supervision check-ins climb
the same ladder with the manager first. After downtime only the highest rung that is due is sent,
never the backlog below it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.kernel.rules_working_time import WorkCalendar, add_working_days


class Audience(enum.StrEnum):
    THREAD = "thread"  # one post in the case thread, mentioning the co-workers
    COWORKERS = "coworkers"  # a DM to each co-worker
    MANAGER = "manager"  # a DM to the case's manager


class Unless(enum.StrEnum):
    STARTED = "started"  # skip the rung once the discussion has started
    HELD = "held"  # skip it only once the discussion has been held


@dataclass(frozen=True)
class Rung:
    level: int
    after_working_days: int
    audiences: tuple[Audience, ...]
    unless: Unless


@dataclass(frozen=True)
class Thresholds:
    remind_after: int = 2
    escalate_after: int = 5


def ladder(kind: str, thresholds: Thresholds) -> tuple[Rung, ...]:
    remind, escalate = thresholds.remind_after, thresholds.escalate_after
    if kind == "discussion":
        return (
            Rung(0, 0, (Audience.THREAD,), Unless.HELD),
            Rung(1, remind, (Audience.COWORKERS,), Unless.STARTED),
            Rung(2, escalate, (Audience.MANAGER,), Unless.HELD),
        )
    if kind == "supervision":
        return (
            Rung(0, 0, (Audience.MANAGER, Audience.THREAD), Unless.HELD),
            Rung(1, remind, (Audience.COWORKERS,), Unless.STARTED),
            Rung(2, escalate, (Audience.MANAGER,), Unless.HELD),
        )
    if kind == "review":
        return (
            Rung(0, 0, (Audience.MANAGER,), Unless.HELD),
            Rung(1, escalate, (Audience.MANAGER,), Unless.HELD),
        )
    raise ValueError(f"no reminder ladder for {kind!r}")


@dataclass(frozen=True)
class ItemState:
    kind: str
    status: str  # scheduled | started | held | missed | cancelled
    due_at: datetime
    expires_at: datetime | None  # when the next occurrence takes over; None: stays until done
    level_sent: int  # highest rung already sent this round; -1 for none


LATE = timedelta(hours=1)  # a rung due as its item expires still goes out if the sweep is this close


@dataclass(frozen=True)
class Step:
    """What to do now: send one rung (or none), mark the item missed, and when to look again."""

    send: Rung | None
    skipped: tuple[int, ...]  # lower rungs overtaken by `send` (downtime): never sent late
    expire: bool
    next_check_at: datetime | None


def _blocked(rung: Rung, status: str) -> bool:
    return status == "held" or (rung.unless == Unless.STARTED and status == "started")


def decide(item: ItemState, *, now: datetime, calendar: WorkCalendar, thresholds: Thresholds) -> Step:
    """The rung to send now (the highest one due), and when to look again.

    Rungs that fall after the item expires (the next occurrence takes over) are never sent; a rung due
    at or before that moment still is, so a weekly discussion missed for a week still reaches the manager,
    unless the sweep only gets there long after (downtime): then the item is just marked missed.
    """
    if item.status not in ("scheduled", "started"):
        return Step(None, (), False, None)
    if item.expires_at is not None and now - item.expires_at > LATE:
        # Long gone (the bot was down): the next occurrence has its own reminders; say nothing late.
        return Step(None, (), True, None)
    rungs = [
        (rung, add_working_days(calendar, item.due_at, rung.after_working_days))
        for rung in ladder(item.kind, thresholds)
        if rung.level > item.level_sent and not _blocked(rung, item.status)
    ]
    if item.expires_at is not None:
        rungs = [(rung, at) for rung, at in rungs if at <= item.expires_at]
    due = [rung for rung, at in rungs if at <= now]
    send = max(due, key=lambda r: r.level) if due else None
    if send is None and item.expires_at is not None and item.expires_at <= now:
        return Step(None, (), True, None)
    sent_to = send.level if send else item.level_sent
    later = [at for rung, at in rungs if rung.level > sent_to]
    if item.expires_at is not None:
        later.append(item.expires_at)
    skipped = tuple(r.level for r in due if send is not None and r.level < send.level)
    return Step(send, skipped, False, min(later) if later else None)


def showing(item: ItemState, *, now: datetime) -> str | None:
    """How the card shows an open item: "due_now" from its due time, "under_way" once started, and
    "not_held" once its first follow-up reminder has gone (the co-workers' nudge after a few working
    days, or the manager's when that was skipped); None while it is still ahead or no longer open."""
    if item.status == "started":
        return "under_way"
    if item.status != "scheduled" or item.due_at > now:
        return None
    return "not_held" if item.level_sent >= 1 else "due_now"


@dataclass(frozen=True)
class Person:
    """What routing needs to know about someone on the case."""

    user_id: str
    deactivated: bool = False
    cover_user_id: str | None = None  # set while they are on leave and named someone to cover


@dataclass(frozen=True)
class Route:
    user_id: str  # who receives it
    # Whose reminders it also carries, and why: (user id, "cover" | "deactivated"), one per person.
    for_others: tuple[tuple[str, str], ...] = ()


def routes(targets: list[Person], *, manager: Person) -> list[Route]:
    """Who actually receives reminders meant for `targets`: cover while on leave, the manager for a
    deactivated account. Each person receives one copy, naming everyone whose reminder it carries."""
    found: dict[str, list[tuple[str, str]]] = {}
    for person in targets:
        if person.deactivated:
            found.setdefault(manager.user_id, []).append((person.user_id, "deactivated"))
        elif person.cover_user_id:
            found.setdefault(person.cover_user_id, []).append((person.user_id, "cover"))
        else:
            found.setdefault(person.user_id, [])
    return [Route(user_id, tuple(others)) for user_id, others in found.items()]


def on_leave(day: date, spans: list[tuple[date, date]]) -> bool:
    return any(first <= day <= last for first, last in spans)
