"""A member's plain thread reply, stored in one statement: the capture flow's common case (bot/capture).

Every reply in a busy discussion is stored before its event is acknowledged, so this is on the ack path.
One `INSERT … SELECT` finds where the reply goes (the thread's open case and its current discussion,
provided the author is one of the case's members) and stores it there, or does nothing.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Executable, bindparam, or_, select, type_coerce

from storage.models import Case, CaseMember, CaseStatus, Discussion, DiscussionStatus, Person, ThreadMessage
from storage.once import DIALECT_INSERTS

# The reply's own values; the case, discussion and question come from the SELECT.
_GIVEN = ("team_id", "channel_id", "ts", "author_id", "text", "received_at")


def store_plain_reply(
    connection: Connection,
    *,
    team_id: str,
    channel_id: str,
    thread_ts: str,
    ts: str,
    author_id: str,
    text: str,
    now: datetime,
) -> bool:
    """Store the reply in the current discussion of the open case whose thread it is in, if its author
    is one of the case's members; True also when it is stored already. False when the thread is not an
    open case's, there is no discussion, or the author is anyone else (the manager, a cover, an
    outsider): the caller's full path decides for those."""
    values = {
        "team_id": team_id,
        "channel_id": channel_id,
        "thread_ts": thread_ts,
        "ts": ts,
        "author_id": author_id,
        "text": text,
        "received_at": now,
    }
    if connection.execute(_statement(connection.dialect.name), values).first() is not None:
        return True
    # Nothing stored. A retried event (Slack's, or the same reply under another event id) finds its row
    # here, in one more statement rather than the full path's dozen: retries come when the bot is slow.
    return connection.execute(_ALREADY_STORED, values).first() is not None


_ALREADY_STORED = select(ThreadMessage.id).where(
    ThreadMessage.team_id == bindparam("team_id"),
    ThreadMessage.channel_id == bindparam("channel_id"),
    ThreadMessage.ts == bindparam("ts"),
)


@functools.cache
def _statement(dialect: str) -> Executable:
    """Built once per dialect: every thread reply runs it, and building it cost more than running it."""
    table: Any = ThreadMessage.__table__
    # Typed and cast, so each value is encrypted or converted as its column needs, and PostgreSQL knows
    # the type of a parameter that stands in a SELECT list.
    given = [type_coerce(bindparam(name, type_=table.c[name].type), table.c[name].type) for name in _GIVEN]
    is_member = (
        select(CaseMember.id)
        .join(Person, Person.id == CaseMember.person_id)
        .where(CaseMember.case_id == Case.id, Person.slack_user_id == bindparam("author_id"))
        .exists()
    )
    where_it_goes = (
        select(Discussion.case_id, Discussion.id, Discussion.current_prompt_id, *given)
        .join(Case, Case.id == Discussion.case_id)
        .where(
            Case.team_id == bindparam("team_id"),
            Case.channel_id == bindparam("channel_id"),
            Case.thread_ts == bindparam("thread_ts"),
            Case.status == CaseStatus.OPEN,
            # Two comparisons, not IN: an IN list is re-expanded into the SQL on every execution.
            or_(Discussion.status == DiscussionStatus.ACTIVE, Discussion.status == DiscussionStatus.WRAPPED),
            is_member,
        )
        # The discussion captures go to, as storage/discussions.current_discussion picks it.
        .order_by(Discussion.id.desc())
        .limit(1)
    )
    columns = ["case_id", "discussion_id", "prompt_id", *_GIVEN]
    insert = DIALECT_INSERTS[dialect](table).from_select(columns, where_it_goes)
    statement: Executable = insert.on_conflict_do_nothing().returning(table.c.id)
    return statement
