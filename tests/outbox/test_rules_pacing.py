"""The outbox's pacing rule: token buckets per channel (posts) and per method (the rest), with slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.outbox.rules_pacing import PER_CHANNEL, TIER_3, Pacer, key_for, rate_for

T0 = datetime(2026, 12, 9, 21, 0, tzinfo=UTC)
BUSY = key_for("T1", "chat.postMessage", "C1")
QUIET = key_for("T1", "chat.postMessage", "C2")
GAP = timedelta(seconds=1 / PER_CHANNEL.per_second)  # one post's turn


def near(a: datetime | None, b: datetime) -> bool:
    return a is not None and abs(a - b) < timedelta(milliseconds=1)


def test_posts_are_paced_per_channel_and_updates_per_workspace():
    assert key_for("T1", "chat.postMessage", "C1") != key_for("T1", "chat.postMessage", "C2")
    assert key_for("T1", "chat.update", "C1") == key_for("T1", "chat.update", "C2")
    assert key_for("T1", "chat.update", "C1") != key_for("T2", "chat.update", "C1")
    assert rate_for("chat.postMessage") == PER_CHANNEL
    assert rate_for("chat.update") == TIER_3


def test_a_burst_goes_at_once_then_one_a_second_in_the_order_asked():
    pacer = Pacer()
    turns = [pacer.turn(BUSY, PER_CHANNEL, row, T0) for row in range(1, 11)]
    burst = PER_CHANNEL.burst
    assert turns[:burst] == [None] * burst
    expected = [T0 + n * GAP for n in range(1, 10 - burst + 1)]
    assert all(near(turn, want) for turn, want in zip(turns[burst:], expected, strict=True))


def test_a_row_back_at_its_slot_goes_without_taking_a_second_turn():
    pacer = Pacer()
    for row in range(1, PER_CHANNEL.burst + 1):
        pacer.turn(BUSY, PER_CHANNEL, row, T0)
    slot = pacer.turn(BUSY, PER_CHANNEL, 99, T0)
    assert near(slot, T0 + GAP)
    assert pacer.turn(BUSY, PER_CHANNEL, 99, T0 + GAP / 2) == slot  # too early
    assert pacer.turn(BUSY, PER_CHANNEL, 99, slot) is None
    # The next newcomer queues after the slot already given, not beside it.
    assert near(pacer.turn(BUSY, PER_CHANNEL, 100, slot), slot + GAP)


def test_a_busy_channel_never_delays_another():
    pacer = Pacer()
    for row in range(1, 30):
        pacer.turn(BUSY, PER_CHANNEL, row, T0)
    assert pacer.turn(QUIET, PER_CHANNEL, 500, T0) is None


def test_retry_after_holds_the_whole_channel_and_the_refused_row_keeps_its_place():
    pacer = Pacer()
    for row in range(1, PER_CHANNEL.burst + 2):
        pacer.turn(BUSY, PER_CHANNEL, row, T0)  # the burst goes; the last row has a slot at T0 + GAP
    hold = T0 + timedelta(seconds=30)
    pacer.hold(BUSY, PER_CHANNEL, hold, T0, refused=1)  # Slack refused row 1 after all
    later = T0 + timedelta(seconds=1)
    last = PER_CHANNEL.burst + 1
    assert near(pacer.turn(BUSY, PER_CHANNEL, last, later), hold + GAP)  # its slot was dropped
    assert near(pacer.turn(BUSY, PER_CHANNEL, 66, later), hold + 2 * GAP)
    assert pacer.turn(BUSY, PER_CHANNEL, 1, later) == hold
    assert pacer.turn(BUSY, PER_CHANNEL, 1, hold) is None  # first after the hold
    assert pacer.turn(QUIET, PER_CHANNEL, 78, later) is None


def test_a_forgotten_slot_does_not_live_for_ever():
    pacer = Pacer()
    for row in range(1, 20):
        pacer.turn(BUSY, PER_CHANNEL, row, T0)
    pacer.turn(QUIET, PER_CHANNEL, 1000, T0 + timedelta(hours=1))
    assert set(pacer.slots) == set()


@settings(max_examples=60, deadline=None)
@given(gaps=st.lists(st.integers(min_value=0, max_value=3000), min_size=1, max_size=80))
def test_no_window_ever_holds_more_posts_than_slack_allows(gaps):
    """Whatever the arrival times, the sends the pacer allows fit the bucket: in any window of w
    seconds at most burst + w * rate posts go. Each row keeps asking until it goes."""
    pacer = Pacer()
    now = T0
    sent: list[datetime] = []
    waiting: dict[int, datetime] = {}
    for row, gap in enumerate(gaps):
        now += timedelta(milliseconds=gap)
        for other, at in sorted(waiting.items()):
            if at <= now and pacer.turn(BUSY, PER_CHANNEL, other, at) is None:
                sent.append(at)
                del waiting[other]
        turn = pacer.turn(BUSY, PER_CHANNEL, row, now)
        if turn is None:
            sent.append(now)
        else:
            waiting[row] = turn
    for other, at in sorted(waiting.items()):
        assert pacer.turn(BUSY, PER_CHANNEL, other, at) is None
        sent.append(at)
    sent.sort()
    for i, start in enumerate(sent):
        for j in range(i, len(sent)):
            window = (sent[j] - start).total_seconds()
            assert j - i + 1 <= PER_CHANNEL.burst + window * PER_CHANNEL.per_second + 1e-5  # microseconds
