"""Pacing Slack calls so the outbox stays inside Slack's rate limits instead of bumping into them. Pure:
`now` is passed in; the state is one process's memory (a restart starts with full buckets, which is
what Slack's own limits allow).

Slack limits chat.postMessage to about one message a second per conversation, with short bursts
allowed, and the other methods casebot queues per workspace by tier (chat.update and chat.delete are
Tier 3, about 50 a minute; chat.postEphemeral Tier 4, about 100 a minute). Each limit is a token
bucket here. A row that would go over is given a *slot*: the time its turn comes, reserved in the
order rows ask, so a burst of 60 thread posts leaves at one a second instead of being refused and
retried. A 429's Retry-After holds the whole bucket (the channel, or the method in the workspace),
never only the row that got it, and never another channel.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.kernel import blocks_limits as limits


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int


# A margin under Slack's limit: we count a post when we decide to send it, Slack when it arrives, and
# network delays vary, so pacing at exactly the limit would now and then be a hair too fast.
MARGIN = 0.9
PER_CHANNEL = Rate(limits.POSTS_PER_SECOND_PER_CHANNEL * MARGIN, limits.POST_BURST - 1)
TIER_3 = Rate(50 / 60 * MARGIN, 5)
TIER_4 = Rate(100 / 60 * MARGIN, 10)
# Methods paced per conversation; the others per workspace, at their tier (Tier 3 when not listed).
PER_CONVERSATION = frozenset({"chat.postMessage"})
TIERS: dict[str, Rate] = {"chat.postEphemeral": TIER_4, "views.publish": TIER_4}
# A reservation nobody came back for (the row was cancelled, or sent by another process) is forgotten.
FORGET_AFTER = timedelta(minutes=10)

Key = tuple[Hashable, ...]


def key_for(team_id: str, method: str, channel: str | None) -> Key:
    if method in PER_CONVERSATION and channel:
        return (team_id, method, channel)
    return (team_id, method)


def rate_for(method: str) -> Rate:
    if method in PER_CONVERSATION:
        return PER_CHANNEL
    return TIERS.get(method, TIER_3)


@dataclass
class _Bucket:
    tokens: float  # may go below zero: each reserved future slot is a token spent in advance
    at: datetime


@dataclass
class Pacer:
    buckets: dict[Key, _Bucket] = field(default_factory=dict)
    slots: dict[int, tuple[Key, datetime]] = field(default_factory=dict)  # outbox row id -> its slot

    def turn(self, key: Key, rate: Rate, row_id: int, now: datetime) -> datetime | None:
        """None when the row may go now (its token is taken); otherwise the time it should wait for.

        A row asked again at or after its slot goes without a second token: the slot was its token."""
        self._forget_stale(now)
        reserved = self.slots.get(row_id)
        if reserved is not None and reserved[0] == key:
            if reserved[1] <= now:
                del self.slots[row_id]
                return None
            return reserved[1]
        bucket = self._refilled(key, rate, now)
        bucket.tokens -= 1
        if bucket.tokens >= 0:
            return None
        slot = now + timedelta(seconds=-bucket.tokens / rate.per_second)
        self.slots[row_id] = (key, slot)
        return slot

    def hold(self, key: Key, rate: Rate, until: datetime, now: datetime, *, refused: int) -> None:
        """Slack said 429 with Retry-After to row `refused`: nothing in this bucket goes before `until`.

        The refused row keeps its place (the first turn after the hold is its own); slots already given
        to other rows are dropped, so they ask again and queue behind it."""
        waiting = [row_id for row_id, (k, _) in self.slots.items() if k == key]
        for row_id in waiting:
            del self.slots[row_id]
        ahead = max((until - now).total_seconds(), 0.0) * rate.per_second
        self.buckets[key] = _Bucket(tokens=-ahead, at=now)
        self.slots[refused] = (key, until)

    def _refilled(self, key: Key, rate: Rate, now: datetime) -> _Bucket:
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = _Bucket(tokens=float(rate.burst), at=now)
        elapsed = max((now - bucket.at).total_seconds(), 0.0)
        bucket.tokens = min(float(rate.burst), bucket.tokens + elapsed * rate.per_second)
        bucket.at = max(bucket.at, now)
        return bucket

    def _forget_stale(self, now: datetime) -> None:
        stale = [row_id for row_id, (_, slot) in self.slots.items() if slot < now - FORGET_AFTER]
        for row_id in stale:
            del self.slots[row_id]
