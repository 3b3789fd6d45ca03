"""casebot under Slack's per-channel posting rate (the emulator's 429s on, as in a real workspace).

Until the outbox paces posts per channel (issue 17) a burst is sent, answered 429 with Retry-After,
and retried: these tests hold the part that matters for the people on the case already: every post
arrives exactly once, in the order it was queued, and nothing is dead-lettered for being paced.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.kernel import thread
from bot.outbox.delivery import deliver_due
from bot.sandbox.harness import CASE_CHANNEL
from storage.models import Case, OutboxMessage, OutboxStatus
from tests.journey import open_case

pytestmark = pytest.mark.slack_rate_limits


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


def test_a_burst_in_one_thread_is_paced_by_slack_and_arrives_once_in_order(http_sandbox, clock):
    box = http_sandbox
    card = open_case(box)
    texts = queue_notes(box, 12)
    first = deliver_due(box.deps)
    assert first.retried > 0  # Slack said 429 to part of the burst
    for _ in range(30):  # the scheduler's passes, a second apart on the shared clock
        if all(s == OutboxStatus.SENT for s in statuses(box)):
            break
        clock.advance(seconds=1)
        deliver_due(box.deps)
    assert set(statuses(box)) == {OutboxStatus.SENT}
    thread_texts = [m["text"] for m in box.emu.thread(CASE_CHANNEL, card["ts"])]
    posted = [t for t in thread_texts if t.startswith("Thread note")]
    assert posted == texts  # each once, in order
    refused = [c for c in box.emu.calls_to("chat.postMessage") if c.status == 429]
    assert refused and all(c.response["error"] == "ratelimited" for c in refused)


def test_a_paced_post_is_not_counted_as_a_failed_attempt(http_sandbox, clock):
    box = http_sandbox
    open_case(box)
    queue_notes(box, 20)
    for _ in range(60):
        deliver_due(box.deps)
        clock.advance(seconds=1)
    assert OutboxStatus.DEAD not in statuses(box)
    assert set(statuses(box)) == {OutboxStatus.SENT}
