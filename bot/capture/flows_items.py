"""What a captured item is, kept up to date: created or updated by its key, withdrawn, or marked whole.

An item marked urgent also raises an urgent concern (bot/concerns), once per message.

Every item has a unique key per discussion ("line:<ts>:<n>" for a prefixed line, "mark:<ts>:<kind>" for a
reaction or the shortcut), so a retried event or a second mark of the same kind finds the same row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.capture import rules as capture
from bot.capture.rules import Captured, Kind
from bot.concerns import flows as concerns
from bot.deps import Deps
from bot.kernel import thread
from bot.kernel.rules_text import mention
from bot.kernel.zones import zone
from storage import discussions as store
from storage import repository as repo
from storage.models import CapturedItem, CaptureKind, Case, Discussion, ThreadMessage


@dataclass(frozen=True)
class Answer:
    """Something to tell one person after the transaction (ephemeral, in the thread)."""

    channel_id: str
    user_id: str
    text: str
    thread_ts: str | None = None


def upsert(
    deps: Deps,
    session: Session,
    case: Case,
    discussion: Discussion,
    row: ThreadMessage,
    key: str,
    source: str,
    captured: Captured,
    by: str,
    now: datetime,
) -> str | None:
    """Create or update the item at `key`; what to tell `by` now (an urgent concern's advice), if anything."""
    item = store.item_by_key(session, discussion_id=discussion.id, key=key)
    if item is None:
        item = CapturedItem(
            team_id=case.team_id,
            case_id=case.id,
            discussion_id=discussion.id,
            message_id=row.id,
            key=key,
            source=source,
            marked_by=by,
            marked_at=now,
            asked_missing=False,
        )
        session.add(item)
    else:
        item.updated_at = now
    item.kind = CaptureKind(captured.kind.value)
    item.text, item.owner_ids, item.due, item.withdrawn_at = (
        captured.text,
        list(captured.owner_ids),
        captured.due,
        None,
    )
    session.flush()
    if item.kind == CaptureKind.DISAGREE:
        repo.enqueue_card_update(session, case=case, now=now)  # the card lists open differences of view
    if captured.missing and not item.asked_missing:
        # Asked once per item: an edit that still lacks a date is not nagged about again.
        item.asked_missing = True
        question = capture.describe_missing(captured) or ""
        if mention(row.author_id) not in question:
            question = f"{mention(row.author_id)} {question}"
        thread.note(session, case, question, now)
    if captured.kind is not Kind.URGENT:
        return None
    # Raised once per message: an edit of the line says nothing again; a second mark by hand re-advises.
    return concerns.raise_concern(
        deps,
        session,
        case,
        channel_id=row.channel_id,
        message_ts=row.ts,
        raised_by=by,
        now=now,
        tell_again=source != "prefix",
    )


def withdraw(item: CapturedItem, now: datetime) -> None:
    item.withdrawn_at, item.text, item.updated_at = now, None, now


def mark(
    deps: Deps,
    session: Session,
    case: Case,
    discussion: Discussion,
    row: ThreadMessage,
    kind: Kind,
    source: str,
    by: str,
    now: datetime,
) -> str | None:
    person = repo.get_person(session, team_id=case.team_id, slack_user_id=row.author_id)
    marked = capture.capture_as(kind, row.text or "", now=now, tz=zone(deps, person))
    key = f"mark:{row.ts}:{kind.value}"
    return upsert(deps, session, case, discussion, row, key, source, marked, by, now)
