"""The audit trail's hash chain: every entry carries the previous entry's hash, per workspace.

``row_hash`` is SHA-256 over a canonical encoding of the entry (compact JSON with sorted keys: its
team, time, actor, action, object, outcome, detail and ``prev_hash``), so changing, inserting or
deleting a row by hand breaks the chain at that row. ``audit_heads`` keeps each workspace's newest hash
and count, so deleting the newest entries is seen too. Entries are chained at the flush that inserts
them, in the order they were added. Appends are serialised per workspace: on PostgreSQL by a
transaction-scoped advisory lock taken before the head is read, on SQLite by the write lock every
transaction takes at BEGIN IMMEDIATE (storage/db.py).

An organisation can copy the head hash elsewhere (a ticket, an email): ``verify(..., anchor=HASH)``
then proves that nothing up to that entry has changed since, even if someone rewrote the whole chain
and its head consistently.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, inspect, select, text
from sqlalchemy.orm import Session

from storage.models import AuditEntry, AuditHead

GENESIS = "0" * 64
_LOADED = "casebot_audit_heads"  # session.info: teams whose head was read in the current transaction
_UNLOCKED = "casebot_audit_unlocked"  # session.info: the benchmark's append without the lock


def normalise_detail(detail: dict[str, Any] | None) -> dict[str, Any] | None:
    """The detail as the JSON column gives it back (tuples as lists, keys as strings)."""
    return None if detail is None else json.loads(json.dumps(detail))


def canonical(
    *,
    team_id: str,
    at: datetime,
    actor: str | None,
    action: str,
    object_type: str | None,
    object_id: str | None,
    outcome: str,
    detail: dict[str, Any] | None,
    prev_hash: str | None,
) -> bytes:
    """The exact bytes an entry's hash is taken over. Never change this: old hashes must recompute."""
    document = {
        "team_id": team_id,
        "at": at.astimezone(UTC).isoformat(),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "outcome": outcome,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(**fields: Any) -> str:
    return hashlib.sha256(canonical(**fields)).hexdigest()


def hash_of(entry: AuditEntry | Any) -> str:
    """Recompute an entry's hash from its stored fields (an AuditEntry or a row with the same names)."""
    return entry_hash(
        team_id=entry.team_id,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        outcome=entry.outcome,
        detail=entry.detail,
        prev_hash=entry.prev_hash,
    )


def lock_key(team_id: str) -> int:
    """A signed 64-bit advisory-lock key for this workspace's chain."""
    digest = hashlib.sha256(b"casebot.audit:" + team_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_chain(session: Session, team_id: str) -> None:
    """Serialise appends to this workspace's chain until the transaction ends (PostgreSQL).

    Re-entrant within a transaction. SQLite needs nothing: every transaction holds the write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(team_id)})


def append(session: Session, entry: AuditEntry, *, lock: bool = True) -> AuditEntry:
    """Add `entry` to the session; it is chained onto its workspace's head when the session flushes.

    `lock=False` exists only for the benchmark that measures what the lock costs."""
    if not lock:
        session.info[_UNLOCKED] = True
    session.add(entry)
    return entry


@event.listens_for(Session, "before_flush")
def _chain_new_entries(session: Session, _context, _instances) -> None:
    """Chain the entries about to be inserted, in the order they were added.

    Done at flush rather than when an entry is added, so the lock is taken as late as possible (at the
    flush that inserts the entries) and held only until the transaction ends."""
    new = [obj for obj in session.new if isinstance(obj, AuditEntry) and obj.row_hash is None]
    if not new:
        return
    new.sort(key=lambda entry: inspect(entry).insert_order or 0)  # set for every pending object
    if not session.info.get(_UNLOCKED):
        for team_id in sorted({entry.team_id for entry in new}):  # a fixed order: writers never deadlock
            lock_chain(session, team_id)
    loaded: dict[str, AuditHead] = session.info.setdefault(_LOADED, {})
    for entry in new:
        head = loaded.get(entry.team_id)
        if head is None or head not in session:  # (not in it: added in a savepoint since rolled back)
            # The first flush in a transaction reads the head afresh, after the lock, so it is the latest
            # committed one; later flushes in the same transaction use the head they moved on.
            head = session.get(AuditHead, entry.team_id, populate_existing=True)
            if head is None:
                head = AuditHead(team_id=entry.team_id, head_hash=GENESIS, entries=0)
                session.add(head)
            loaded[entry.team_id] = head
        entry.detail = normalise_detail(entry.detail)
        entry.prev_hash = head.head_hash
        entry.row_hash = hash_of(entry)
        head.head_hash, head.entries = entry.row_hash, head.entries + 1


@event.listens_for(Session, "after_transaction_end")
def _forget_loaded_heads(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_LOADED, None)
        session.info.pop(_UNLOCKED, None)


# ---------------------------------------------------------------- verification


@dataclass
class Verdict:
    team_id: str
    entries: int = 0
    head: str | None = GENESIS  # None when the newest entry, added beyond the recorded head, has no hash
    breaks: list[str] = field(default_factory=list)
    anchor_at: int | None = None  # the id of the entry whose hash is the anchor, when found intact

    @property
    def intact(self) -> bool:
        return not self.breaks


@dataclass(frozen=True)
class _Row:
    id: int
    stored: str | None
    prev: str | None
    actual: str  # the hash recomputed from the row's contents


def teams(session: Session) -> list[str]:
    """Every workspace with an audit entry or a recorded head, in order."""
    found = set(session.scalars(select(AuditEntry.team_id).distinct()))
    found |= set(session.scalars(select(AuditHead.team_id)))
    return sorted(found)


def _rows(session: Session, team_id: str, batch: int = 1000) -> Iterator[_Row]:
    query = select(AuditEntry).where(AuditEntry.team_id == team_id).order_by(AuditEntry.id)
    for entry in session.scalars(query.execution_options(yield_per=batch)):
        yield _Row(entry.id, entry.row_hash, entry.prev_hash, hash_of(entry))
        session.expunge(entry)


def verify(session: Session, team_id: str, *, anchor: str | None = None) -> Verdict:
    """Walk one workspace's chain in id order; one line in `breaks` for each place it is broken.

    A row whose contents no longer give its hash was changed (the next row still links to it) or
    inserted (the next row links past it); a row that does not link to the one before it follows a
    deletion (or an inserted row that was given a valid hash); the recorded head catches the newest
    rows being deleted, and rows added after it. Beside a running casebot, call it in one snapshot
    (REPEATABLE READ on PostgreSQL, as `casebot audit verify` does), so the head and the rows agree.
    """
    verdict = Verdict(team_id)
    head = session.get(AuditHead, team_id, populate_existing=True)
    recorded = head.entries if head is not None else None
    # the hash the next row must link to, and the one before that
    expected: str | None = GENESIS
    before: str | None = None
    anchor_ok = anchor == GENESIS
    pending: _Row | None = None
    last: _Row | None = None
    beyond_head = False
    inserted = 0  # rows found to be inserted so far: they do not count towards the recorded entries
    previous_id: int | None = None

    def settle(row: _Row, position: int, following: _Row | None) -> None:
        nonlocal expected, before, anchor_ok, beyond_head, inserted
        if recorded is not None and position - inserted > recorded:
            if not beyond_head:
                verdict.breaks.append(
                    f"entry {row.id}: inserted after the newest entry casebot recorded ({recorded} entries)"
                )
            beyond_head = True
            before, expected = expected, row.stored
            return
        if row.stored is None or row.prev is None:
            verdict.breaks.append(f"entry {row.id}: inserted (it has no hash: casebot did not write it)")
            inserted += 1
            return  # the chain goes on from the entry before it
        if row.actual != row.stored:
            links_to_it = following is not None and following.prev in (row.stored, row.actual)
            skips_it = following is not None and following.prev == expected
            if skips_it and not links_to_it:
                verdict.breaks.append(f"entry {row.id}: inserted (the entry after it links past it)")
                inserted += 1
                return
            verdict.breaks.append(f"entry {row.id}: changed (its contents no longer give its hash)")
            linked = following.prev if following is not None and links_to_it else row.stored
            before, expected = expected, linked
            return
        if row.prev != expected:
            if before is not None and row.prev == before:
                verdict.breaks.append(
                    f"entry {previous_id}: inserted (entry {row.id} after it links past it)"
                )
                inserted += 1
            else:
                verdict.breaks.append(f"entry {row.id}: one or more entries before it were deleted")
        elif anchor is not None and not verdict.breaks and row.stored == anchor:
            anchor_ok = True
            verdict.anchor_at = row.id
        before, expected = expected, row.stored

    for row in _rows(session, team_id):
        verdict.entries += 1
        if pending is not None:
            settle(pending, verdict.entries - 1, row)
            previous_id = pending.id
        pending = last = row
    if pending is not None:
        settle(pending, verdict.entries, None)
    verdict.head = expected
    _check_head(verdict, head, last, beyond_head)
    if anchor is not None and not anchor_ok:
        verdict.breaks.append(
            f"anchor {anchor[:16]}...: not found intact in the chain (an entry up to it was changed, "
            "inserted or deleted, or the anchor is from another workspace)"
        )
    return verdict


def _check_head(verdict: Verdict, head: AuditHead | None, last: _Row | None, beyond_head: bool) -> None:
    if head is None:
        if verdict.entries:
            verdict.breaks.append("the recorded head is missing (its audit_heads row was deleted)")
        return
    if beyond_head:
        return  # already reported
    if head.entries > verdict.entries:
        missing = head.entries - verdict.entries
        if not (verdict.breaks and last is not None and last.stored == head.head_hash):
            verdict.breaks.append(
                f"the newest {missing} entr{'y was' if missing == 1 else 'ies were'} deleted "
                f"(casebot recorded {head.entries} entries, {verdict.entries} are left)"
            )
    elif (last.stored if last else GENESIS) != head.head_hash and not verdict.breaks:
        verdict.breaks.append("the recorded head does not match the newest entry (audit_heads was changed)")
