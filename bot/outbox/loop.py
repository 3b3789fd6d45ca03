"""Delivery runs in one place per process, this loop, while there is work: after a pass it sleeps until the
next row's time comes (a paced post's turn, a retry, a reminder waiting for working hours), or at most
IDLE_SECONDS, so rows queued by another process are found soon too. A listener that queued rows wakes it
(`delivery.wake`) after its ack instead of sending on the listener pool, so acks never wait behind Slack
calls and every send goes through the same pacer. On PostgreSQL a committed row also wakes every worker's
loop (bot/outbox/wake.py).

A paced burst of 60 thread posts therefore leaves at Slack's pace, about one a second, instead of one
pass every 15 seconds.

`idle_seconds=None` makes a loop that only passes when woken (the sandbox: tests and the demo move the
clock by hand, so a timed look would race them); `wait_idle` returns once no wake is pending and no pass
is running, so a test sees what its step queued.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from bot.deps import Deps
from bot.outbox import delivery
from storage import outbox as outbox_store

log = logging.getLogger(__name__)

IDLE_SECONDS = 15.0
SOONEST_SECONDS = 0.05  # never spin: a row due "now" is looked at again after this


class DeliveryLoop:
    def __init__(self, deps: Deps, *, idle_seconds: float | None = IDLE_SECONDS) -> None:
        self.deps = deps
        self.idle = idle_seconds
        self._stop = threading.Event()
        self._state = threading.Condition()
        self._woken = False  # a wake not yet answered by a pass
        self._busy = False  # a pass is running
        self._thread = threading.Thread(target=self._run, name="casebot-delivery", daemon=True)
        self.last_pass_at = time.monotonic()

    def start(self) -> DeliveryLoop:
        self.deps.delivery_wakers.append(self.wake)
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stop.is_set()

    def wake(self) -> None:
        """Look now (new rows were queued)."""
        with self._state:
            self._woken = True
            self._state.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until no wake is pending and no pass is running; TimeoutError if still busy."""
        with self._state:
            settled = self._state.wait_for(
                lambda: not (self._woken or self._busy) or not self._thread.is_alive(), timeout=timeout
            )
        if not settled:
            raise TimeoutError(f"outbox delivery still running after {timeout}s")

    def stop(self, timeout: float = 5.0) -> bool:
        """Finish the row in hand, lease no more; True if the loop ended within `timeout`."""
        if self.wake in self.deps.delivery_wakers:
            self.deps.delivery_wakers.remove(self.wake)
        self._stop.set()
        self.wake()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        wait: float | None = 0.0
        while not self._stop.is_set():
            with self._state:
                if not self._woken:
                    self._state.wait_for(lambda: self._woken, timeout=wait)
                if self._stop.is_set():
                    break
                self._woken, self._busy = False, True
            more = False
            try:
                report = delivery.deliver_due(self.deps, stopping=self._stop.is_set)  # stop: lease no more
                self.last_pass_at = time.monotonic()  # `casebot worker`'s health check reads it
                # A pass takes at most 100 rows: when it took that many, it wakes itself to look again
                # at once (a loop woken only by new rows, as in the sandbox, would leave the rest).
                # Only if it settled something: rows failing every time must not spin the loop.
                more = report.full and len(report.errors) < delivery.PASS_LIMIT
                wait = self.seconds_to_next_row()
            except Exception:  # noqa: BLE001 - a failed pass must not stop the next one
                log.exception("delivery pass failed")
                wait = self.idle
            finally:
                with self._state:
                    self._busy = False
                    self._woken = self._woken or more
                    self._state.notify_all()
        with self._state:
            self._busy = False
            self._state.notify_all()

    def seconds_to_next_row(self) -> float | None:
        """How long to sleep after a pass: until the next row is due, at most `idle` (None: until woken)."""
        if self.idle is None:
            return None
        now = self.deps.clock()
        with self.deps.reads() as session:
            due = outbox_store.next_due_at(session)
        if due is None:
            return self.idle
        ahead = (due - now) / timedelta(seconds=1)
        return min(max(ahead, SOONEST_SECONDS), self.idle)
