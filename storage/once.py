"""Rows that say "this happened", inserted once: a retried event, a double click or a second process finds
the row already there and does nothing. They never commit: the flow that calls them owns the transaction.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import Executable, bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import Base, ProcessedEvent


def insert_once(session: Session, row: Base) -> bool:
    """Insert a row whose unique key says "this happened"; False when it already had.

    Runs in a SAVEPOINT so a duplicate does not spoil the caller's transaction.
    """
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def claim_once(session: Session, *, team_id: str, key: str, kind: str, now: datetime) -> bool:
    """Record that a Slack delivery was processed. False when it already was (a retry or a double click)."""
    values = {"team_id": team_id, "key": key[:128], "kind": kind, "processed_at": now}
    return insert_new(session, ProcessedEvent, values)


def insert_new(session: Session, model: type[Base], values: dict[str, Any]) -> bool:
    """`insert_once` for a row nobody needs as an object: one `INSERT … ON CONFLICT DO NOTHING` on
    SQLite and PostgreSQL. Every thread reply claims its event id and stores its row, and the savepoint
    around an ORM insert cost three statements and a flush each time."""
    dialect = session.get_bind().dialect.name
    if dialect not in DIALECT_INSERTS:
        return insert_once(session, model(**values))
    statement = ignoring_duplicates(dialect, model, tuple(values))
    # RETURNING, not rowcount: psycopg reports -1 rows for an INSERT it answers with RETURNING.
    return session.execute(statement, values).first() is not None


# The INSERT … ON CONFLICT builders of the databases casebot runs on (also storage/replies.py).
DIALECT_INSERTS: dict[str, Any] = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}


@functools.cache
def ignoring_duplicates(dialect: str, model: type[Base], columns: tuple[str, ...]) -> Executable:
    """`INSERT … ON CONFLICT DO NOTHING RETURNING id` (SQLite, PostgreSQL), built once per table and column
    set (building it cost more than running it)."""
    table: Any = model.__table__
    values = {name: bindparam(name, type_=table.c[name].type) for name in columns}
    dialect_insert: Any = DIALECT_INSERTS[dialect]
    statement: Executable = (
        dialect_insert(table).values(values).on_conflict_do_nothing().returning(*table.primary_key.columns)
    )
    return statement


def was_claimed(session: Session, *, team_id: str, key: str) -> bool:
    """Whether `claim_once` has already recorded this key (a check that inserts nothing)."""
    found = session.scalar(
        select(ProcessedEvent.id).where(ProcessedEvent.team_id == team_id, ProcessedEvent.key == key[:128])
    )
    return found is not None
