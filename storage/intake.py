"""Forms acknowledged before they are saved (the agreement form): each is kept, encrypted, from just before
its ack until the commit that saves it, so a process stopping in between loses nothing. They never
commit: the flow that calls them owns the transaction. The form's own checks and its keep run before its
ack, as Core statements on a connection (the ORM's bookkeeping cost more than the statements)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Executable, and_, bindparam, delete, exists, func, select
from sqlalchemy.orm import Session

from storage.models import Case, CaseStatus, FormIntake, Person, Role
from storage.once import ignoring_duplicates

# PostgreSQL: `casebot web` hands each kept form to the workers, which LISTEN here (bot/outbox/wake.py).
NOTIFY_CHANNEL = "casebot_intake"
ZONES = "casebot:zones"  # beside the form's answers: the time zones the acking process knew (no block id)


def checks(connection: Connection, *, team_id: str, user_id: str, reference: str) -> tuple[Role, bool]:
    """Before the form's ack, in one statement: the saving person's role (member if unknown), and
    whether an open case already has the reference. Core, not the ORM: it is on the ack path."""
    asked = {"team": team_id, "user": user_id, "reference": reference}
    role, in_use = connection.execute(_CHECKS, asked).one()
    return (Role(str(role)) if role else Role.MEMBER), bool(in_use)


_CHECKS = select(
    select(Person.role)
    .where(Person.team_id == bindparam("team"), Person.slack_user_id == bindparam("user"))
    .scalar_subquery(),
    exists().where(
        and_(
            Case.team_id == bindparam("team"),
            Case.reference == bindparam("reference"),
            Case.status == CaseStatus.OPEN,
        )
    ),
)


def keep(
    connection: Connection,
    *,
    team_id: str,
    kind: str,
    view_id: str,
    user_id: str,
    channel_id: str,
    values: dict[str, Any],
    now: datetime,
    zones: dict[str, str | None] | None = None,
    to_workers: bool = False,
) -> None:
    """One INSERT; a second Save of the same form (a double click) keeps the first. With `to_workers`
    (PostgreSQL only), a NOTIFY tells the workers which form to save: PostgreSQL delivers it only when,
    and only if, the transaction commits, and its payload holds ids, never the form's text."""
    row = {
        "team_id": team_id,
        "kind": kind,
        "view_id": view_id,
        "user_id": user_id,
        "channel_id": channel_id,
        "form_values": {**values, ZONES: zones or {}},
        "received_at": now,
    }
    kept = ignoring_duplicates(connection.dialect.name, FormIntake, tuple(row))
    if to_workers:  # one round trip: the insert, and the NOTIFY only if it inserted (a double click: none)
        handed = {"channel": NOTIFY_CHANNEL, "form": f"{team_id} {view_id}"}
        connection.execute(_handed(kept), row | handed)
    else:
        connection.execute(kept, row)


@functools.cache
def _handed(kept: Executable) -> Executable:
    """`kept` (the insert) as a CTE, and pg_notify once for the row it inserted."""
    inserted = cast(Any, kept).cte("kept")
    return select(func.pg_notify(bindparam("channel"), bindparam("form"))).select_from(inserted)


def zones_of(values: dict[str, Any]) -> dict[str, str | None]:
    """The time zones kept with a form (none for a form kept before they were)."""
    return dict(values.get(ZONES) or {})


def kept(session: Session, *, team_id: str, view_id: str) -> FormIntake | None:
    """The kept form, or None once it is saved (or dropped)."""
    return session.scalars(
        select(FormIntake).where(FormIntake.team_id == team_id, FormIntake.view_id == view_id)
    ).one_or_none()


def drop(session: Session, *, team_id: str, view_id: str) -> None:
    """The form is saved (or will never be): in the transaction that saves it."""
    session.execute(delete(FormIntake).where(FormIntake.team_id == team_id, FormIntake.view_id == view_id))


def waiting(session: Session, *, kind: str, received_before: datetime, limit: int) -> Sequence[FormIntake]:
    """Forms acknowledged before `received_before` and still not saved: their save never ran."""
    return session.scalars(
        select(FormIntake)
        .where(FormIntake.kind == kind, FormIntake.received_at < received_before)
        .order_by(FormIntake.id)
        .limit(limit)
    ).all()
