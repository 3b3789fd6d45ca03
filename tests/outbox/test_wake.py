"""Listeners do not send: after their ack they wake the process's delivery loop, which sends what they
queued (bot/outbox/loop.py). With the loop stopped, a step's messages stay queued; woken, they go out."""

from __future__ import annotations

import threading

from sqlalchemy import select

from bot.outbox import delivery
from bot.outbox.loop import DeliveryLoop
from bot.sandbox.harness import CASE_CHANNEL, LEAD
from storage import repository as repo
from storage.models import Case, OutboxMessage, OutboxStatus
from tests.discussion_steps import say, start, stored
from tests.journey import make_manager, open_case, open_modal, submit


def _statuses(box) -> list[str]:
    with box.deps.sessions() as session:
        return list(session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def test_a_listener_leaves_sending_to_the_delivery_loop(http_sandbox, monkeypatch):
    box = http_sandbox
    box.delivery.stop()  # no loop in this process: nothing may be sent by the listener itself
    box.deps.executor.delivery = None
    make_manager(box)
    reply = submit(box, open_modal(box))
    assert reply.status == 200
    assert box.emu.messages(CASE_CHANNEL) == []  # the card is queued, not posted
    assert OutboxStatus.PENDING in _statuses(box)

    senders: list[str] = []
    loop = DeliveryLoop(box.deps, idle_seconds=None)
    original = delivery.deliver_due

    def recording(deps, *args, **kwargs):
        senders.append(threading.current_thread().name)
        return original(deps, *args, **kwargs)

    monkeypatch.setattr(delivery, "deliver_due", recording)
    loop.start()
    try:
        loop.wait_idle()
        delivery.wake(box.deps)  # as a listener does after its ack
        loop.wait_idle()
    finally:
        loop.stop()
    assert set(senders) == {"casebot-delivery"}
    assert [m for m in box.emu.messages(CASE_CHANNEL) if m.get("blocks")]  # the card went out
    assert OutboxStatus.PENDING not in _statuses(box)


def test_the_sandbox_driver_returns_after_the_delivery_it_woke(http_sandbox):
    box = http_sandbox
    make_manager(box)
    submit(box, open_modal(box))
    assert box.emu.messages(CASE_CHANNEL)  # already delivered when the driver returned
    assert set(_statuses(box)) == {OutboxStatus.SENT}


def test_no_listener_sends_the_outbox_itself():
    """Sending happens in the delivery loop only: a listener wakes it (delivery.wake) after its ack."""
    from pathlib import Path

    bot = Path(__file__).resolve().parents[2] / "bot"
    sending = [
        f"{path.relative_to(bot.parent)}:{number}"
        for path in sorted(bot.glob("*/listeners*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "deliver_due(" in line
    ]
    assert sending == [], f"call delivery.wake(deps) instead of deliver_due in: {sending}"


def _counting_passes(monkeypatch) -> list[int]:
    passes: list[int] = []
    original = delivery.deliver_due

    def counting(deps, *args, **kwargs):
        passes.append(1)
        return original(deps, *args, **kwargs)

    monkeypatch.setattr(delivery, "deliver_due", counting)
    return passes


def _queue_a_card_update(box) -> None:
    with box.deps.sessions.begin() as session:
        case = session.scalars(select(Case)).one()
        repo.enqueue_card_update(session, case=case, now=box.deps.clock())


def test_only_a_commit_that_queued_rows_wakes_the_loop(http_sandbox, monkeypatch):
    """A plain reply during a discussion queues nothing, so it wakes no pass; a commit that queued a row
    does, once."""
    box = http_sandbox
    card = open_case(box)
    start(box, card)
    passes = _counting_passes(monkeypatch)
    for n in range(5):
        say(box, card, LEAD, f"plain reply {n}")
    assert len(stored(box)) == 5
    assert passes == []

    _queue_a_card_update(box)
    delivery.wake(box.deps)
    box.delivery.wait_idle()
    assert passes == [1]
    assert set(_statuses(box)) == {OutboxStatus.SENT}
    delivery.wake(box.deps)  # nothing committed since: no second pass
    box.delivery.wait_idle()
    assert passes == [1]


def test_a_rolled_back_row_is_no_news(sandbox):
    box = sandbox
    open_case(box)
    box.deps.take_outbox_news()
    with box.deps.sessions() as session:
        session.begin()
        repo.enqueue_card_update(session, case=session.scalars(select(Case)).one(), now=box.deps.clock())
        session.rollback()
    assert not box.deps.take_outbox_news()
    _queue_a_card_update(box)
    assert box.deps.take_outbox_news()


def test_a_pass_that_took_its_fill_looks_again_at_once(http_sandbox):
    """A pass takes at most PASS_LIMIT rows; a loop woken only by new rows (the sandbox's) must not leave
    the rest until some later commit."""
    box = http_sandbox
    open_case(box)
    with box.deps.sessions.begin() as session:
        case = session.scalars(select(Case)).one()
        for _ in range(delivery.PASS_LIMIT + 50):
            repo.enqueue_card_update(session, case=case, now=box.deps.clock())
    delivery.wake(box.deps)
    box.delivery.wait_idle()
    assert OutboxStatus.PENDING not in _statuses(box)
