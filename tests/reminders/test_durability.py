"""Reminders survive restarts, downtime, two sweepers at once and Slack faults: each rung reaches Slack once.

The demo agreement (weekly while a worker is developing) with the `clock` fixture: the first discussion
is due Wed 2 Dec 10:00 NZDT; the co-workers' DMs (L1) are due two working days later, the manager's
(L2) five working days later, which is also when the next weekly occurrence takes over.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import jobs
from bot.app import create_app
from bot.content import Content
from bot.deps import Deps
from bot.executor import TrackedExecutor
from bot.outbox import delivery
from bot.reminders import flows_sweep as reminders
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD, MANAGER
from storage.db import make_engine, make_sessions
from storage.models import (
    AuditEntry,
    ItemKind,
    ItemStatus,
    OutboxMessage,
    OutboxStatus,
    ReminderClaim,
    ScheduleItem,
)
from tests.journey import make_manager, open_case, open_modal, submit

L0_AT = datetime(2026, 12, 1, 21, 0, tzinfo=UTC)  # Wed 2 Dec 10:00 NZDT: the thread post
L1_AT = datetime(2026, 12, 3, 21, 0, tzinfo=UTC)  # Fri 4 Dec: a DM to each co-worker
L2_AT = datetime(2026, 12, 8, 21, 0, tzinfo=UTC)  # Wed 9 Dec: the manager; the next occurrence is due
REFERENCE = "CASE-2026-014"


# ------------------------------------------------------------------ helpers
def rows(box, model, *where):
    with box.deps.sessions() as session:
        return list(session.scalars(select(model).where(*where).order_by(model.id)))


def reminder_rows(box) -> list[OutboxMessage]:
    return rows(box, OutboxMessage, OutboxMessage.kind == "reminder")


def claims(box) -> list[tuple[int, int, int]]:
    return sorted((c.item_id, c.level, c.round) for c in rows(box, ReminderClaim))


def item(box, kind: str, case_id: int | None = None, status: ItemStatus | None = None) -> ScheduleItem:
    found = rows(box, ScheduleItem, ScheduleItem.kind == ItemKind(kind))
    (one, *_) = [i for i in found if case_id in (None, i.case_id) and status in (None, i.status)]
    return one


def delivered(box) -> Counter:
    """(item, level, round, recipient) of every reminder post Slack accepted, found by its outbox metadata."""
    payloads = {row.id: row.payload for row in reminder_rows(box)}
    seen: Counter = Counter()
    for call in box.emu.calls_to("chat.postMessage"):
        outbox_id = ((call.params.get("metadata") or {}).get("event_payload") or {}).get("outbox_id")
        if call.response.get("ok") and outbox_id in payloads:
            p = payloads[outbox_id]
            seen[(p["item_id"], p["level"], p["round"], p["user_id"])] += 1
    return seen


def thread_reminders(box, card: dict) -> list[dict]:
    return [m for m in box.emu.thread(CASE_CHANNEL, card["ts"]) if m["text"].startswith("Reflective")]


def dm_reminders(box, user: str) -> list[dict]:
    return [m for m in box.emu.dms(user) if m["text"].startswith("Reflective discussion")]


def new_deps(box) -> Deps:
    """Another process's Deps: its own engine and pool on the same database, same settings and clock."""
    engine = make_engine(box.settings.database_url)
    deps = Deps(
        settings=box.settings,
        engine=engine,
        sessions=make_sessions(engine),
        content=Content(),
        clock=box.deps.clock,
        executor=TrackedExecutor(),
    )
    delivery.pace_calls(deps, on=box.emu.rate_limits)  # as the sandbox's own process does
    return deps


def restart(box) -> None:
    """The process dies: its pool and workers go; a new Deps and App start on the same database."""
    box.deps.executor.shutdown(wait=True)
    box.deps.engine.dispose()
    box.deps = new_deps(box)
    box.app = create_app(box.deps)


def open_cases(box, count: int, **changes) -> list[dict]:
    """Open `count` cases (CASE-2026-101...) by submitting the agreement modal; returns their cards."""
    make_manager(box)
    for n in range(count):
        reply = submit(box, open_modal(box), reference=f"CASE-2026-{101 + n}", **changes)
        assert reply.status == 200 and not (reply.json or {}).get("errors"), reply.body
    cards = box.emu.messages(CASE_CHANNEL)
    assert len(cards) == count
    return cards


def dead_letter_audits(box) -> list[AuditEntry]:
    return rows(box, AuditEntry, AuditEntry.action == "outbox.dead")


def die(*args, **kwargs):
    raise SystemExit("the process is killed here")


def wait_for_slow_slack(condition) -> None:
    """Wait (in real time) for the emulator to carry out a call it answers late."""
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "the emulator never completed the delayed call"
        time.sleep(0.02)


# ----------------------------------------------------------------- restarts
def test_reminder_not_resent_after_restart(http_sandbox, clock):
    box = http_sandbox
    card = open_case(box)
    talk = item(box, "discussion").id
    clock.now = L0_AT
    jobs.run_pass(box.deps)
    assert delivered(box) == {(talk, 0, 0, "thread"): 1}

    clock.now = L1_AT
    assert reminders.sweep(box.deps).reminders == 1  # L1 claimed and queued; the process dies before sending
    queued = {(r.payload["user_id"], r.status) for r in reminder_rows(box) if r.payload["level"] == 1}
    assert queued == {(LEAD, OutboxStatus.PENDING), (DEVELOPING, OutboxStatus.PENDING)}
    restart(box)
    jobs.run_pass(box.deps)
    jobs.run_pass(box.deps)
    clock.advance(minutes=30)
    jobs.run_pass(box.deps)
    after_l1 = {(talk, 0, 0, "thread"): 1, (talk, 1, 0, LEAD): 1, (talk, 1, 0, DEVELOPING): 1}
    assert delivered(box) == after_l1, "the queued L1 went out once after the restart; L0 was not repeated"

    restart(box)  # again, after L1 was delivered
    jobs.run_pass(box.deps)
    assert delivered(box) == after_l1

    clock.now = L2_AT
    jobs.run_pass(box.deps)
    restart(box)
    jobs.run_pass(box.deps)
    jobs.run_pass(box.deps)
    following = item(box, "discussion", status=ItemStatus.SCHEDULED).id  # planned when this one expired
    assert delivered(box) == after_l1 | {(talk, 2, 0, MANAGER): 1, (following, 0, 0, "thread"): 1}
    assert claims(box) == [(talk, 0, 0), (talk, 1, 0), (talk, 2, 0), (talk, 99, 0), (following, 0, 0)]
    assert len(thread_reminders(box, card)) == 2, "this occurrence's and the next one's"
    assert [len(dm_reminders(box, u)) for u in (LEAD, DEVELOPING, MANAGER)] == [1, 1, 1]
    assert {(r.status, r.attempts) for r in reminder_rows(box)} == {(OutboxStatus.SENT, 1)}


def test_crash_between_claim_commit_and_delivery_keeps_the_row_and_delivers_it_once(
    http_sandbox, clock, monkeypatch
):
    box = http_sandbox
    card = open_case(box)
    talk = item(box, "discussion").id
    clock.now = L0_AT
    with monkeypatch.context() as patch:
        patch.setattr(delivery, "deliver_due", die)  # killed after the sweep committed
        with pytest.raises(SystemExit):
            jobs.run_pass(box.deps)
    (row,) = reminder_rows(box)
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 0)
    assert claims(box) == [(talk, 0, 0)]
    assert thread_reminders(box, card) == []

    restart(box)
    clock.advance(minutes=1)
    assert jobs.run_pass(box.deps).sweep.reminders == 0, "the claim stands: nothing is queued twice"
    jobs.run_pass(box.deps)
    assert delivered(box) == {(talk, 0, 0, "thread"): 1}
    assert len(thread_reminders(box, card)) == 1
    assert [(r.id, r.status) for r in reminder_rows(box)] == [(row.id, OutboxStatus.SENT)]


def test_sender_killed_after_slack_took_the_thread_reminder_is_recovered_not_reposted(
    http_sandbox, clock, monkeypatch
):
    box = http_sandbox
    card = open_case(box)
    clock.now = L0_AT
    with monkeypatch.context() as patch:
        patch.setattr(delivery, "_remember", die)  # Slack answered; the commit never happens
        with pytest.raises(SystemExit):
            jobs.run_pass(box.deps)
    assert len(thread_reminders(box, card)) == 1  # Slack has it; the row still holds the dead lease
    restart(box)
    clock.advance(seconds=delivery.LEASE.total_seconds())
    jobs.run_pass(box.deps)
    (row,) = reminder_rows(box)
    (posted,) = thread_reminders(box, card)
    assert (row.status, row.result["ts"]) == (OutboxStatus.SENT, posted["ts"])
    assert len(box.emu.calls_to("conversations.replies")) == 1, "found by metadata in the thread"


# ----------------------------------------------------------------- downtime
JAN_13 = datetime(2027, 1, 12, 22, 0, tzinfo=UTC)  # Wed 13 Jan 11:00 NZDT: six weeks without a sweep


def run_until_quiet(box, passes: int = 4) -> None:
    for _ in range(passes):
        report = jobs.run_pass(box.deps)
        if not (report.sweep.looked_at or report.delivery.sent):
            return
    raise AssertionError(f"still busy after {passes} passes at one instant")


def test_after_downtime_only_the_latest_reminder_per_item_is_sent(http_sandbox, clock):
    box = http_sandbox
    card = open_case(box)
    first = item(box, "discussion")
    clock.now = JAN_13
    run_until_quiet(box)

    sent = delivered(box)
    levels = {i: {lvl for j, lvl, _, _ in sent if j == i} for i, _, _, _ in sent}
    assert all(len(lv) == 1 for lv in levels.values()), f"one rung per item, not a backlog: {levels}"
    assert all(n == 1 for n in sent.values()), "and each of those reached Slack once"
    assert Counter(i for i, lvl, _ in claims(box) if lvl != 99) == Counter(levels.keys())

    missed, current = rows(box, ScheduleItem, ScheduleItem.kind == ItemKind.DISCUSSION)  # none in between
    assert (missed.id, missed.status, (first.id, 99, 0) in claims(box)) == (first.id, ItemStatus.MISSED, True)
    assert current.due_at == datetime(2027, 1, 5, 21, 0, tzinfo=UTC), "the latest occurrence already due"
    assert levels[current.id] == {2}, "its highest due rung only: no thread post, no co-worker DMs"
    assert thread_reminders(box, card) == []
    assert dm_reminders(box, LEAD) == dm_reminders(box, DEVELOPING) == []
    open_now = rows(box, ScheduleItem, ScheduleItem.status.in_([ItemStatus.SCHEDULED, ItemStatus.STARTED]))
    assert sorted(i.kind.value for i in open_now) == ["discussion", "review", "supervision"]


def test_after_downtime_an_occurrence_that_expired_long_ago_is_marked_missed_without_escalating(
    http_sandbox, clock
):
    box = http_sandbox
    open_case(box)
    first = item(box, "discussion")
    clock.now = JAN_13
    run_until_quiet(box)
    assert [c for c in claims(box) if c[0] == first.id] == [(first.id, 99, 0)]
    assert len(dm_reminders(box, MANAGER)) == 1, "one escalation: about the current discussion"


# ------------------------------------------------------------ two sweepers
def run_together(box, *sweepers: Deps, step=jobs.run_pass) -> list:
    start = threading.Barrier(len(sweepers))

    def one(deps: Deps):
        start.wait(timeout=10)
        return step(deps)

    with ThreadPoolExecutor(max_workers=len(sweepers)) as pool:
        return [f.result() for f in [pool.submit(one, deps) for deps in sweepers]]


def test_two_sweepers_deliver_each_reminder_exactly_once(http_sandbox, clock):
    box = http_sandbox
    count = 8
    cards = open_cases(box, count, developing=[])  # fortnightly: L2 falls a week before expiry
    planned = rows(box, ScheduleItem, ScheduleItem.kind == ItemKind.DISCUSSION)
    talks, case_ids = [i.id for i in planned], sorted(i.case_id for i in planned)
    assert len(set(case_ids)) == count
    box.emu.inject_timeout("chat.postMessage", seconds=0.01, times=None)  # posts overlap between sweepers
    one, two = new_deps(box), new_deps(box)
    try:
        for day, level in ((8, 0), (10, 1), (15, 2)):  # Wed 9 Dec 10:00 NZDT, Fri 11 Dec, Wed 16 Dec
            clock.now = datetime(2026, 12, day, 21, 0, tzinfo=UTC)
            reports = run_together(box, one, two)
            assert sum(r.sweep.reminders for r in reports) == count, f"L{level}: each item claimed by one"
        clock.now = datetime(2026, 12, 22, 21, 0, tzinfo=UTC)  # Wed 23 Dec: the next occurrence takes over
        reports = run_together(box, one, two)
        clock.advance(minutes=1)
        reports += run_together(box, one, two)
        assert sum(r.sweep.expired for r in reports) == count, "each item marked missed once"
        assert sum(r.sweep.reminders for r in reports) == count, "each next occurrence's L0 queued once"
    finally:
        for deps in (one, two):
            deps.engine.dispose()

    per_item = Counter(claims(box))
    assert set(per_item.values()) == {1}, "each (item, level, round) claimed once"
    ladder = {(t, lvl) for t in talks for lvl in (0, 1, 2, 99)}
    assert {(i, lvl) for i, lvl, _ in per_item if i in talks} == ladder
    nexts = rows(box, ScheduleItem, ScheduleItem.kind == ItemKind.DISCUSSION, ScheduleItem.id.not_in(talks))
    assert sorted(n.case_id for n in nexts) == case_ids, "one next occurrence per case"
    assert {(i, lvl) for i, lvl, _ in per_item if i not in talks} == {(n.id, 0) for n in nexts}
    sent = delivered(box)
    assert set(sent.values()) == {1}, "every reminder post reached Slack exactly once"
    rungs = {(0, "thread"), (1, LEAD), (1, DEVELOPING), (2, MANAGER)}
    assert all({(lvl, who) for i, lvl, _, who in sent if i == t} == rungs for t in talks)
    for card in cards:
        assert len(thread_reminders(box, card)) == 2, "this occurrence's post and the next one's"
    assert [len(dm_reminders(box, u)) for u in (LEAD, DEVELOPING, MANAGER)] == [count, count, count]
    assert {(r.status, r.attempts) for r in reminder_rows(box)} == {(OutboxStatus.SENT, 1)}


def test_two_sweepers_racing_for_one_due_item_claim_it_once(http_sandbox, clock, monkeypatch):
    box = http_sandbox
    card = open_case(box)
    talk, decide = item(box, "discussion").id, reminders.ladder.decide
    clock.now = L0_AT
    both_read_it_due, first, raced = threading.Barrier(2), threading.local(), []
    # SQLite queues writers (BEGIN IMMEDIATE, storage/db.py): the other sweeper cannot read until this
    # one commits, so waiting for it could only end in the barrier's timeout (2 s of every run).
    queued = box.deps.engine.dialect.name == "sqlite"

    def decide_together(*args, **kwargs):
        step = decide(*args, **kwargs)
        if not queued and not getattr(first, "done", False):  # each first look waits for the other's...
            first.done = True
            with contextlib.suppress(threading.BrokenBarrierError):  # ...unless the database queues them
                both_read_it_due.wait(timeout=2)
                raced.append(True)
        return step

    monkeypatch.setattr(reminders.ladder, "decide", decide_together)
    one, two = new_deps(box), new_deps(box)
    try:
        reports = run_together(box, one, two, step=reminders.sweep)
    finally:
        for deps in (one, two):
            deps.engine.dispose()
    winner, loser = sorted(reports, key=lambda r: -r.reminders)
    assert (winner.reminders, winner.lost_races, loser.reminders) == (1, 0, 0)
    assert loser.lost_races >= 1 or not raced, "both read it as due, so the loser's claim failed"
    assert claims(box) == [(talk, 0, 0)]
    assert len(reminder_rows(box)) == 1
    monkeypatch.undo()
    delivery.deliver_due(box.deps)
    assert delivered(box) == {(talk, 0, 0, "thread"): 1}
    assert len(thread_reminders(box, card)) == 1


def test_a_crash_between_claim_and_outbox_rows_rolls_back_both(http_sandbox, clock, monkeypatch):
    box = http_sandbox
    card = open_case(box)
    clock.now = L0_AT
    with monkeypatch.context() as patch:
        patch.setattr(reminders, "timing", die)  # after the claim, before the reminder's outbox rows
        with pytest.raises(SystemExit):
            reminders.sweep(box.deps)
    assert (claims(box), reminder_rows(box)) == ([], []), "one transaction: all or nothing"
    restart(box)
    jobs.run_pass(box.deps)
    assert len(thread_reminders(box, card)) == 1, "the next pass claims and sends it"


# ------------------------------------------------------------ Slack faults
TRANSIENT = {"ratelimited": 30, "server_error": 5, "timeout": 5}  # fault -> seconds until the next try


def inject(emu, fault: str) -> None:
    if fault == "timeout":
        emu.inject_timeout("chat.postMessage", seconds=3, channel=CASE_CHANNEL)
    elif fault == "ratelimited":
        emu.inject_error("chat.postMessage", "ratelimited", retry_after=30, channel=CASE_CHANNEL)
    else:
        emu.inject_error("chat.postMessage", status=500, channel=CASE_CHANNEL)


@pytest.mark.parametrize("fault", TRANSIENT)
def test_transient_fault_on_a_thread_reminder_is_retried_and_delivered_once(http_sandbox, clock, fault):
    box = http_sandbox
    first, second = open_cases(box, 2)
    clock.now = L0_AT
    inject(box.emu, fault)  # the first case's thread post fails; the second case's goes out in the same pass
    jobs.run_pass(box.deps)
    row = reminder_rows(box)[0]
    assert (row.status, row.next_attempt_at) == (
        OutboxStatus.PENDING,
        L0_AT + timedelta(seconds=TRANSIENT[fault]),
    )
    assert row.attempts == (0 if fault == "ratelimited" else 1), "a rate limit is not a failed attempt"
    assert len(thread_reminders(box, second)) == 1, "other rows are not held up"
    if fault == "timeout":  # the slow Slack still posts it after the client gave up
        wait_for_slow_slack(lambda: thread_reminders(box, first))

    clock.now = row.next_attempt_at - timedelta(seconds=1)
    jobs.run_pass(box.deps)
    assert reminder_rows(box)[0].status == OutboxStatus.PENDING, "not before its time"
    clock.advance(seconds=1)
    jobs.run_pass(box.deps)
    clock.advance(minutes=10)
    jobs.run_pass(box.deps)
    assert [len(thread_reminders(box, card)) for card in (first, second)] == [1, 1]
    assert set(delivered(box).values()) == {1}
    assert {r.status for r in reminder_rows(box)} == {OutboxStatus.SENT}
    assert reminder_rows(box)[0].result["ts"] == thread_reminders(box, first)[0]["ts"]


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived"])
def test_permanent_error_on_the_thread_reminder_dead_letters_it_and_tells_the_manager(
    http_sandbox, clock, error
):
    box = http_sandbox
    card = open_case(box)
    clock.now = L0_AT
    box.emu.inject_error("chat.postMessage", error, channel=CASE_CHANNEL)
    jobs.run_pass(box.deps)
    (row,) = reminder_rows(box)
    assert (row.status, row.last_error) == (OutboxStatus.DEAD, error)
    (dead,) = dead_letter_audits(box)
    assert (dead.object_id, dead.detail) == (str(row.id), {"error": error})
    clock.advance(minutes=1)
    jobs.run_pass(box.deps)
    (notice,) = box.emu.dms(MANAGER)
    assert REFERENCE in notice["text"] and error in notice["text"]
    clock.advance(hours=1)
    jobs.run_pass(box.deps)
    assert thread_reminders(box, card) == [] and len(box.emu.dms(MANAGER)) == 1
    assert reminder_rows(box)[0].status == OutboxStatus.DEAD


def test_deactivated_coworker_dm_is_dead_lettered_and_the_other_dm_still_goes(http_sandbox, clock):
    box = http_sandbox
    open_case(box)
    talk = item(box, "discussion").id
    clock.now = L0_AT
    jobs.run_pass(box.deps)
    clock.now = L1_AT
    box.emu.inject_error("chat.postMessage", "account_inactive", channel=LEAD)
    jobs.run_pass(box.deps)
    by_user = {r.payload["user_id"]: r for r in reminder_rows(box) if r.payload["level"] == 1}
    assert (by_user[LEAD].status, by_user[LEAD].last_error) == (OutboxStatus.DEAD, "account_inactive")
    assert by_user[DEVELOPING].status == OutboxStatus.SENT
    assert [a.object_id for a in dead_letter_audits(box)] == [str(by_user[LEAD].id)]
    clock.advance(minutes=1)
    jobs.run_pass(box.deps)
    assert (dm_reminders(box, LEAD), len(dm_reminders(box, DEVELOPING))) == ([], 1)
    (notice,) = box.emu.dms(MANAGER)
    assert REFERENCE in notice["text"] and "account_inactive" in notice["text"]
    assert delivered(box) == {(talk, 0, 0, "thread"): 1, (talk, 1, 0, DEVELOPING): 1}


def test_timed_out_dm_reminder_is_found_in_the_dm_conversation_and_not_dead_lettered(http_sandbox, clock):
    box = http_sandbox
    open_case(box)
    clock.now = L0_AT
    jobs.run_pass(box.deps)
    clock.now = L1_AT
    box.emu.inject_timeout("chat.postMessage", seconds=3, channel=LEAD)
    # What Slack answers conversations.history for a user id (the emulator leniently accepts one).
    box.emu.inject_error("conversations.history", "channel_not_found", channel=LEAD, times=None)
    jobs.run_pass(box.deps)
    wait_for_slow_slack(lambda: dm_reminders(box, LEAD))
    clock.advance(minutes=1)
    jobs.run_pass(box.deps)
    lead_row = next(r for r in reminder_rows(box) if r.payload["user_id"] == LEAD)
    assert (lead_row.status, len(dm_reminders(box, LEAD))) == (OutboxStatus.SENT, 1)
    assert all(c.params["channel"].startswith("D") for c in box.emu.calls_to("conversations.history"))
