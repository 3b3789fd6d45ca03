"""Capture: thread replies, their edits and deletions (reactions and the shortcut: flows_marking.py).

Only replies in a case thread, by people taking part in the case, while the case has a current
discussion are stored; everything else is dropped without keeping its text, except that an urgent
concern in a case thread is raised even with no discussion under way (bot/concerns). Each Slack event is
processed once (its event_id is claimed in the same transaction as its effects; a plain reply's own
unique key does that for it), and every item has a unique key per discussion, so a retried event or a
second reaction of the same kind changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.capture import flows_items as items
from bot.capture import rules as capture
from bot.capture.flows_items import Answer
from bot.capture.rules import Captured, Kind
from bot.concerns import flows as concerns
from bot.concerns.blocks import not_on_case_answer
from bot.deps import Deps
from bot.kernel import access
from bot.kernel.zones import zone
from storage import discussions as store
from storage import replies
from storage import repository as repo
from storage.db import single_statements
from storage.models import (
    Case,
    Discussion,
    DiscussionStatus,
    ThreadMessage,
)

NO_DISCUSSION = (
    "That looks like something for the record, but this case has no discussion under way, so I haven't "
    "stored it. Start one with `/case discuss` and mark it again."
)
NOT_A_CASE = (
    "That message isn't a reply in a case thread, so there is nothing to add it to. Nothing was stored."
)
NOT_A_PERSON = "Only people's replies can be added to the case record."
STORED_KINDS = (None, "thread_broadcast", "file_share")  # subtypes that are a person's reply


# ---------------------------------------------------------------- messages


def on_message(deps: Deps, *, team_id: str, event: dict[str, Any], event_id: str) -> Answer | None:
    event = without_nul(event)
    subtype = event.get("subtype")
    if subtype == "message_changed":
        return _edited(deps, team_id, event, event_id)
    if subtype == "message_deleted":
        return _deleted(deps, team_id, event, event_id)
    if subtype not in STORED_KINDS or not by_a_person(deps, event):
        return None
    thread_ts = event.get("thread_ts")
    if not thread_ts or thread_ts == event.get("ts"):
        return None  # not a reply in a thread
    if _stored_plainly(deps, team_id, event):
        return None
    now = deps.clock()
    with deps.sessions.begin() as session:
        case = store.case_of_thread(
            session, team_id=team_id, channel_id=event["channel"], thread_ts=thread_ts
        )
        if case is None or not repo.claim_once(
            session, team_id=team_id, key=f"event:{event_id}", kind="message", now=now
        ):
            return None
        discussion = store.current_discussion(session, case_id=case.id)
        author = event["user"]
        if discussion is None or not access.may_take_part(deps, session, case, user_id=author, now=now):
            return _not_stored(deps, session, case, event, now, no_discussion=discussion is None)
        told = store_reply(deps, session, case, discussion, event, now)[1]
    return Answer(event["channel"], author, told, thread_ts) if told else None


def _stored_plainly(deps: Deps, team_id: str, event: dict[str, Any]) -> bool:
    """The common case in as few statements as it can take: a member's reply with nothing to capture,
    during a discussion, stored in one statement. False leaves everything else (marks, the manager,
    covers, outsiders, no discussion) to the full path.

    Its event id is not claimed: the message's own unique key (team, channel, ts) makes a retried event
    store nothing again."""
    text = event.get("text") or ""
    if capture.has_marks(text):
        return False
    # A connection, not a session: one statement that makes no objects needs none of the ORM's
    # bookkeeping, which cost about as much as running it.
    with single_statements(deps.engine) as connection:
        return replies.store_plain_reply(
            connection,
            team_id=team_id,
            channel_id=event["channel"],
            thread_ts=event["thread_ts"],
            ts=event["ts"],
            author_id=event["user"],
            text=text,
            now=deps.clock(),
        )


def without_nul(event: dict[str, Any]) -> dict[str, Any]:
    """The event with NUL removed from its texts: what was sent is stored, less the one character that
    PostgreSQL cannot hold in text (a reply holding one was silently lost)."""
    cleaned = (
        {**event, "text": event["text"].replace("\x00", "")} if "\x00" in (event.get("text") or "") else event
    )
    for inner in ("message", "previous_message"):
        nested = cleaned.get(inner)
        if isinstance(nested, dict) and "\x00" in (nested.get("text") or ""):
            cleaned = {**cleaned, inner: {**nested, "text": nested["text"].replace("\x00", "")}}
    return cleaned


def by_a_person(deps: Deps, message: dict[str, Any]) -> bool:
    user = message.get("user")
    return bool(user) and not message.get("bot_id") and user != deps.bot_user_id


def _marks(
    deps: Deps, session: Session, team_id: str, author: str, text: str, now: datetime
) -> list[Captured]:
    person = repo.get_person(session, team_id=team_id, slack_user_id=author)
    return capture.parse_message(text, now=now, tz=zone(deps, person))


def _not_stored(
    deps: Deps, session: Session, case: Case, message: dict[str, Any], now: datetime, *, no_discussion: bool
) -> Answer | None:
    """A reply casebot does not keep (no discussion under way, or its author is not on the case). An
    urgent concern in it is still raised, or, from someone not on the case, answered with the advice."""
    author = message["user"]
    marks = _marks(deps, session, case.team_id, author, message.get("text") or "", now)
    told: list[str | None] = []
    if any(m.kind is Kind.URGENT for m in marks):
        if access.may_take_part(deps, session, case, user_id=author, now=now):
            told.append(
                concerns.raise_concern(
                    deps,
                    session,
                    case,
                    channel_id=case.channel_id,
                    message_ts=message["ts"],
                    raised_by=author,
                    now=now,
                    tell_again=False,
                )
            )
        else:
            told.append(not_on_case_answer())
    if no_discussion and any(m.kind is not Kind.URGENT for m in marks):
        told.append(NO_DISCUSSION)
    text = "\n\n".join(t for t in told if t)
    return Answer(case.channel_id, author, text, message.get("thread_ts")) if text else None


def store_reply(
    deps: Deps, session: Session, case: Case, discussion: Discussion, message: dict[str, Any], now: datetime
) -> tuple[ThreadMessage | None, str | None]:
    """Store a reply and capture its lines: the row (None if it was stored already) and what to tell its
    author now (an urgent concern's advice), if anything."""
    row = ThreadMessage(
        team_id=case.team_id,
        case_id=case.id,
        discussion_id=discussion.id,
        prompt_id=discussion.current_prompt_id,
        channel_id=case.channel_id,
        ts=message["ts"],
        author_id=message["user"],
        text=message.get("text") or "",
        received_at=now,
    )
    if not repo.insert_once(session, row):
        return None, None  # the same message again (e.g. also broadcast to the channel)
    if not capture.has_marks(row.text or ""):
        return row, None  # a new reply with no prefixed line: nothing to capture, nothing to withdraw
    return row, _capture_lines(deps, session, case, discussion, row, now)


def _capture_lines(
    deps: Deps, session: Session, case: Case, discussion: Discussion, row: ThreadMessage, now: datetime
) -> str | None:
    """Items from the message's prefixed lines; lines no longer there (after an edit) are withdrawn.
    Returns what to tell the author now (an urgent concern's advice), if anything."""
    person = access.known_person(session, case, row.author_id)
    found = capture.parse_message(row.text or "", now=now, tz=zone(deps, person))
    told = None
    for index, captured in enumerate(found):
        key = f"line:{row.ts}:{index}"
        said = items.upsert(deps, session, case, discussion, row, key, "prefix", captured, row.author_id, now)
        told = told or said
    for item in store.items_of_message(session, message_id=row.id):
        if item.source == "prefix" and int(item.key.rsplit(":", 1)[1]) >= len(found):
            items.withdraw(item, now)
    return told


def _edited(deps: Deps, team_id: str, event: dict[str, Any], event_id: str) -> Answer | None:
    message = event.get("message") or {}
    if not by_a_person(deps, message) or not message.get("ts"):
        return None
    now = deps.clock()
    with deps.sessions.begin() as session:
        if not repo.claim_once(session, team_id=team_id, key=f"event:{event_id}", kind="message", now=now):
            return None
        row = store.thread_message(session, team_id=team_id, channel_id=event["channel"], ts=message["ts"])
        if row is None:
            # Not stored yet: an edit that adds a prefix to a reply in a case thread counts as the reply.
            case = store.case_of_thread(
                session, team_id=team_id, channel_id=event["channel"], thread_ts=message.get("thread_ts")
            )
            if case is None:
                return None
            discussion = store.current_discussion(session, case_id=case.id)
            if discussion and access.may_take_part(deps, session, case, user_id=message["user"], now=now):
                told = store_reply(deps, session, case, discussion, message, now)[1]
                return Answer(case.channel_id, message["user"], told, case.thread_ts) if told else None
            return _not_stored(deps, session, case, message, now, no_discussion=False)
        if row.deleted_at is not None:
            return None
        case = repo.load_case(session, case_id=row.case_id)
        discussion = session.get(Discussion, row.discussion_id)
        assert case is not None and discussion is not None
        if discussion.status == DiscussionStatus.RECORDED:
            # The record is signed off; Slack edits no longer change it, and the edited text is not
            # kept (retention may already have deleted this reply's text).
            return None
        row.text, row.edited_at = message.get("text") or "", now
        told = _capture_lines(deps, session, case, discussion, row, now)
        person = repo.get_person(session, team_id=team_id, slack_user_id=row.author_id)
        for item in store.items_of_message(session, message_id=row.id):
            if item.source != "prefix" and item.withdrawn_at is None:
                marked = capture.capture_as(Kind(item.kind.value), row.text, now=now, tz=zone(deps, person))
                item.text, item.owner_ids, item.due, item.updated_at = (
                    marked.text,
                    list(marked.owner_ids),
                    marked.due,
                    now,
                )
    return Answer(case.channel_id, row.author_id, told, case.thread_ts) if told else None


def _deleted(deps: Deps, team_id: str, event: dict[str, Any], event_id: str) -> Answer | None:
    now = deps.clock()
    with deps.sessions.begin() as session:
        if not repo.claim_once(session, team_id=team_id, key=f"event:{event_id}", kind="message", now=now):
            return None
        row = store.thread_message(
            session, team_id=team_id, channel_id=event["channel"], ts=event.get("deleted_ts", "")
        )
        if row is None:
            return None
        row.text, row.deleted_at = None, now
        for item in store.items_of_message(session, message_id=row.id):
            items.withdraw(item, now)
    return None
