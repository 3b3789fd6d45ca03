"""On PostgreSQL, a new outbox row wakes every delivery loop at once: NOTIFY when it is committed,
LISTEN in each worker. Without it (SQLite, or a lost connection) a loop still looks every IDLE_SECONDS.

The NOTIFY is sent by storage/outbox.py inside the transaction that adds the row, so it arrives only if
the row is committed, and only after. Any process may send it (web, worker, `casebot sweep`); each
worker's listener wakes its own loop, and the outbox's leases keep delivery exactly once however many
wake.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine

from storage import intake
from storage import outbox as outbox_store

log = logging.getLogger(__name__)

CHANNEL = outbox_store.NOTIFY_CHANNEL
RETRY_SECONDS = 5.0


class Listener:
    """A thread holding one connection that LISTENs, calling `wake` on each new outbox row and, given
    `forms`, `forms(payload)` on each agreement form a web process handed over (storage/intake.py)."""

    def __init__(
        self, engine: Engine, wake: Callable[[], None], *, forms: Callable[[str], None] | None = None
    ) -> None:
        self._engine, self._wake, self._forms = engine, wake, forms
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="casebot-outbox-listen", daemon=True)

    def start(self) -> Listener:
        if self._engine.dialect.name == "postgresql":
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=RETRY_SECONDS)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception as exc:  # noqa: BLE001 - a lost connection: the loop's idle look covers it
                log.warning("outbox listener lost its connection", extra={"error": type(exc).__name__})
                self._stop.wait(RETRY_SECONDS)

    def _listen(self) -> None:
        raw = self._engine.raw_connection()
        connection = raw.driver_connection
        assert connection is not None  # just checked out of the pool
        raw.detach()  # ours for good: it must not go back to the pool while it LISTENs
        try:
            connection.autocommit = True
            connection.execute(f"LISTEN {CHANNEL}")
            if self._forms is not None:
                connection.execute(f"LISTEN {intake.NOTIFY_CHANNEL}")
            self._wake()  # rows committed before LISTEN took effect are looked at now
            while not self._stop.is_set():
                for notice in connection.notifies(timeout=1.0):
                    if notice.channel == intake.NOTIFY_CHANNEL and self._forms is not None:
                        self._forms(notice.payload)
                    else:
                        self._wake()
        finally:
            connection.close()
