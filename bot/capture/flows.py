"""Capture: thread replies, edits, deletions, reactions and the "Add to case record" shortcut.

Only replies in a case thread, by people taking part in the case, while the case has a current
discussion are stored; everything else is dropped without keeping its text. Each Slack event is
processed once (its event_id is claimed in the same transaction as its effects), and every item has
a unique key per discussion, so a retried event or a second reaction of the same kind changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.capture import rules as capture
from bot.capture.rules import Captured, Kind
from bot.deps import Deps
from bot.discussions import blocks
from bot.ids import Block
from bot.kernel import access, thread
from bot.kernel.rules_text import mention
from bot.reminders import flows_schedule as schedule
from storage import discussions as store
from storage import repository as repo
from storage.models import (
    CapturedItem,
    CaptureKind,
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


@dataclass(frozen=True)
class Answer:
    """Something to tell one person after the transaction (ephemeral, in the thread)."""

    channel_id: str
    user_id: str
    text: str
    thread_ts: str | None = None


# ---------------------------------------------------------------- messages


def on_message(deps: Deps, *, team_id: str, event: dict[str, Any], event_id: str) -> Answer | None:
    subtype = event.get("subtype")
    if subtype == "message_changed":
        return _edited(deps, team_id, event, event_id)
    if subtype == "message_deleted":
        return _deleted(deps, team_id, event, event_id)
    if subtype not in STORED_KINDS or not _by_a_person(deps, event):
        return None
    thread_ts = event.get("thread_ts")
    if not thread_ts or thread_ts == event.get("ts"):
        return None  # not a reply in a thread
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
        if discussion is None:
            if _marks(deps, session, team_id, author, event.get("text") or "", now):
                return Answer(event["channel"], author, NO_DISCUSSION, thread_ts)
            return None
        if not access.may_take_part(deps, session, case, user_id=author, now=now):
            return None
        _store(deps, session, case, discussion, event, now)
    return None


def _by_a_person(deps: Deps, message: dict[str, Any]) -> bool:
    user = message.get("user")
    return bool(user) and not message.get("bot_id") and user != deps.bot_user_id


def _marks(
    deps: Deps, session: Session, team_id: str, author: str, text: str, now: datetime
) -> list[Captured]:
    person = repo.get_person(session, team_id=team_id, slack_user_id=author)
    return capture.parse_message(text, now=now, tz=schedule.zone(deps, person))


def _store(
    deps: Deps, session: Session, case: Case, discussion: Discussion, message: dict[str, Any], now: datetime
) -> ThreadMessage | None:
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
        return None  # the same message again (e.g. also broadcast to the channel)
    _capture_lines(deps, session, case, discussion, row, now)
    return row


def _capture_lines(
    deps: Deps, session: Session, case: Case, discussion: Discussion, row: ThreadMessage, now: datetime
) -> None:
    """Items from the message's prefixed lines; lines no longer there (after an edit) are withdrawn."""
    person = repo.get_person(session, team_id=case.team_id, slack_user_id=row.author_id)
    found = capture.parse_message(row.text or "", now=now, tz=schedule.zone(deps, person))
    for index, captured in enumerate(found):
        _upsert(
            session, case, discussion, row, f"line:{row.ts}:{index}", "prefix", captured, row.author_id, now
        )
    for item in store.items_of_message(session, message_id=row.id):
        if item.source == "prefix" and int(item.key.rsplit(":", 1)[1]) >= len(found):
            _withdraw(item, now)


def _upsert(
    session: Session,
    case: Case,
    discussion: Discussion,
    row: ThreadMessage,
    key: str,
    source: str,
    captured: Captured,
    by: str,
    now: datetime,
) -> CapturedItem:
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
    if captured.missing and not item.asked_missing:
        # Asked once per item: an edit that still lacks a date is not nagged about again.
        item.asked_missing = True
        question = capture.describe_missing(captured) or ""
        if mention(row.author_id) not in question:
            question = f"{mention(row.author_id)} {question}"
        thread.note(session, case, question, now)
    return item


def _withdraw(item: CapturedItem, now: datetime) -> None:
    item.withdrawn_at, item.text, item.updated_at = now, None, now


def _edited(deps: Deps, team_id: str, event: dict[str, Any], event_id: str) -> Answer | None:
    message = event.get("message") or {}
    if not _by_a_person(deps, message) or not message.get("ts"):
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
            discussion = store.current_discussion(session, case_id=case.id) if case else None
            if (
                case
                and discussion
                and access.may_take_part(deps, session, case, user_id=message["user"], now=now)
            ):
                _store(deps, session, case, discussion, message, now)
            return None
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
        _capture_lines(deps, session, case, discussion, row, now)
        person = repo.get_person(session, team_id=team_id, slack_user_id=row.author_id)
        for item in store.items_of_message(session, message_id=row.id):
            if item.source != "prefix" and item.withdrawn_at is None:
                marked = capture.capture_as(
                    Kind(item.kind.value), row.text, now=now, tz=schedule.zone(deps, person)
                )
                item.text, item.owner_ids, item.due, item.updated_at = (
                    marked.text,
                    list(marked.owner_ids),
                    marked.due,
                    now,
                )
    return None


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
            _withdraw(item, now)
    return None


# ---------------------------------------------------------------- reactions


def on_reaction(
    deps: Deps, *, team_id: str, event: dict[str, Any], event_id: str, added: bool
) -> Answer | None:
    kind = capture.kind_for_reaction(event.get("reaction", ""), deps.settings.reactions())
    item_ref = event.get("item") or {}
    if kind is None or item_ref.get("type") != "message":
        return None
    now = deps.clock()
    with deps.sessions.begin() as session:
        row = store.thread_message(
            session, team_id=team_id, channel_id=item_ref["channel"], ts=item_ref["ts"]
        )
        if row is None or row.deleted_at is not None:
            return None  # not a reply we stored during a discussion
        if not repo.claim_once(session, team_id=team_id, key=f"event:{event_id}", kind="reaction", now=now):
            return None
        case = repo.load_case(session, case_id=row.case_id)
        discussion = session.get(Discussion, row.discussion_id)
        assert case is not None and discussion is not None
        if discussion.status == DiscussionStatus.RECORDED:
            return None
        user_id = event["user"]
        if not access.may_take_part(deps, session, case, user_id=user_id, now=now):
            access.deny(session, case, user_id=user_id, action="capture.reaction", now=now)
            return None
        key = f"mark:{row.ts}:{kind.value}"
        if added:
            _mark(deps, session, case, discussion, row, kind, "reaction", user_id, now)
        elif (
            item := store.item_by_key(session, discussion_id=discussion.id, key=key)
        ) and item.source == "reaction":
            _withdraw(item, now)
    return None


def _mark(
    deps: Deps,
    session: Session,
    case: Case,
    discussion: Discussion,
    row: ThreadMessage,
    kind: Kind,
    source: str,
    by: str,
    now: datetime,
) -> CapturedItem:
    person = repo.get_person(session, team_id=case.team_id, slack_user_id=row.author_id)
    marked = capture.capture_as(kind, row.text or "", now=now, tz=schedule.zone(deps, person))
    return _upsert(session, case, discussion, row, f"mark:{row.ts}:{kind.value}", source, marked, by, now)


# ---------------------------------------------------------------- the message shortcut


def shortcut(deps: Deps, client: WebClient, body: dict[str, Any]) -> Answer | None:
    """Store the message (if it is a reply in a case thread with a discussion) and ask which kind it is."""
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    channel_id, message = body["channel"]["id"], body.get("message") or {}
    thread_ts = message.get("thread_ts")

    def answer(text: str) -> Answer:
        return Answer(channel_id, user_id, text, thread_ts)

    if not thread_ts or thread_ts == message.get("ts"):
        return answer(NOT_A_CASE)
    if not _by_a_person(deps, message):
        return answer(NOT_A_PERSON)
    now = deps.clock()
    with deps.sessions.begin() as session:
        case = store.case_of_thread(session, team_id=team_id, channel_id=channel_id, thread_ts=thread_ts)
        if case is None:
            return answer(NOT_A_CASE)
        if not access.may_take_part(deps, session, case, user_id=user_id, now=now):
            return answer(access.deny(session, case, user_id=user_id, action="capture.shortcut", now=now))
        discussion = store.current_discussion(session, case_id=case.id)
        if discussion is None:
            return answer(NO_DISCUSSION)
        row = store.thread_message(session, team_id=team_id, channel_id=channel_id, ts=message["ts"])
        if row is None:
            row = _store(deps, session, case, discussion, message, now)
        assert row is not None
        found = capture.parse_message(row.text or "", now=now, tz=schedule.zone(deps, None))
        row_id, preselected = row.id, found[0].kind.value if found else None
    client.views_open(
        trigger_id=body["trigger_id"], view=blocks.kind_modal(message_id=row_id, preselected=preselected)
    )
    return None


def submit_kind(deps: Deps, body: dict[str, Any]) -> tuple[dict[str, str] | None, Answer | None]:
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    chosen = blocks.read_kind(body["view"]["state"]["values"])
    try:
        message_id = int(json.loads(body["view"].get("private_metadata") or "{}")["message_id"])
        kind = Kind(chosen)
    except (ValueError, KeyError, TypeError):
        return {Block.CAPTURE_KIND: "Choose what this message is for the record."}, None
    now = deps.clock()
    with deps.sessions.begin() as session:
        row = session.get(ThreadMessage, message_id)
        if row is None or row.team_id != team_id or row.deleted_at is not None:
            return {Block.CAPTURE_KIND: "That message has been deleted, so it can't be added."}, None
        case = repo.load_case(session, case_id=row.case_id)
        discussion = session.get(Discussion, row.discussion_id)
        assert case is not None and discussion is not None
        if not access.may_take_part(deps, session, case, user_id=user_id, now=now):
            return {
                Block.CAPTURE_KIND: access.deny(
                    session, case, user_id=user_id, action="capture.shortcut", now=now
                )
            }, None
        if discussion.status == DiscussionStatus.RECORDED:
            return {Block.CAPTURE_KIND: "That discussion has already been recorded and signed off."}, None
        _mark(deps, session, case, discussion, row, kind, "shortcut", user_id, now)
        label = capture.TITLES[kind].lower()
        return None, Answer(
            case.channel_id, user_id, f"Added to the case record as: {label}.", case.thread_ts
        )
