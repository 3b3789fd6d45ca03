"""Urgent concerns: who is alerted, in what order, when the next one is, and who may acknowledge.

Pure: the facts about the manager today (away, covered, deactivated), the configured duty contact and
`now` are passed in.

The alert goes down a chain, one person at a time, each at most once: the case's manager; while the
manager is away (on leave, or their account deactivated) whoever covers their leave instead; then the
configured duty contact. Nobody is alerted about a concern they raised themselves. When nobody is left
(the manager raised it and no duty contact is configured), nobody is alerted, and the person is told so.
An alert not acknowledged within the configured minutes goes to the next person in the chain; after
the last one, the card keeps showing the concern until someone acknowledges it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

MANAGER = "manager"
COVER = "cover"
DUTY = "duty"


@dataclass(frozen=True)
class Contact:
    user_id: str
    role: str  # MANAGER | COVER | DUTY


@dataclass(frozen=True)
class ManagerToday:
    """What the chain needs to know about the case's manager on the day the concern is raised."""

    user_id: str
    away: bool = False  # on leave today
    deactivated: bool = False
    cover_id: str | None = None  # who covers their leave today, if anyone


def chain(manager: ManagerToday, *, duty_contact: str | None, raised_by: str) -> tuple[Contact, ...]:
    """Who is alerted, in order: the manager (or their cover while away), then the duty contact."""
    found: list[Contact] = []
    if not (manager.away or manager.deactivated):
        found.append(Contact(manager.user_id, MANAGER))
    elif manager.cover_id:
        found.append(Contact(manager.cover_id, COVER))
    elif not duty_contact:
        # Away with nobody covering and no duty contact: the manager is still the only one to tell.
        found.append(Contact(manager.user_id, MANAGER))
    if duty_contact:
        found.append(Contact(duty_contact, DUTY))
    seen: set[str] = {raised_by}
    unique: list[Contact] = []
    for contact in found:
        if contact.user_id not in seen:
            seen.add(contact.user_id)
            unique.append(contact)
    return tuple(unique)


@dataclass(frozen=True)
class Step:
    send_level: int | None  # the chain position to alert now, if any
    next_check_at: datetime | None  # when to look again (None: nothing more will happen)


def first_step(contacts: Sequence[Contact], *, now: datetime, ack_minutes: int) -> Step:
    """What happens when the concern is raised: the first person is alerted at once."""
    if not contacts:
        return Step(None, None)
    return Step(0, _after(0, contacts, now, ack_minutes))


def next_step(
    contacts: Sequence[Contact],
    *,
    level_sent: int,
    acknowledged: bool,
    due_at: datetime | None,
    now: datetime,
    ack_minutes: int,
) -> Step:
    """At a sweep: the next person is alerted once the last alert has waited `ack_minutes` unanswered."""
    if acknowledged or due_at is None:
        return Step(None, None)
    if now < due_at:
        return Step(None, due_at)
    following = level_sent + 1
    if following >= len(contacts):
        return Step(None, None)
    return Step(following, _after(following, contacts, now, ack_minutes))


def _after(level: int, contacts: Sequence[Contact], now: datetime, ack_minutes: int) -> datetime | None:
    if ack_minutes < 1:
        raise ValueError("ack_minutes must be at least 1")
    return now + timedelta(minutes=ack_minutes) if level + 1 < len(contacts) else None


def may_acknowledge(
    user_id: str,
    *,
    contacts: Sequence[Contact],
    manager_id: str,
    duty_contact: str | None,
    covering_for: Collection[str],
) -> bool:
    """The case's manager, whoever covers the manager's leave today, the duty contact, and anyone the
    concern was sent to."""
    return (
        user_id in (manager_id, duty_contact)
        or manager_id in covering_for
        or any(contact.user_id == user_id for contact in contacts)
    )
