"""The outbox sender against Slack faults: rate limits, 5xx, timeouts, permanent errors, races, crashes.

Faults are injected into the emulator before the case is submitted (the listener delivers inline
after its ack), then the hand-moved `clock` decides when each later delivery pass runs.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.outbox import delivery
from bot.outbox.delivery import deliver_due
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD, MANAGER, TEAM_ID
from storage import repository as repo
from storage.models import AuditEntry, OutboxMessage, OutboxStatus, SlackPost
from tests.journey import make_manager, open_modal, submit

REFERENCE = "CASE-2026-014"  # the reference in the journey's agreement


# ------------------------------------------------------------------ helpers
def submit_case(box) -> None:
    """Open a case through the modal, whatever happens to the Slack posts afterwards."""
    make_manager(box)
    reply = submit(box, open_modal(box))
    assert reply.status == 200 and not (reply.json or {}).get("errors"), reply.body


def outbox(box, kind: str | None = None) -> list[OutboxMessage]:
    with box.deps.sessions() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return list(session.scalars(query))


def card_row(box) -> OutboxMessage:
    (row,) = outbox(box, "post_card")
    return row


def audits(box, action: str) -> list[AuditEntry]:
    with box.deps.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def card_posts(box) -> list:
    """chat.postMessage calls Slack accepted as new top-level messages in the case channel."""
    return [
        call
        for call in box.emu.calls_to("chat.postMessage")
        if call.params.get("channel") == CASE_CHANNEL
        and not call.params.get("thread_ts")
        and call.response.get("ok")
    ]


def post_attempts(box) -> int:
    return len(box.emu.calls_to("chat.postMessage"))


def wait_for_slow_slack(condition, seconds: float = 5.0) -> None:
    """Wait (in real time) for the emulator to finish a call it was told to answer late."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the emulator never completed the delayed call"
        time.sleep(0.02)


# --------------------------------------------------------------- rate limits
def test_rate_limited_card_waits_for_retry_after_and_is_not_counted_as_a_failure(http_sandbox, clock):
    box = http_sandbox
    box.emu.inject_error("chat.postMessage", "ratelimited", retry_after=30, channel=CASE_CHANNEL)
    start = clock()
    submit_case(box)

    assert box.emu.messages(CASE_CHANNEL) == []
    card = card_row(box)
    assert card.status == OutboxStatus.PENDING
    assert card.next_attempt_at == start + timedelta(seconds=30)
    assert card.attempts == 0, "Slack pacing us is not a failed attempt"
    assert card.last_error == "ratelimited"

    clock.advance(seconds=29)
    before = post_attempts(box)
    deliver_due(box.deps)
    assert post_attempts(box) == before, "nothing is sent before Retry-After has passed"

    clock.advance(seconds=1)
    report = deliver_due(box.deps)
    assert report.sent == 1
    assert len(card_posts(box)) == 1
    assert len(box.emu.messages(CASE_CHANNEL)) == 1
    card = card_row(box)
    assert card.status == OutboxStatus.SENT and card.attempts == 1

    clock.advance(minutes=10)
    deliver_due(box.deps)
    assert len(card_posts(box)) == 1


def test_repeated_rate_limits_never_dead_letter_the_row(http_sandbox, clock):
    box = http_sandbox
    times = delivery.MAX_ATTEMPTS + 2
    box.emu.inject_error("chat.postMessage", "ratelimited", retry_after=1, times=times, channel=CASE_CHANNEL)
    submit_case(box)
    for _ in range(times):
        clock.advance(seconds=1)
        deliver_due(box.deps)
    card = card_row(box)
    assert card.status == OutboxStatus.SENT
    assert len(card_posts(box)) == 1
    assert audits(box, "outbox.dead") == []


# ------------------------------------------------------------- server errors
def test_server_error_is_retried_with_growing_backoff_then_sent(http_sandbox, clock):
    box = http_sandbox
    box.emu.inject_error("chat.postMessage", status=500, times=2, channel=CASE_CHANNEL)
    start = clock()
    submit_case(box)

    card = card_row(box)
    assert (card.status, card.attempts, card.last_error) == (OutboxStatus.PENDING, 1, "internal_error")
    first_backoff = card.next_attempt_at - start
    assert first_backoff > timedelta(0)

    clock.advance(seconds=first_backoff.total_seconds())
    deliver_due(box.deps)  # the second 500
    card = card_row(box)
    assert card.status == OutboxStatus.PENDING and card.attempts == 2
    second_backoff = card.next_attempt_at - clock()
    assert second_backoff > first_backoff, "backoff grows with each failed attempt"

    clock.advance(seconds=second_backoff.total_seconds() - 1)
    before = post_attempts(box)
    deliver_due(box.deps)
    assert post_attempts(box) == before, "nothing is sent before the backoff has passed"

    clock.advance(seconds=1)
    deliver_due(box.deps)
    assert card_row(box).status == OutboxStatus.SENT
    assert len(card_posts(box)) == 1
    assert len(box.emu.messages(CASE_CHANNEL)) == 1


# ------------------------------------------------------------------ timeouts
def test_timed_out_post_that_slack_completed_is_found_by_metadata_not_posted_twice(http_sandbox, clock):
    box = http_sandbox
    timeout = box.settings.slack_timeout_seconds
    box.emu.inject_timeout("chat.postMessage", seconds=timeout + 1, channel=CASE_CHANNEL)
    submit_case(box)

    card = card_row(box)
    assert card.status == OutboxStatus.PENDING and card.attempts == 1
    # The client gave up, but the slow Slack still posts the card a moment later.
    wait_for_slow_slack(lambda: len(card_posts(box)) == 1)
    assert len(box.emu.messages(CASE_CHANNEL)) == 1

    clock.advance(seconds=(card.next_attempt_at - clock()).total_seconds())
    deliver_due(box.deps)

    card = card_row(box)
    assert card.status == OutboxStatus.SENT
    assert len(card_posts(box)) == 1, "the retry found the post instead of posting again"
    (posted,) = box.emu.messages(CASE_CHANNEL)
    assert posted["metadata"]["event_payload"]["outbox_id"] == card.id
    assert card.result["ts"] == posted["ts"]
    with box.deps.sessions() as session:
        assert session.scalar(select(SlackPost.ts).where(SlackPost.purpose == "card")) == posted["ts"]
    # The agreement followed into the recovered card's thread.
    assert len(box.emu.thread(CASE_CHANNEL, posted["ts"])) == 2


def test_retry_that_cannot_check_the_channel_waits_instead_of_risking_a_duplicate(http_sandbox, clock):
    box = http_sandbox
    box.emu.inject_timeout(
        "chat.postMessage", seconds=box.settings.slack_timeout_seconds + 1, channel=CASE_CHANNEL
    )
    submit_case(box)
    wait_for_slow_slack(lambda: len(card_posts(box)) == 1)
    box.emu.inject_error("conversations.history", "ratelimited", retry_after=10, channel=CASE_CHANNEL)

    clock.advance(seconds=(card_row(box).next_attempt_at - clock()).total_seconds())
    deliver_due(box.deps)
    assert len(card_posts(box)) == 1, "unsure whether Slack has the post, so it must not post again"
    assert card_row(box).status == OutboxStatus.UNCERTAIN

    clock.advance(minutes=5)
    deliver_due(box.deps)
    assert card_row(box).status == OutboxStatus.SENT
    assert len(card_posts(box)) == 1
    assert len(box.emu.messages(CASE_CHANNEL)) == 1


def test_timeout_while_checking_the_channel_is_retried_not_raised(http_sandbox, clock):
    box = http_sandbox
    box.emu.inject_error("chat.postMessage", status=500, channel=CASE_CHANNEL)
    submit_case(box)
    box.emu.inject_timeout(
        "conversations.history", seconds=box.settings.slack_timeout_seconds + 1, channel=CASE_CHANNEL
    )

    clock.advance(seconds=(card_row(box).next_attempt_at - clock()).total_seconds())
    deliver_due(box.deps)
    assert card_row(box).status == OutboxStatus.UNCERTAIN, "no answer is not 'not posted'"
    assert card_posts(box) == []

    clock.advance(minutes=5)
    deliver_due(box.deps)
    assert card_row(box).status == OutboxStatus.SENT
    assert len(card_posts(box)) == 1


# ---------------------------------------------------------- permanent errors
@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived", "account_inactive"])
def test_permanent_error_dead_letters_the_row_and_tells_the_manager(http_sandbox, clock, error):
    box = http_sandbox
    box.emu.inject_error("chat.postMessage", error, channel=CASE_CHANNEL)
    submit_case(box)

    card = card_row(box)
    assert (card.status, card.last_error) == (OutboxStatus.DEAD, error)
    (dead,) = audits(box, "outbox.dead")
    assert dead.object_id == str(card.id) and dead.outcome == "failed"
    assert dead.detail == {"error": error}

    deliver_due(box.deps)  # the notice was queued in the same transaction; this pass sends it
    (notice,) = box.emu.dms(MANAGER)
    assert REFERENCE in notice["text"]
    assert error in notice["text"]
    assert "nothing has been lost" in notice["text"]

    clock.advance(hours=1)
    deliver_due(box.deps)
    assert len(box.emu.dms(MANAGER)) == 1, "one notice per dead row"
    assert card_row(box).status == OutboxStatus.DEAD
    assert card_posts(box) == []
    with box.deps.sessions() as session:
        waiting = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "post_agreement")).all()
    assert [(r.status, r.last_error) for r in waiting] == [(OutboxStatus.DEAD, "case_card_not_posted")], (
        "the agreement cannot go into a thread that was never posted; it must not be deferred forever"
    )


def test_a_dead_notice_does_not_send_a_notice_about_itself(http_sandbox, clock):
    box = http_sandbox
    box.emu.inject_error("chat.postMessage", "is_archived", channel=CASE_CHANNEL)
    box.emu.inject_error("chat.postMessage", "account_inactive", channel=MANAGER)
    submit_case(box)

    deliver_due(box.deps)
    (notice,) = outbox(box, "dm")
    assert (notice.status, notice.last_error) == (OutboxStatus.DEAD, "account_inactive")
    assert len(audits(box, "outbox.dead")) == 2

    clock.advance(hours=1)
    deliver_due(box.deps)
    assert [row.kind for row in outbox(box)] == ["post_card", "post_agreement", "dm"]
    assert box.emu.dms(MANAGER) == []


# ------------------------------------------------------------------- races
def test_two_concurrent_senders_send_each_row_exactly_once(http_sandbox, clock):
    box = http_sandbox
    people = [MANAGER, LEAD, DEVELOPING]
    texts = [f"notice {n}" for n in range(24)]
    with box.deps.sessions.begin() as session:
        for n, text in enumerate(texts):
            repo.enqueue(
                session,
                team_id=TEAM_ID,
                kind="dm",
                payload={"user_id": people[n % len(people)], "text": text},
                now=clock(),
            )
    # Each post takes a little while, so the two senders overlap (well under the client's timeout).
    box.emu.inject_timeout("chat.postMessage", seconds=0.02, times=None)
    start = threading.Barrier(2)

    def sender():
        start.wait()
        return deliver_due(box.deps)

    reports = []
    for _ in range(len(texts)):  # passes a turn apart: each DM channel is paced (about one a second)
        with ThreadPoolExecutor(max_workers=2) as pool:
            reports += [f.result() for f in [pool.submit(sender), pool.submit(sender)]]
        if all(r.status == OutboxStatus.SENT for r in outbox(box)):
            break
        clock.advance(seconds=2)

    assert sum(r.sent for r in reports) == len(texts)
    sent = Counter(m["text"] for user in people for m in box.emu.dms(user))
    assert sent == Counter(texts), "every row sent, none twice"
    assert len(box.emu.calls_to("chat.postMessage")) == len(texts)
    assert {(r.status, r.attempts) for r in outbox(box)} == {(OutboxStatus.SENT, 1)}


# ------------------------------------------------------------------- crashes
def test_sender_crash_after_slack_accepted_the_post_is_recovered_without_reposting(
    http_sandbox, clock, monkeypatch
):
    box = http_sandbox
    # Hold the card back at submission so this test can run the pass that crashes.
    box.emu.inject_error("chat.postMessage", "ratelimited", retry_after=1, channel=CASE_CHANNEL)
    submit_case(box)
    clock.advance(seconds=1)

    def process_dies(*args, **kwargs):
        raise SystemExit("killed between Slack's answer and the commit")

    with monkeypatch.context() as patch:
        patch.setattr(delivery, "_remember", process_dies)
        with pytest.raises(SystemExit):
            deliver_due(box.deps)
    assert len(card_posts(box)) == 1  # Slack has the card...
    card = card_row(box)
    assert card.status == OutboxStatus.SENDING  # ...but the row still holds the dead sender's lease
    with box.deps.sessions() as session:
        assert session.scalar(select(SlackPost)) is None

    clock.advance(seconds=(delivery.LEASE / 2).total_seconds())
    deliver_due(box.deps)
    assert card_row(box).status == OutboxStatus.SENDING, "a live lease is left alone"

    clock.advance(seconds=delivery.LEASE.total_seconds())
    deliver_due(box.deps)
    card = card_row(box)
    assert card.status == OutboxStatus.SENT
    assert len(card_posts(box)) == 1, "recovered from the channel by metadata, not posted again"
    (posted,) = box.emu.messages(CASE_CHANNEL)
    assert card.result["ts"] == posted["ts"]
    assert len(box.emu.thread(CASE_CHANNEL, posted["ts"])) == 2  # the agreement went into its thread


def test_the_cards_link_is_asked_for_outside_the_write_transaction(sandbox, monkeypatch):
    """chat.getPermalink is a Slack call: asked while the transaction that records the post held
    SQLite's one write lock, it kept every ack that stores something waiting on Slack."""
    from tests.write_lock import calls_holding_the_write_lock

    asked = calls_holding_the_write_lock(monkeypatch, sandbox, delivery, "_permalink")
    submit_case(sandbox)
    sandbox.deps.executor.wait_idle()
    assert asked == [False]
    with sandbox.deps.sessions() as session:
        card = session.scalars(select(SlackPost).where(SlackPost.purpose == "card")).one()
        assert card.permalink and card.permalink.startswith("https://")


def test_a_row_is_rendered_outside_the_write_transaction(sandbox, monkeypatch):
    """Rendering a card reads the whole case (8 ms at the median with 8 people sending forms): done in
    the lease's write transaction, it held SQLite's one write lock, and every ack that stores something
    (a kept form, a thread reply) waited for it (issue 17). Only the lease and the outcome are writes."""
    from bot.cases import outbox as card_rendering
    from tests.write_lock import calls_holding_the_write_lock

    rendered = calls_holding_the_write_lock(monkeypatch, sandbox, card_rendering, "card_notes")
    submit_case(sandbox)
    sandbox.deps.executor.wait_idle()
    assert rendered and not any(rendered)
    with sandbox.deps.sessions() as session:
        assert {p.purpose for p in session.scalars(select(SlackPost))} >= {"card"}
