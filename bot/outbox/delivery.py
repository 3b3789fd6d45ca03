"""The outbox sender: turns queued rows into Slack calls, safely.

Each row is leased with a compare-and-set (so two threads or processes never send the same row),
rendered from the database at send time (so a card always shows the latest state), and then:
sent; retried later (rate limits honour Retry-After without blocking; transient errors back off);
or moved to the dead-letter state with a notice to the case's manager (permanent errors, rows that
cannot be built, and rows Slack refuses as invalid: one bad row never holds up the others).
Posts carry the outbox id in message metadata, so a row whose sender died mid-call is checked
against the channel before it is sent again; a row whose check cannot be made is held as uncertain
(never guessed at: neither re-posted nor dropped) and its case's manager is told if it stays so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.kernel.rules_text import slack_escape
from bot.outbox.calls import METADATA_TYPE, Call, Cancel, Defer, prepare
from storage import repository as repo
from storage.models import Case, OutboxMessage, OutboxStatus, SlackPost

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
DEFER = timedelta(seconds=5)
MAX_ATTEMPTS = 8
# Slack refusing the request itself as malformed: sending it again can only be refused again.
INVALID = {
    "invalid_arguments",
    "invalid_blocks",
    "invalid_blocks_format",
    "invalid_attachments",
    "too_many_attachments",
    "msg_too_long",
    "msg_blocks_too_long",
    "no_text",
    "invalid_metadata_format",
    "invalid_metadata_schema",
    "metadata_too_large",
    "markdown_text_conflict",
}
UNBUILDABLE = "unbuildable"  # last_error prefix of a row whose Slack call could not be built
PERMANENT = INVALID | {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "account_inactive",
    "user_not_found",
    "message_not_found",
    "cant_update_message",
}


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    deferred: int = 0
    cancelled: int = 0
    uncertain: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_due(deps: Deps, client: WebClient | None = None, *, limit: int = 100) -> Report:
    client = client or deps.web_client()
    report = Report()
    now = deps.clock()
    with deps.sessions.begin() as session:
        ids = repo.due_outbox_ids(session, now=now, limit=limit)
    for message_id in ids:
        try:
            _deliver_one(deps, client, message_id, report)
        except Exception as exc:  # noqa: BLE001 - one row's fault must never hold up every later row
            # Its lease (if any) runs out and the row is looked at again; ids and the type only, as the
            # exception's text may quote case text.
            log.error(
                "outbox row failed unexpectedly",
                extra={"outbox_id": message_id, "error": type(exc).__name__},
            )
            report.errors.append(type(exc).__name__)
    return report


def _deliver_one(deps: Deps, client: WebClient, message_id: int, report: Report) -> None:
    now = deps.clock()
    with deps.sessions.begin() as session:
        if not repo.lease_outbox(session, message_id=message_id, now=now, until=now + LEASE):
            return  # another sender has it
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        building = session.begin_nested()  # a row that cannot be built is undone alone, lease kept
        try:
            call = prepare(deps, session, message, now)
        except Defer as wait:
            building.commit()
            message.status, message.next_attempt_at = OutboxStatus.PENDING, wait.until or now + DEFER
            message.attempts -= 1
            report.deferred += 1
            return
        except Cancel:
            building.commit()
            message.status, message.last_error = OutboxStatus.CANCELLED, "overtaken"
            _forget_words(message)
            report.cancelled += 1
            return
        except SQLAlchemyError:
            raise  # the database, not the row: the whole lease is undone and the row tried again
        except Exception as exc:  # noqa: BLE001 - e.g. a builder's ValueError on an over-long block
            building.rollback()
            error = f"{UNBUILDABLE}:{type(exc).__name__}"  # never the message: it may quote case text
            _to_dead_letter(session, message, error, now)
            report.dead += 1
            report.errors.append(error)
            return
        building.commit()
        # An earlier attempt may have reached Slack (it timed out, or its sender died after posting).
        check_first = message.attempts > 1 or message.recovery is not None
        recovery = dict(message.recovery or {})
        if check_first and "oldest" not in recovery and call.method == "chat.postMessage":
            recovery["oldest"] = _read_from(session, message, call)
    try:
        recovered = _already_posted(client, call, message_id, recovery) if check_first else None
    except _Unsure as unsure:
        _uncertain(deps, message_id, unsure, report)
        return
    try:
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


# ------------------------------------------------------------------------------ crash recovery
# What Slack's reference says about the two methods the check reads (checked 2026-11; sources in the
# README's "Delivery and crash recovery"):
# - conversations.replies / conversations.history: Tier 3 (about 50 calls a minute) for internal
#   (single-workspace, customer-built) and Marketplace apps; replies' limit goes up to 1000, history's
#   to 999, and Slack recommends no more than 200. For apps commercially distributed outside the
#   Marketplace: 1 call a minute and at most 15 messages a page (new apps and installs since
#   2025-05-29, existing installs since 2026-03-03). docs.slack.dev/reference/methods/conversations.replies,
#   docs.slack.dev/apis/web-api/rate-limits.
# - The reference says bot tokens "lack sufficient permissions" for replies in channels, yet bot tokens
#   with channels:history / groups:history do read channel threads (Slack answers missing_scope naming
#   exactly those scopes when they are absent: alex000kim/slack-gpt-bot#7; LowyShin/giip-dev-agent#33).
#   casebot asks for groups:history, and treats any refusal of the check as "don't know", never as
#   "not posted".
# So the check asks for CHECK_PAGE messages (a non-Marketplace app simply gets 15), starts at the
# newest post casebot had confirmed in that conversation before the first attempt (Slack's own
# clock, so no assumption about ours), pages with the cursor, and keeps its place in `recovery` when
# Slack says "later" (429 + Retry-After), so the next try goes on from there rather than from the top.
CHECK_PAGE = 200
# Between casebot's clock and Slack's: Slack refuses signed requests more than five minutes off, so a
# host further out than that is broken anyway; a post Slack took is never older than this allows.
SLACK_CLOCK_SKEW = timedelta(minutes=5)
CLOCK_SKEW = timedelta(minutes=1)  # between casebot's own processes: a post confirmed this close may be later
TELL_AFTER_CHECKS = 5  # uncertain this many times, or for TELL_AFTER, and the manager is told (once)
TELL_AFTER = timedelta(hours=1)
RECHECK_AT_MOST = timedelta(hours=1)


class _Unsure(Exception):
    """The check could not be made; nobody knows whether Slack has the post."""

    def __init__(
        self, reason: str, *, retry_after: int | None = None, cursor: str | None = None, progressed: bool
    ) -> None:
        super().__init__(reason)
        self.reason, self.retry_after, self.cursor = reason, retry_after, cursor
        self.progressed = progressed  # at least one page was read: slow (Slack's pace), not stuck


def _read_from(session: Session, message: OutboxMessage, call: Call) -> str | None:
    """Where the check starts reading (Slack's `oldest`): from the first attempt's time, less the skew
    Slack itself tolerates between clocks, or after the newest post casebot had confirmed in the
    conversation before then if that is later. None: from the start (no attempt was recorded)."""
    started = message.first_attempt_at
    if started is None:
        return None
    floor = f"{(started - SLACK_CLOCK_SKEW).timestamp():.6f}"  # a Slack ts is its clock's epoch time
    confirmed = repo.newest_confirmed_ts(
        session,
        team_id=message.team_id,
        case_id=message.case_id,
        conversation=call.kwargs["channel"],
        confirmed_by=started - CLOCK_SKEW,
    )
    if confirmed is None:
        return floor
    return max(confirmed, floor, key=Decimal)


def _already_posted(
    client: WebClient, call: Call, message_id: int, recovery: dict[str, Any]
) -> dict[str, Any] | None:
    """After a crash mid-send, find the post if Slack did receive it, so it is not sent twice.

    None means Slack answered and the post is not there. Any failure to read raises _Unsure:
    not knowing is not the same as not posted.
    """
    if call.method != "chat.postMessage":
        return None
    channel, thread_ts = call.kwargs["channel"], call.kwargs.get("thread_ts")
    cursor, pages = recovery.get("cursor") or None, 0
    try:
        if channel[:1] in ("U", "W"):
            # A DM is posted to the user id, but its history lives under the DM's own conversation id.
            channel = client.conversations_open(users=channel)["channel"]["id"]
        while True:
            query: dict[str, Any] = {"channel": channel, "include_all_metadata": True, "limit": CHECK_PAGE}
            if recovery.get("oldest"):
                query["oldest"] = recovery["oldest"]
            if cursor:
                query["cursor"] = cursor
            if thread_ts:
                page = client.conversations_replies(ts=thread_ts, **query)
            else:
                page = client.conversations_history(**query)
            pages += 1
            for posted in page.get("messages", []):
                meta = posted.get("metadata") or {}
                if (
                    meta.get("event_type") == METADATA_TYPE
                    and meta.get("event_payload", {}).get("outbox_id") == message_id
                ):
                    return {"ok": True, "channel": channel, "ts": posted["ts"]}
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
    except SlackApiError as exc:
        error = str(exc.response.get("error") or f"http_{exc.response.status_code}")
        if error == "thread_not_found":
            return None  # no thread, so our reply cannot be in it
        raise _Unsure(error, retry_after=_retry_after(exc), cursor=cursor, progressed=pages > 0) from None
    except OSError as exc:  # timed out or unreachable: no answer either way
        raise _Unsure(type(exc).__name__, cursor=cursor, progressed=pages > 0) from None


def _retry_after(exc: SlackApiError) -> int | None:
    if exc.response.status_code != 429:
        return None
    headers = exc.response.headers
    return int(headers.get("Retry-After", headers.get("retry-after", 30)))


def _uncertain(deps: Deps, message_id: int, unsure: _Unsure, report: Report) -> None:
    """Hold the row: not sent, not re-posted, checked again later; tell the manager once if it stays so.

    A check that read some pages before Slack said "later" is making progress at Slack's pace (15 a
    page, a call a minute for non-Marketplace apps): only checks that read nothing count as stuck.
    """
    now = deps.clock()
    with deps.sessions.begin() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        recovery = dict(message.recovery or {})
        recovery["cursor"] = unsure.cursor
        if unsure.progressed:
            for stalled in ("checks", "since"):
                recovery.pop(stalled, None)
        recovery["checks"] = checks = int(recovery.get("checks", 0)) + (0 if unsure.progressed else 1)
        since = datetime.fromisoformat(recovery.setdefault("since", now.isoformat()))
        message.attempts -= 1  # the post was not attempted again
        message.status, message.last_error = OutboxStatus.UNCERTAIN, f"uncertain:{unsure.reason}"[:200]
        wait = (
            timedelta(seconds=unsure.retry_after)
            if unsure.retry_after is not None
            else min(timedelta(seconds=30 * 2 ** max(checks - 1, 0)), RECHECK_AT_MOST)
        )
        message.next_attempt_at = now + wait
        if not recovery.get("told") and (checks >= TELL_AFTER_CHECKS or now - since >= TELL_AFTER):
            recovery["told"] = True
            _tell_uncertain(session, message, now)
        message.recovery = recovery
    log.warning("slack post uncertain", extra={"outbox_id": message_id, "error": unsure.reason})
    report.uncertain += 1
    report.errors.append(f"uncertain:{unsure.reason}")


def _tell_uncertain(session: Session, message: OutboxMessage, now: datetime) -> None:
    repo.add_audit(
        session,
        team_id=message.team_id,
        now=now,
        actor=None,
        action="outbox.uncertain",
        object_type="outbox",
        object_id=message.id,
        outcome="held",
        detail={"error": message.last_error},
    )
    if message.kind == "dm" or message.case_id is None:
        return  # a notice about a notice would loop; the audit entry records it
    case = session.get(Case, message.case_id)
    assert case is not None
    reference = slack_escape(case.reference)
    repo.enqueue(
        session,
        team_id=message.team_id,
        kind="dm",
        now=now,
        payload={
            "user_id": case.manager.slack_user_id,
            "text": (
                f"I'm not sure whether an update for case {reference} reached <#{case.channel_id}>: "
                "Slack hasn't let me check yet. I won't send it again until I know, so nobody gets it "
                "twice, and I'll keep checking. Nothing on the case has been lost."
            ),
        },
    )


def _failed(deps: Deps, message_id: int, exc: SlackApiError, report: Report) -> None:
    status = exc.response.status_code
    error = str(exc.response.get("error") or f"http_{status}")
    retry_after = _retry_after(exc)
    if retry_after is not None:
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
    if error in INVALID or error.startswith(UNBUILDABLE):
        return (
            f"I couldn't send an update for case {reference} in <#{case.channel_id}>: it came out in a "
            f"shape Slack doesn't accept (`{error}`). Nothing on the case has been lost, and this has "
            "been logged for whoever looks after casebot."
        )
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
