"""The thread pool bolt runs listeners on.

bolt acknowledges Slack as soon as a listener calls ``ack()`` and lets the rest of the listener run
on this executor. Tracking the futures lets the demo and the tests wait until every listener has
finished its slow work (outbox delivery, Slack calls) before they look at the results.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor


class TrackedExecutor(ThreadPoolExecutor):
    def __init__(self, max_workers: int = 8) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="casebot-listener")
        self._pending: set[Future] = set()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)

    def submit(self, fn, /, *args, **kwargs) -> Future:  # noqa: D401 - ThreadPoolExecutor API
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

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
