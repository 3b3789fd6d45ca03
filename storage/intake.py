"""Forms acknowledged before they are saved (the agreement form): each is kept, encrypted, from just before
its ack until the commit that saves it, so a process stopping in between loses nothing. They never
commit: the flow that calls them owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import FormIntake
from storage.once import insert_new


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
) -> None:
    """One INSERT; a second Save of the same form (a double click) keeps the first."""
    row = {
        "team_id": team_id,
        "kind": kind,
        "view_id": view_id,
        "user_id": user_id,
        "channel_id": channel_id,
        "form_values": values,
        "received_at": now,
    }
    insert_new(session, FormIntake, row)


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
