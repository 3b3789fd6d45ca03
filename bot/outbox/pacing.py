"""Each process's pacer (bot/outbox/rules_pacing.py), shared by every thread that delivers, and the switch
that turns pacing off for an emulator with no rate limit to keep to."""

from __future__ import annotations

import threading
from datetime import datetime

from bot.deps import Deps
from bot.outbox.rules_pacing import Key, Pacer, Rate


class _Pacing:
    """This process's pacer, shared by every thread that delivers (the delivery loop, a sweep's pass)."""

    def __init__(self) -> None:
        self._pacer = Pacer()
        self._lock = threading.Lock()

    def turn(self, key: Key, rate: Rate, row_id: int, now: datetime) -> datetime | None:
        with self._lock:
            return self._pacer.turn(key, rate, row_id, now)

    def hold(self, key: Key, rate: Rate, until: datetime, now: datetime, *, refused: int) -> None:
        with self._lock:
            self._pacer.hold(key, rate, until, now, refused=refused)


class _Unpaced(_Pacing):
    """For a Slack with no rate limit to keep to: the emulator with its posting rate switched off."""

    def turn(self, key: Key, rate: Rate, row_id: int, now: datetime) -> datetime | None:
        return None

    def hold(self, key: Key, rate: Rate, until: datetime, now: datetime, *, refused: int) -> None:
        return None


_PACING_LOCK = threading.Lock()
_PACING = "outbox.pacing"


def pace_calls(deps: Deps, *, on: bool) -> None:
    """Pacing is on by default; the sandbox turns it off when its emulator has no rate limits."""
    with _PACING_LOCK:
        deps.slack_cache[_PACING] = _Pacing() if on else _Unpaced()


def pacing(deps: Deps) -> _Pacing:
    with _PACING_LOCK:
        pacing = deps.slack_cache.get(_PACING)
        if not isinstance(pacing, _Pacing):
            pacing = deps.slack_cache[_PACING] = _Pacing()
        return pacing
