"""Delivery runs while there is work: after a pass it sleeps until the next row's time comes (a paced
post's turn, a retry, a reminder waiting for working hours), or at most IDLE_SECONDS, so rows queued by
another process are found soon too. Rows queued by this process's listeners are delivered straight
after their ack (the listener calls deliver_due), so nothing waits for the loop.

A paced burst of 60 thread posts therefore leaves at Slack's pace, about one a second, instead of one
pass every 15 seconds.
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
    def __init__(self, deps: Deps, *, idle_seconds: float = IDLE_SECONDS) -> None:
        self.deps = deps
        self.idle = idle_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="casebot-delivery", daemon=True)
        self.last_pass_at = time.monotonic()

    def start(self) -> DeliveryLoop:
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._stop.is_set()

    def wake(self) -> None:
        """Look now (new rows were queued)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> bool:
        """Finish the row in hand, lease no more; True if the loop ended within `timeout`."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                delivery.deliver_due(self.deps, stopping=self._stop.is_set)  # stop: no new row is leased
                self.last_pass_at = time.monotonic()  # `casebot worker`'s health check reads it
                wait = self.seconds_to_next_row()
            except Exception:  # noqa: BLE001 - a failed pass must not stop the next one
                log.exception("delivery pass failed")
                wait = self.idle
            self._wake.wait(wait)

    def seconds_to_next_row(self) -> float:
        now = self.deps.clock()
        with self.deps.reads() as session:
            due = outbox_store.next_due_at(session)
        if due is None:
            return self.idle
        ahead = (due - now) / timedelta(seconds=1)
        return min(max(ahead, SOONEST_SECONDS), self.idle)
