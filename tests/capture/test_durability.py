"""An acknowledged event is never lost: a thread reply (and a reaction) is stored and committed before
casebot acknowledges it, because Slack never sends an acknowledged event again (issue 17). Checked by
order, not by a stopwatch: the sandbox records each request's ack and every write and commit."""

from __future__ import annotations

from bot.sandbox.harness import DEVELOPING, LEAD
from tests.discussion_steps import say, start, stored
from tests.journey import open_case


def event_requests(box, kind: str) -> list:
    return [r for r in box.ack_order.requests if r.kind == kind]


def test_a_thread_reply_is_committed_before_its_ack(sandbox):
    box = sandbox
    card = open_case(box)
    start(box, card)
    before = len(event_requests(box, "event message"))
    say(box, card, DEVELOPING, "I saw them at home on Monday.")
    say(box, card, LEAD, "Decision: we visit together next week.")
    replies = event_requests(box, "event message")[before:]
    assert len(replies) >= 2
    assert all(r.acked is not None for r in replies)
    assert all(box.ack_order.durable_before_ack(r) for r in replies), [
        (r.kind, r.arrived, r.acked) for r in replies if not box.ack_order.durable_before_ack(r)
    ]
    assert {m.text for m in stored(box)} >= {
        "I saw them at home on Monday.",
        "Decision: we visit together next week.",
    }
