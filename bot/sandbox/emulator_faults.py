"""Fault injection for the emulator: errors, HTTP statuses and slow answers for the next calls of a method."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from bot.sandbox.workspace import Json


@dataclass
class Fault:
    method: str
    channel: str | None
    remaining: int | None  # None: until clear_faults()
    error: str | None = None
    status: int = 200
    retry_after: int | None = None
    delay: float = 0.0

    def take(self, method: str, params: Json) -> bool:
        """Consume one use of this fault if it applies to the call."""
        if self.method != method or self.remaining == 0:
            return False
        if self.channel is not None and self.channel != (params.get("channel") or params.get("channel_id")):
            return False
        if self.remaining is not None:
            self.remaining -= 1
        return True


class FaultInjection:
    """Mixed into SlackEmulator, which owns the lock and the list of faults."""

    lock: threading.RLock
    _faults: list[Fault]

    def inject_error(
        self,
        method: str,
        error: str | None = None,
        *,
        status: int | None = None,
        retry_after: int | None = None,
        times: int | None = 1,
        channel: str | None = None,
    ) -> None:
        """Make the next `times` calls of `method` (None: every call) fail instead of running.

        Defaults follow Slack: "ratelimited" is HTTP 429 with Retry-After (1 s unless given); a bare
        5xx status answers {"ok": false, "error": "internal_error"}; any other error is HTTP 200.
        `channel` limits the fault to calls whose channel (or channel_id) param matches.
        """
        if status is None:
            status = 429 if error == "ratelimited" else 200 if error else 500
        if error is None:
            if status == 200:
                raise ValueError("an injected HTTP 200 failure needs an error code")
            error = "ratelimited" if status == 429 else "internal_error"
        if status == 429 and retry_after is None:
            retry_after = 1
        with self.lock:
            self._faults.append(Fault(method, channel, times, error, status, retry_after))

    def inject_timeout(
        self, method: str, seconds: float = 2.0, *, times: int | None = 1, channel: str | None = None
    ) -> None:
        """Delay the answer to the next `times` calls so a client with a shorter timeout gives up.

        The call is still carried out after the delay, as a slow Slack would: a message posted by a
        "timed out" call exists, which is what makes retries risk duplicates in real life.
        """
        with self.lock:
            self._faults.append(Fault(method, channel, times, delay=seconds))

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def _take_faults(self, method: str, params: Json) -> tuple[float, Fault | None]:
        with self.lock:
            delay = next((f.delay for f in self._faults if f.delay and f.take(method, params)), 0.0)
            error = next((f for f in self._faults if f.error and f.take(method, params)), None)
            return delay, error
