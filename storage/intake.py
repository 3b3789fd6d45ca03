"""Forms acknowledged before they are saved (the agreement form): each is kept, encrypted, from just before
its ack until the commit that saves it, so a process stopping in between loses nothing. They never
commit: the flow that calls them owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from storage.models import FormIntake
from storage.once import insert_new

# PostgreSQL: `casebot web` hands each kept form to the workers, which LISTEN here (bot/outbox/wake.py).
NOTIFY_CHANNEL = "casebot_intake"
ZONES = "casebot:zones"  # beside the form's answers: the time zones the acking process knew (no block id)


def keep(
    session: Session,
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
    insert_new(session, FormIntake, row)
    if to_workers:
        session.execute(
            text("SELECT pg_notify(:channel, :form)"),
            {"channel": NOTIFY_CHANNEL, "form": f"{team_id} {view_id}"},
        )


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
