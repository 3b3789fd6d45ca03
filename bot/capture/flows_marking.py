"""Capture by hand: reactions that mark a reply, and the "Add to case record" message shortcut."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk import WebClient

from bot.capture import flows_items as items
from bot.capture import rules as capture
from bot.capture.flows import NO_DISCUSSION, NOT_A_CASE, NOT_A_PERSON, by_a_person, store_reply
from bot.capture.flows_items import Answer
from bot.capture.rules import Kind
from bot.deps import Deps
from bot.discussions import blocks
from bot.ids import Block
from bot.kernel import access
from bot.kernel.zones import zone
from storage import discussions as store
from storage import repository as repo
from storage.models import Discussion, DiscussionStatus, ThreadMessage


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
            told = items.mark(deps, session, case, discussion, row, kind, "reaction", user_id, now)
            return Answer(case.channel_id, user_id, told, case.thread_ts) if told else None
        item = store.item_by_key(session, discussion_id=discussion.id, key=key)
        if item and item.source == "reaction":
            items.withdraw(item, now)  # an urgent concern it raised stays raised: its alert is not unsent
    return None


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
    if not by_a_person(deps, message):
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
            row = store_reply(deps, session, case, discussion, message, now)[0]
        assert row is not None
        found = capture.parse_message(row.text or "", now=now, tz=zone(deps, None))
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
        told = items.mark(deps, session, case, discussion, row, kind, "shortcut", user_id, now)
        added = f"Added to the case record as: {capture.TITLES[kind].lower()}."
        text = f"{added}\n\n{told}" if told else added
        return None, Answer(case.channel_id, user_id, text, case.thread_ts)
