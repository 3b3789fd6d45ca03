"""Crash recovery for the outbox sender: a row whose sender may have reached Slack is checked against
the conversation before it is sent again (`already_posted`); a row whose check cannot be made is held
as uncertain (`hold`: never guessed at, neither re-posted nor dropped) and its case's manager is told
if it stays so."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.kernel.rules_text import slack_escape
from bot.outbox.calls import METADATA_TYPE, Call
from storage import outbox as outbox_store
from storage import repository as repo
from storage.models import Case, OutboxKind, OutboxMessage, OutboxStatus

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


class Unsure(Exception):
    """The check could not be made; nobody knows whether Slack has the post."""

    def __init__(
        self, reason: str, *, retry_after: int | None = None, cursor: str | None = None, progressed: bool
    ) -> None:
        super().__init__(reason)
        self.reason, self.retry_after, self.cursor = reason, retry_after, cursor
        self.progressed = progressed  # at least one page was read: slow (Slack's pace), not stuck


def read_from(session: Session, message: OutboxMessage, call: Call) -> str | None:
    """Where the check starts reading (Slack's `oldest`): from the first attempt's time, less the skew
    Slack itself tolerates between clocks, or after the newest post casebot had confirmed in the
    conversation before then if that is later. None: from the start (no attempt was recorded)."""
    started = message.first_attempt_at
    if started is None:
        return None
    floor = f"{(started - SLACK_CLOCK_SKEW).timestamp():.6f}"  # a Slack ts is its clock's epoch time
    confirmed = outbox_store.newest_confirmed_ts(
        session,
        team_id=message.team_id,
        case_id=message.case_id,
        conversation=call.kwargs["channel"],
        confirmed_by=started - CLOCK_SKEW,
    )
    if confirmed is None:
        return floor
    return max(confirmed, floor, key=Decimal)


def already_posted(
    client: WebClient, call: Call, message_id: int, recovery: dict[str, Any]
) -> dict[str, Any] | None:
    """After a crash mid-send, find the post if Slack did receive it, so it is not sent twice.

    None means Slack answered and the post is not there. Any failure to read raises Unsure:
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
            posted: dict[str, Any]
            for posted in page.get("messages", []):
                meta: dict[str, Any] = posted.get("metadata") or {}
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
        wait = retry_after_seconds(exc)
        raise Unsure(error, retry_after=wait, cursor=cursor, progressed=pages > 0) from None
    except OSError as exc:  # timed out or unreachable: no answer either way
        raise Unsure(type(exc).__name__, cursor=cursor, progressed=pages > 0) from None


def retry_after_seconds(exc: SlackApiError) -> int | None:
    if exc.response.status_code != 429:
        return None
    headers = exc.response.headers
    return int(headers.get("Retry-After", headers.get("retry-after", 30)))


def hold_uncertain(deps: Deps, message_id: int, unsure: Unsure) -> None:
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
        kind=OutboxKind.DM,
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
