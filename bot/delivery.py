"""The outbox sender: turns queued rows into Slack calls, safely.

Each row is leased with a compare-and-set (so two threads or processes never send the same row),
rendered from the database at send time (so a card always shows the latest state), and then:
sent; retried later (rate limits honour Retry-After without blocking; transient errors back off);
or moved to the dead-letter state with a notice to the case's manager (permanent errors).
Posts carry the outbox id in message metadata, so a row whose sender died mid-call is checked
against the channel before it is sent again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.outbox_calls import METADATA_TYPE, Call, Cancel, Defer, prepare
from bot.services.text import slack_escape
from storage import repository as repo
from storage.models import Case, OutboxMessage, OutboxStatus, SlackPost

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
DEFER = timedelta(seconds=5)
MAX_ATTEMPTS = 8
PERMANENT = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "account_inactive",
    "user_not_found",
    "message_not_found",
    "cant_update_message",
    "invalid_blocks",
    "msg_too_long",
    "no_text",
}


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    deferred: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_due(deps: Deps, client: WebClient | None = None, *, limit: int = 100) -> Report:
    client = client or deps.web_client()
    report = Report()
    now = deps.clock()
    with deps.sessions.begin() as session:
        ids = repo.due_outbox_ids(session, now=now, limit=limit)
    for message_id in ids:
        _deliver_one(deps, client, message_id, report)
    return report


def _deliver_one(deps: Deps, client: WebClient, message_id: int, report: Report) -> None:
    now = deps.clock()
    with deps.sessions.begin() as session:
        if not repo.lease_outbox(session, message_id=message_id, now=now, until=now + LEASE):
            return  # another sender has it
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        try:
            call = prepare(deps, session, message, now)
        except Defer as wait:
            message.status, message.next_attempt_at = OutboxStatus.PENDING, wait.until or now + DEFER
            message.attempts -= 1
            report.deferred += 1
            return
        except Cancel:
            message.status, message.last_error = OutboxStatus.CANCELLED, "overtaken"
            _forget_words(message)
            report.cancelled += 1
            return
        check_first = message.attempts > 1  # an earlier attempt may have reached Slack
    try:
        # Checked outside the lease transaction; if the check itself fails we cannot know whether
        # Slack has the post, so the row is retried like a failed post rather than sent again.
        recovered = _already_posted(client, call, message_id) if check_first else None
        response = recovered or client.api_call(call.method, json=call.kwargs).data
    except SlackApiError as exc:
        _failed(deps, message_id, exc, report)
        return
    except OSError as exc:  # timeouts, refused connections: transient
        _retry_later(deps, message_id, type(exc).__name__, report)
        return
    with deps.sessions.begin() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        message.status, message.sent_at = OutboxStatus.SENT, deps.clock()
        message.result = {"ts": response.get("ts"), "channel": response.get("channel")}
        _remember(session, client, message, call, response)
        _forget_words(message)
    report.sent += 1


# Once sent (or overtaken), a row needs only its ids. The words it carried (a focus question, the
# decisions in a note's confirmation) are case text, and the outbox is not a place to keep case text:
# it would outlive the raw-text retention and every note purge.
WORDS = ("text", "blocks")


def _forget_words(message: OutboxMessage) -> None:
    message.payload = {key: value for key, value in message.payload.items() if key not in WORDS}


def _remember(
    session: Session, client: WebClient, message: OutboxMessage, call: Call, response: dict[str, Any]
) -> None:
    if not call.remember_as or not response.get("ts"):
        return
    case_id = message.case_id or message.payload["case_id"]
    if repo.slack_post(session, case_id=case_id, purpose=call.remember_as) is None:
        session.add(
            SlackPost(
                team_id=message.team_id,
                case_id=case_id,
                purpose=call.remember_as,
                channel_id=response["channel"],
                ts=response["ts"],
                permalink=_permalink(client, response) if call.remember_as == "card" else None,
            )
        )
    if call.remember_as == "card":
        case = session.get(Case, case_id)
        assert case is not None
        case.thread_ts = case.thread_ts or response["ts"]


def _permalink(client: WebClient, response: dict[str, Any]) -> str | None:
    """The card's link, for escalations that point the manager at the thread. Optional: a failure
    here must not undo a post Slack already has."""
    try:
        return client.chat_getPermalink(channel=response["channel"], message_ts=response["ts"]).get(
            "permalink"
        )
    except (SlackApiError, OSError):
        return None


def _already_posted(client: WebClient, call: Call, message_id: int) -> dict[str, Any] | None:
    """After a crash mid-send, find the post if Slack did receive it, so it is not sent twice.

    Slack errors and timeouts propagate: not knowing is not the same as not posted.
    """
    if call.method != "chat.postMessage":
        return None
    channel, thread_ts = call.kwargs["channel"], call.kwargs.get("thread_ts")
    try:
        if channel[:1] in ("U", "W"):
            # A DM is posted to the user id, but its history lives under the DM's own conversation id.
            channel = client.conversations_open(users=channel)["channel"]["id"]
        if thread_ts:
            found = client.conversations_replies(
                channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
            )
        else:
            found = client.conversations_history(channel=channel, include_all_metadata=True, limit=200)
    except SlackApiError as exc:
        if exc.response.get("error") == "thread_not_found":
            return None  # no thread, so our reply cannot be in it
        raise
    for posted in found.get("messages", []):
        meta = posted.get("metadata") or {}
        if (
            meta.get("event_type") == METADATA_TYPE
            and meta.get("event_payload", {}).get("outbox_id") == message_id
        ):
            return {"ok": True, "channel": channel, "ts": posted["ts"]}
    return None


def _failed(deps: Deps, message_id: int, exc: SlackApiError, report: Report) -> None:
    status = exc.response.status_code
    error = str(exc.response.get("error") or f"http_{status}")
    if status == 429:
        retry_after = int(
            exc.response.headers.get("Retry-After", exc.response.headers.get("retry-after", 30))
        )
        _retry_later(
            deps, message_id, "ratelimited", report, after=timedelta(seconds=retry_after), counts=False
        )
    elif error in PERMANENT:
        _dead_letter(deps, message_id, error, report)
    else:
        _retry_later(deps, message_id, error, report)


def _retry_later(
    deps: Deps,
    message_id: int,
    error: str,
    report: Report,
    *,
    after: timedelta | None = None,
    counts: bool = True,
) -> None:
    now = deps.clock()
    with deps.sessions.begin() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        if counts and message.attempts >= MAX_ATTEMPTS:
            _to_dead_letter(session, message, error, now)
            report.dead += 1
            return
        if not counts:
            message.attempts -= 1  # a rate limit is Slack pacing us, not a failure of this message
        backoff = after or timedelta(seconds=min(5 * 2 ** max(message.attempts - 1, 0), 900))
        message.status, message.next_attempt_at, message.last_error = (
            OutboxStatus.PENDING,
            now + backoff,
            error,
        )
    log.warning("slack call will be retried", extra={"outbox_id": message_id, "error": error})
    report.retried += 1
    report.errors.append(error)


def _dead_letter(deps: Deps, message_id: int, error: str, report: Report) -> None:
    with deps.sessions.begin() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        _to_dead_letter(session, message, error, deps.clock())
    report.dead += 1
    report.errors.append(error)


def _to_dead_letter(session: Session, message: OutboxMessage, error: str, now: datetime) -> None:
    message.status, message.last_error = OutboxStatus.DEAD, error
    _forget_words(message)  # nothing re-sends a dead row, so its words would only linger
    log.error("slack call failed permanently", extra={"outbox_id": message.id, "error": error})
    repo.add_audit(
        session,
        team_id=message.team_id,
        now=now,
        actor=None,
        action="outbox.dead",
        object_type="outbox",
        object_id=message.id,
        outcome="failed",
        detail={"error": error},
    )
    if message.kind == "dm" or message.case_id is None:
        return  # a notice about a notice would loop; the audit entry records it
    if message.kind == "post_card":
        _dead_letter_dependants(session, message.case_id)
    case = session.get(Case, message.case_id)
    assert case is not None
    repo.enqueue(
        session,
        team_id=message.team_id,
        kind="dm",
        now=now,
        payload={
            "user_id": case.manager.slack_user_id,
            "text": _dead_letter_notice(message, case, error),
        },
    )


def _dead_letter_notice(message: OutboxMessage, case: Case, error: str) -> str:
    reference = slack_escape(case.reference)
    recipient = message.payload.get("user_id", "thread")
    if message.kind == "reminder" and recipient != "thread":
        return (
            f"I couldn't send <@{recipient}> a reminder about case {reference} (Slack said `{error}`). "
            "If they have left or changed role, you may want to reassign their part of the case."
        )
    return (
        f"I couldn't deliver an update for case {reference} in <#{case.channel_id}> "
        f"(Slack said `{error}`). If I was removed from the channel or it was archived, please "
        "invite me back or tell me where the case lives now; nothing has been lost."
    )


# Rows that can only be sent once the card exists (its thread, its ts) would otherwise be deferred
# forever; they share the card's fate, and the manager's notice covers them.
NEEDS_CARD = (
    "post_agreement",
    "update_card",
    "update_agreement",
    "thread_note",
    "post_prompt",
    "update_prompt",
)


def _dead_letter_dependants(session: Session, case_id: int) -> None:
    waiting = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.case_id == case_id,
            OutboxMessage.kind.in_(NEEDS_CARD),
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
        )
    ).all()
    for message in waiting:
        message.status, message.last_error = OutboxStatus.DEAD, "case_card_not_posted"
        _forget_words(message)
