"""casebot under Slack's per-channel posting rate (the emulator's 429s on, as in a real workspace).

The outbox paces posts per channel (bot/outbox/rules_pacing.py): a burst goes out at Slack's pace
instead of being refused and retried, a 429's Retry-After holds the whole channel, and a busy channel
never delays another. Every post arrives exactly once, in the order it was queued, and nothing is
dead-lettered for being paced.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.kernel import thread
from bot.outbox.delivery import deliver_due
from bot.outbox.rules_pacing import PER_CHANNEL
from bot.sandbox.harness import CASE_CHANNEL, LEAD, TEAM_ID
from storage import repository as repo
from storage.models import Case, OutboxKind, OutboxMessage, OutboxStatus
from tests.journey import open_case

pytestmark = pytest.mark.slack_rate_limits
GAP = 1 / PER_CHANNEL.per_second  # seconds between two posts' turns in one channel


def queue_notes(box, count: int) -> list[str]:
    texts = [f"Thread note {i:02d}" for i in range(count)]
    with box.deps.sessions.begin() as session:
        case = session.scalars(select(Case)).one()
        for text in texts:
            thread.note(session, case, text, box.deps.clock())
    return texts


def statuses(box) -> list[OutboxStatus]:
    with box.deps.sessions() as session:
        return list(session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def refusals(box) -> list:
    return [c for c in box.emu.calls_to("chat.postMessage") if c.status == 429]


def posted_notes(box, card) -> list[str]:
    return [
        m["text"] for m in box.emu.thread(CASE_CHANNEL, card["ts"]) if m["text"].startswith("Thread note")
    ]


def test_a_burst_in_one_thread_goes_at_slacks_pace_once_and_in_order(http_sandbox, clock):
    box = http_sandbox
    card = open_case(box)
    clock.advance(seconds=10)  # the case's own posts are long gone: the channel's bucket is full
    texts = queue_notes(box, 12)
    first = deliver_due(box.deps)
    burst = PER_CHANNEL.burst
    assert first.sent == burst and first.paced == 12 - burst
    for turn in range(1, 12 - burst + 1):  # then one per turn (about a second), never early
        clock.advance(seconds=GAP - 0.01)
        assert deliver_due(box.deps).sent == 0, f"turn {turn} came early"
        clock.advance(seconds=0.011)
        assert deliver_due(box.deps).sent == 1, f"turn {turn}"
    assert set(statuses(box)) == {OutboxStatus.SENT}
    assert posted_notes(box, card) == texts  # each once, in order
    assert refusals(box) == []  # paced, not refused


def test_a_busy_channel_never_delays_a_dm(http_sandbox, clock):
    box = http_sandbox
    open_case(box)
    clock.advance(seconds=10)
    queue_notes(box, 20)
    with box.deps.sessions.begin() as session:
        dm = repo.enqueue(
            session,
            team_id=TEAM_ID,
            kind=OutboxKind.DM,
            payload={"user_id": LEAD, "text": "hi"},
            now=clock(),
        )
        dm_id = dm.id
    report = deliver_due(box.deps)
    assert report.paced == 20 - PER_CHANNEL.burst
    with box.deps.sessions() as session:
        assert session.get(OutboxMessage, dm_id).status == OutboxStatus.SENT


def test_retry_after_holds_the_whole_channel_not_just_the_row(http_sandbox, clock):
    box = http_sandbox
    card = open_case(box)
    clock.advance(seconds=10)
    texts = queue_notes(box, 6)
    box.emu.inject_error("chat.postMessage", "ratelimited", retry_after=30, times=1, channel=CASE_CHANNEL)
    first = deliver_due(box.deps)  # the first note is refused: the rest of the channel waits 30 s
    assert (first.sent, first.retried) == (0, 1)
    for _ in range(29):
        clock.advance(seconds=1)
        assert deliver_due(box.deps).sent == 0
    for _ in range(40):
        clock.advance(seconds=1)
        deliver_due(box.deps)
    assert posted_notes(box, card) == texts
    assert len(refusals(box)) == 1  # only the injected one: no storm after the hold


def test_a_paced_post_is_not_counted_as_a_failed_attempt(http_sandbox, clock):
    box = http_sandbox
    open_case(box)
    queue_notes(box, 20)
    for _ in range(60):
        deliver_due(box.deps)
        clock.advance(seconds=1)
    assert OutboxStatus.DEAD not in statuses(box)
    assert set(statuses(box)) == {OutboxStatus.SENT}
