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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.deps import Clients, Deps, NotInstalled, TeamClients, pick
from bot.outbox import batches
from bot.outbox.building import Built, build
from bot.outbox.calls import Call, Cancel, Defer
from bot.outbox.dead_letter import INVALID, UNBUILDABLE, forget_words, to_dead_letter
from bot.outbox.pacing import pace_calls as pace_calls  # the sandbox's and tests' switch
from bot.outbox.pacing import pacing
from bot.outbox.recovery import Unsure, already_posted, hold_uncertain, retry_after_seconds
from bot.outbox.rules_pacing import Key, Rate
from storage import outbox as outbox_store
from storage import repository as repo
from storage.models import Case, OutboxMessage, OutboxStatus, SlackPost

log = logging.getLogger(__name__)

LEASE = batches.LEASE
DEFER = timedelta(seconds=5)
MAX_ATTEMPTS = 8
NOT_INSTALLED = "not_installed"  # the row's team uninstalled casebot: nothing may be sent there again
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
    paced: int = 0  # held back to their turn within Slack's rate limit, before any call
    errors: list[str] = field(default_factory=list)
    full: bool = False  # the pass took as many rows as it may: more may be due now


PASS_LIMIT = 100  # rows a pass takes at most


def deliver_due(
    deps: Deps,
    client: Clients | None = None,
    *,
    limit: int = PASS_LIMIT,
    stopping: Callable[[], bool] | None = None,
) -> Report:
    """Send the due rows, each with its own team's bot token. Once `stopping()` (SIGTERM) no more rows are
    leased: the row in hand is finished, the rest stay unleased for the next sender."""
    clients = client if client is not None else TeamClients(deps)
    report = Report()
    if batches.supported(deps):  # PostgreSQL: rows leased a batch at a time, SKIP LOCKED
        taken = 0
        for message_id in batches.claimed(deps, limit=limit, stopping=stopping):
            taken += 1
            _deliver_safely(deps, clients, message_id, report, leased=True)
        report.full = taken >= limit
        return report
    now = deps.clock()
    with deps.reads.begin() as session:
        ids = outbox_store.due_outbox_ids(session, now=now, limit=limit)
    report.full = len(ids) >= limit
    for message_id in ids:
        if stopping is not None and stopping():
            break
        _deliver_safely(deps, clients, message_id, report, leased=False)
    return report


def _deliver_safely(deps: Deps, clients: Clients, message_id: int, report: Report, *, leased: bool) -> None:
    try:
        _deliver_one(deps, clients, message_id, report, leased=leased)
    except Exception as exc:  # noqa: BLE001 - one row's fault must never hold up every later row
        # Its lease (if any) runs out and the row is looked at again; ids and the type only, as the
        # exception's text may quote case text.
        error = type(exc).__name__
        log.error("outbox row failed unexpectedly", extra={"outbox_id": message_id, "error": error})
        report.errors.append(error)


def wake(deps: Deps) -> None:
    """After a listener's ack: this process's delivery loop sends what the listener queued (bot/outbox/
    loop.py), paced with everything else, never on the listener's thread. A process without a loop
    (`casebot web`) leaves the rows to the workers, which PostgreSQL's NOTIFY wakes at the commit.

    Only a commit that queued rows makes a pass worth waking for: during a busy discussion every reply
    would otherwise wake a pass that finds nothing, on the same two cores as the acks. A wake that comes
    after another thread's commit takes that news too, and its pass sees those committed rows."""
    if not deps.take_outbox_news():
        return
    for waker in list(deps.delivery_wakers):
        waker()


def _deliver_one(deps: Deps, clients: Clients, message_id: int, report: Report, *, leased: bool) -> None:
    now = deps.clock()
    if not leased:
        with deps.sessions.begin() as session:
            if not outbox_store.lease_outbox(session, message_id=message_id, now=now, until=now + LEASE):
                return  # another sender has it
    built = build(deps, message_id, now)  # read-only: the write lock is not held while it renders
    if built is None or _not_sent_now(deps, message_id, built, report, now):
        return
    call, team_id, check_first, recovery = built.call, built.team_id, built.check_first, built.recovery
    assert call is not None
    try:
        client = pick(clients, team_id)
        recovered = already_posted(client, call, message_id, recovery) if check_first else None
    except NotInstalled:
        _dead_letter(deps, message_id, NOT_INSTALLED, report, notify=False)
        return
    except Unsure as unsure:
        _uncertain(deps, message_id, unsure, report)
        return
    try:
        response = recovered or client.api_call(call.method, json=call.kwargs).data
    except SlackApiError as exc:
        _failed(deps, message_id, exc, report, paced_as=built.paced_as())
        return
    except OSError as exc:  # timeouts, refused connections: transient
        _retry_later(deps, message_id, type(exc).__name__, report)
        return
    # Asked before the transaction: on SQLite it holds the one write lock, which every ack that stores
    # something waits for, and a Slack call can take seconds.
    permalink = _permalink(client, response) if call.remember_as == "card" and response.get("ts") else None
    with deps.sessions.begin() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        message.status, message.sent_at = OutboxStatus.SENT, deps.clock()
        message.result = {"ts": response.get("ts"), "channel": response.get("channel")}
        _remember(session, message, call, response, permalink)
        forget_words(message)
    report.sent += 1


def _not_sent_now(deps: Deps, message_id: int, built: Built, report: Report, now: datetime) -> bool:
    """Writes down why a leased row is not sent now (deferred, cancelled, unbuildable, or waiting its
    turn within Slack's rate limit) and returns True; False: send it."""
    turn = None
    if built.unsent is None and (turn := pacing(deps).turn(*built.paced_as(), message_id, now)) is None:
        return False
    with deps.sessions.begin() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        if isinstance(built.unsent, Cancel):
            message.status, message.last_error = OutboxStatus.CANCELLED, "overtaken"
            forget_words(message)
            report.cancelled += 1
        elif built.unsent is not None and not isinstance(built.unsent, Defer):
            # The error's type only, never its message: it may quote case text.
            error = f"{UNBUILDABLE}:{type(built.unsent).__name__}"
            to_dead_letter(session, message, error, now)
            report.dead += 1
            report.errors.append(error)
        else:  # deferred, or waiting for its turn: neither is an attempt
            wait = built.unsent.until if isinstance(built.unsent, Defer) else None
            message.status, message.next_attempt_at = OutboxStatus.PENDING, turn or wait or now + DEFER
            message.attempts -= 1
            if turn is not None:
                report.paced += 1
            else:
                report.deferred += 1
    return True


def _remember(
    session: Session, message: OutboxMessage, call: Call, response: dict[str, Any], permalink: str | None
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
                permalink=permalink,
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


def _uncertain(deps: Deps, message_id: int, unsure: Unsure, report: Report) -> None:
    hold_uncertain(deps, message_id, unsure)
    log.warning("slack post uncertain", extra={"outbox_id": message_id, "error": unsure.reason})
    report.uncertain += 1
    report.errors.append(f"uncertain:{unsure.reason}")


def _failed(
    deps: Deps, message_id: int, exc: SlackApiError, report: Report, *, paced_as: tuple[Key, Rate]
) -> None:
    status = exc.response.status_code
    error = str(exc.response.get("error") or f"http_{status}")
    retry_after = retry_after_seconds(exc)
    if retry_after is not None:
        now = deps.clock()
        pacing(deps).hold(*paced_as, now + timedelta(seconds=retry_after), now, refused=message_id)
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
            to_dead_letter(session, message, error, now)
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


def _dead_letter(deps: Deps, message_id: int, error: str, report: Report, *, notify: bool = True) -> None:
    with deps.sessions.begin() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        to_dead_letter(session, message, error, deps.clock(), notify=notify)
    report.dead += 1
    report.errors.append(error)
