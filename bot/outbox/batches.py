"""Claiming due rows in batches, on PostgreSQL.

Every sender used to read the same first due ids and lease each with its own compare-and-set, so with
several workers each row was also claimed in vain by every other one (a short transaction each: the
replicas benchmark measured the slowdown, docs/deploy.md). On PostgreSQL a sender now leases a batch
(CASEBOT_OUTBOX_CLAIM_BATCH, 20 rows) in one statement (`FOR UPDATE SKIP LOCKED`, storage/outbox.claim_due):
concurrent senders take disjoint batches, one transaction per batch. SQLite has one writer at a time
anyway and keeps the per-row lease.

A claimed row not yet started is given back (released: due again at once, the attempt not counted) when
the sender is stopping (SIGTERM) or half the lease has run out, so a row never waits on a sender that
will not get to it, and is never sent under a lease about to expire.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

from bot.deps import Deps
from storage import outbox as outbox_store

LEASE = timedelta(seconds=60)


def supported(deps: Deps) -> bool:
    """PostgreSQL, unless CASEBOT_OUTBOX_CLAIM_BATCH is 1 (each row leased on its own, as on SQLite)."""
    return deps.engine.dialect.name == "postgresql" and deps.settings.outbox_claim_batch > 1


def claimed(deps: Deps, *, limit: int, stopping: Callable[[], bool] | None = None) -> Iterator[int]:
    """Leased row ids, a batch at a time, up to `limit`; rows left over are released before returning."""
    handed, batch = 0, deps.settings.outbox_claim_batch
    while handed < limit:
        now = deps.clock()
        until, asked = now + LEASE, min(batch, limit - handed)
        with deps.sessions.begin() as session:
            ids = outbox_store.claim_due(session, now=now, until=until, limit=asked)
        if not ids:
            return
        left = list(ids)
        try:
            while left:
                if (stopping is not None and stopping()) or deps.clock() >= now + LEASE / 2:
                    break
                handed += 1
                yield left.pop(0)
        finally:
            if left:  # stopping, half the lease gone, or the caller gave up: let another sender have them
                with deps.sessions.begin() as session:
                    outbox_store.release(session, message_ids=left, until=until, now=deps.clock())
        if left and stopping is not None and stopping():
            return
        if len(ids) < asked:
            return  # that was every due row
