"""The delivery loop on the real clock: a paced burst leaves at Slack's pace without any 429, because the
loop wakes for each post's turn instead of waiting for the next 15-second pass."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from bot.kernel import thread
from bot.outbox.loop import DeliveryLoop
from bot.sandbox.harness import CASE_CHANNEL, Sandbox
from storage.models import Case, OutboxMessage, OutboxStatus
from tests.journey import open_case


@pytest.fixture
def real_time_sandbox(database_url):
    with Sandbox(database_url=database_url, mode="http", rate_limits=True) as box:
        yield box


def test_the_loop_delivers_a_paced_burst_turn_by_turn_with_no_refusal(real_time_sandbox):
    box = real_time_sandbox
    card = open_case(box)
    texts = [f"Thread note {i:02d}" for i in range(8)]
    with box.deps.sessions.begin() as session:
        case = session.scalars(select(Case)).one()
        for text in texts:
            thread.note(session, case, text, box.deps.clock())
    loop = DeliveryLoop(box.deps, idle_seconds=60).start()  # idle far longer than the burst takes
    try:
        for _ in range(300):
            with box.deps.sessions() as session:
                waiting = session.scalar(
                    select(OutboxMessage.id).where(OutboxMessage.status != OutboxStatus.SENT).limit(1)
                )
            if waiting is None:
                break
            time.sleep(0.1)
    finally:
        loop.stop()
    posted = [
        m["text"] for m in box.emu.thread(CASE_CHANNEL, card["ts"]) if m["text"].startswith("Thread note")
    ]
    assert posted == texts
    assert [c for c in box.emu.calls_to("chat.postMessage") if c.status == 429] == []
