"""Following up an agreed action: when its owner is asked about it, and when it is overdue. Pure.

An open action with an owner and a due date gets one DM, at the start of the owner's working day on the
due date in their own calendar (their zone, working hours and holidays); a due date that is not a
working day moves to the next one. From the day after the due date (the owner's midnight) an open
action is overdue, and the case card shows it, so the sweep looks once more then to re-render the card.
After downtime the DM still goes, once, and says it was due. A new due date (*Need more time*) starts a
new round: the same two steps again.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from bot.kernel.rules_working_time import WorkCalendar, local_datetime, next_working_moment

DM = 0  # level: the owner's DM has gone (or there is no owner to ask)
CARD = 1  # level: the card has been re-rendered showing the action overdue

REASON_MAX = 500  # characters in a *Can't do it* reason


@dataclass(frozen=True)
class ActionState:
    status: str  # open | done | cannot
    due: date | None  # in the owner's calendar
    has_owner: bool
    level_sent: int  # this round: -1 nothing yet, DM, or CARD


@dataclass(frozen=True)
class Step:
    """What to do now: send the owner's DM, re-render the card, and when to look again (None: never)."""

    send_dm: bool
    late: bool  # the DM goes after its due date has passed (downtime, or an action recorded late)
    refresh_card: bool
    level_sent: int
    next_check_at: datetime | None


def dm_at(cal: WorkCalendar, due: date) -> datetime:
    """The start of the owner's working day on `due` (or on the first working day after it)."""
    return next_working_moment(cal, local_datetime(cal.tz, due, time(0)))


def overdue_from(cal: WorkCalendar, due: date) -> datetime:
    """The owner's midnight at the end of `due`: from then on the action is overdue."""
    return local_datetime(cal.tz, due + timedelta(days=1), time(0))


def is_overdue(status: str, due: date | None, today: date) -> bool:
    """Open and its due date has passed on `today` (the owner's local date). Due today is not overdue."""
    return status == "open" and due is not None and due < today


def _pending(action: ActionState, cal: WorkCalendar) -> list[datetime]:
    if action.status != "open" or action.due is None:
        return []
    moments = []
    if action.has_owner and action.level_sent < DM:
        moments.append(dm_at(cal, action.due))
    if action.level_sent < CARD:
        moments.append(overdue_from(cal, action.due))
    return moments


def first_check(action: ActionState, *, now: datetime, calendar: WorkCalendar) -> datetime | None:
    """When the sweep must first look at the action this round: now, if a step is already due."""
    moments = _pending(action, calendar)
    return max(min(moments), now) if moments else None


def decide(action: ActionState, *, now: datetime, calendar: WorkCalendar) -> Step:
    """The steps due now, and when to look again.

    With a due date that is not a working day the action turns overdue (Sunday's midnight for a
    Saturday) before the DM goes (Monday morning): the card is re-rendered then, and again with the DM.
    """
    if action.status != "open" or action.due is None:
        return Step(False, False, False, action.level_sent, None)
    dm, overdue = dm_at(calendar, action.due), overdue_from(calendar, action.due)
    send = action.has_owner and action.level_sent < DM and dm <= now
    dm_done = send or action.level_sent >= DM or not action.has_owner
    refresh = action.level_sent < CARD and overdue <= now
    level = CARD if dm_done and overdue <= now else DM if dm_done else -1
    after = ActionState(action.status, action.due, action.has_owner, level)
    later = [at for at in _pending(after, calendar) if at > now]
    return Step(send, send and overdue <= now, refresh, level, min(later) if later else None)


def can_answer(
    user_id: str, *, owner_id: str | None, takes_part: bool, covering_for: Collection[str]
) -> bool:
    """The owner, anyone who takes part in the case (its members, manager, admins, members' cover),
    and whoever covers the owner's leave (their DM comes to them, so must its buttons)."""
    return takes_part or (owner_id is not None and (user_id == owner_id or owner_id in covering_for))


def latest_due(today: date) -> date:
    """Six calendar months after `today` (the month's last day when it is shorter)."""
    return today + relativedelta(months=6)


def extension_problem(chosen: date | None, *, today: date) -> str | None:
    """Why a new due date cannot be used (shown next to the field), or None.

    More time means a later day: from tomorrow (a DM the same minute would be noise) to six months on.
    """
    if chosen is None:
        return "Pick the new due date from the calendar."
    if chosen <= today:
        return "Pick a date from tomorrow onwards: that's when I'll check in again."
    if chosen > latest_due(today):
        return (
            f"Pick a date within six months (by {latest_due(today):%d %B %Y}). For longer, agree a new "
            "action in your next discussion."
        )
    return None


def reason_problem(reason: str) -> str | None:
    """Why a *Can't do it* reason cannot be used (shown next to the field), or None."""
    if not reason.strip():
        return "Say briefly why, so your co-worker knows what's needed."
    if len(reason) > REASON_MAX:
        return (
            f"Keep it under {REASON_MAX} characters ({len(reason)} now): the detail belongs in the case "
            "record."
        )
    return None
