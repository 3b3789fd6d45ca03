"""A leased outbox row turned into its Slack call, read apart from any write.

Rendering reads the whole case (a card: its members, agreement, items, notes) and takes several
milliseconds. Done inside the lease's write transaction, it held SQLite's one write lock all that time,
and every ack that stores something (a kept form, a thread reply) waited for it: a card's lease held
the lock 8 ms at the median, 80 ms at worst, with 8 people sending forms (issue 17). So the lease is
a short write of its own, the call is built in a read-only transaction, and only a row that is not to
be sent now (deferred, cancelled, unbuildable, or waiting its turn) is written to again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.deps import Deps
from bot.outbox.calls import Call, prepare
from bot.outbox.recovery import read_from
from bot.outbox.rules_pacing import Key, Rate, key_for, rate_for
from storage.db import ReadOnlyError
from storage.models import OutboxMessage, OutboxStatus


@dataclass
class Built:
    """What a leased row came to: its call, or why it has none (`unsent`: Defer, Cancel, or the
    builder's own error)."""

    team_id: str
    call: Call | None = None
    unsent: Exception | None = None
    check_first: bool = False  # an earlier attempt may have reached Slack: look before sending again
    recovery: dict[str, Any] = field(default_factory=dict)

    def paced_as(self) -> tuple[Key, Rate]:
        """The rate limit its call is paced under (a built row only)."""
        assert self.call is not None
        method = self.call.method
        return key_for(self.team_id, method, self.call.kwargs.get("channel")), rate_for(method)


def build(deps: Deps, message_id: int, now: datetime) -> Built | None:
    """The leased row's call, read without the write lock. None: the row is no longer being sent
    (claimed in a batch, then settled meanwhile: dead-lettered with its case's card)."""
    with deps.reads.begin() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        if message.status != OutboxStatus.SENDING:
            return None
        built = Built(team_id=message.team_id)
        try:
            built.call = prepare(deps, session, message, now)
        except (SQLAlchemyError, ReadOnlyError):
            raise  # the database (or a builder that writes): the row is tried again, never dead-lettered
        except Exception as unsent:  # noqa: BLE001 - Defer, Cancel, or e.g. a ValueError on a long block
            built.unsent = unsent
            return built
        built.check_first = message.attempts > 1 or message.recovery is not None
        built.recovery = dict(message.recovery or {})
        if built.check_first and "oldest" not in built.recovery and built.call.method == "chat.postMessage":
            built.recovery["oldest"] = read_from(session, message, built.call)
        return built
