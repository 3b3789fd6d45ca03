"""The thread pool bolt runs listeners on.

bolt acknowledges Slack as soon as a listener calls ``ack()`` and lets the rest of the listener run
on this executor. Tracking the futures lets the demo and the tests wait until every listener has
finished its slow work (outbox delivery, Slack calls) before they look at the results.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

log = logging.getLogger("casebot.requests")


def _log_failure(future: Future) -> None:
    if not future.cancelled() and (error := future.exception()) is not None:
        log.error("work after the ack failed: %s", type(error).__name__)


class TrackedExecutor(ThreadPoolExecutor):
    def __init__(self, max_workers: int = 8, answer_workers: int = 2) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="casebot-listener")
        # Answers built after the ack (a manager's 200-case list) run here, not on a listener thread: with
        # 8 clients at once they held every listener thread, and the next requests' acks queued behind them.
        self._answers = ThreadPoolExecutor(max_workers=answer_workers, thread_name_prefix="casebot-answer")
        self._pending: set[Future] = set()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)

    def submit(self, fn, /, *args, **kwargs) -> Future:  # noqa: D401 - ThreadPoolExecutor API
        return self._track(super().submit(fn, *args, **kwargs))

    def after_ack(self, fn, /, *args, **kwargs) -> Future:
        """Hand a listener's slow work after its ack to the answers pool (tracked like listeners, so
        `wait_idle` waits for it too); a failure is logged by type, never with case text."""
        future = self._answers.submit(fn, *args, **kwargs)
        future.add_done_callback(_log_failure)  # before _track's callback: logged by the time it is idle
        return self._track(future)

    def _track(self, future: Future) -> Future:
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        self._answers.shutdown(wait=wait, cancel_futures=cancel_futures)

    def _done(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)
            if not self._pending:
                self._idle.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until no listener is running; raise TimeoutError if one is still busy."""
        with self._lock:
            if not self._idle.wait_for(lambda: not self._pending, timeout=timeout):
                raise TimeoutError(f"{len(self._pending)} listener(s) still running after {timeout}s")
