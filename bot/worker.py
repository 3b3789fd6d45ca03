"""`casebot worker` and `casebot web`: the two kinds of process a larger install runs, any number of each
on one PostgreSQL (docs/deploy.md).

A worker sweeps (reminders, follow-ups, retention, digests), delivers the outbox and saves the agreement
forms a web process kept and handed over (FormSaver); it serves no Slack request. Its delivery loop is
woken by new outbox rows (bot/outbox/wake.py, on PostgreSQL) and otherwise looks every few seconds.
`--health-port` serves GET /health: 200 while the loop passes, 503 when it has stopped or not passed for
STALE_SECONDS.

On SIGTERM (or Ctrl-C) a worker leases no new row, finishes the one in hand (so nothing is half-sent: a
row leased is either sent and recorded or left for its lease to run out), lets a running sweep finish,
and exits 0. A web process (HTTP, or `casebot run` in Socket Mode) stops taking requests, lets those in
hand be acknowledged, finishes the listeners' work after their acks and the delivery pass they woke, then
exits 0 (finish_work).
"""

from __future__ import annotations

import json
import logging
import queue
import signal
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App

from bot import scheduler
from bot.cases import flows_intake
from bot.deps import Deps, TeamClients
from bot.outbox.loop import DeliveryLoop
from bot.outbox.wake import Listener

log = logging.getLogger(__name__)

STALE_SECONDS = 120.0
GRACE_SECONDS = 25.0  # within systemd's and Kubernetes' usual 30 s before a SIGKILL


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set `stop` (the main thread then shuts down in order)."""

    def handler(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


class FormSaver:
    """Saves, one at a time on its own thread, the agreement forms `casebot web` handed over (a NOTIFY
    with the form's team and view id). Every worker hears each NOTIFY: the first to save the form drops
    it, the others find it gone. One that fails stays kept, and the scheduled pass saves it."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self._forms: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="casebot-forms", daemon=True)

    def start(self) -> FormSaver:
        self._thread.start()
        return self

    def take(self, payload: str) -> None:
        self._forms.put(payload)

    def stop(self, timeout: float) -> None:
        """The form in hand is finished; those still queued stay kept for the scheduled pass."""
        self._forms.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        clients = TeamClients(self.deps)
        while (payload := self._forms.get()) is not None:
            team_id, _, view_id = payload.partition(" ")
            try:
                flows_intake.open_handed(self.deps, clients, team_id=team_id, view_id=view_id)
            except Exception as exc:  # noqa: BLE001 - kept: the scheduled pass saves it
                log.warning("handed agreement form not saved yet", extra={"error": type(exc).__name__})
            finally:
                self._forms.task_done()

    def wait_idle(self) -> None:
        self._forms.join()


def run_worker(
    deps: Deps,
    *,
    health_port: int | None = None,
    stop: threading.Event | None = None,
    sweeps: bool = True,
) -> int:
    """`sweeps=False`: deliver and save handed forms only (benchmarks/ack.py's worker, whose clock stands
    still)."""
    stop = stop or threading.Event()
    swept, loop = scheduler.start(deps, sweeps=sweeps)
    saver = FormSaver(deps).start()
    listener = Listener(deps.engine, loop.wake, forms=saver.take).start()
    health = _serve_health(loop, health_port) if health_port is not None else None
    print(f"casebot: worker running{_health_note(health)}", flush=True)
    stop.wait()
    listener.stop()
    saver.stop(timeout=GRACE_SECONDS)
    finished = loop.stop(timeout=GRACE_SECONDS)
    swept.shutdown(wait=True)  # a sweep pass that is running finishes
    if health is not None:
        health.shutdown()
        health.server_close()
    if not finished:
        log.warning("delivery still busy at shutdown; its lease runs out and another worker takes the row")
    print("casebot: worker stopped", flush=True)
    return 0


def finish_work(deps: Deps, background: tuple[BackgroundScheduler, DeliveryLoop] | None) -> None:
    """After the last request is taken (HTTP or Socket Mode): the listeners' work after their acks, then
    the delivery it woke (its pass finishes; rows due later stay queued for the next process), then the
    scheduler, a running sweep finishing."""
    deps.executor.shutdown(wait=True)
    if background is None:
        return
    sweeps, loop = background
    try:
        loop.wait_idle(timeout=GRACE_SECONDS)
    except TimeoutError:
        log.warning("delivery still busy at shutdown; its lease runs out and another sender takes the row")
    loop.stop(timeout=GRACE_SECONDS)
    sweeps.shutdown(wait=True)


class Intake:
    """Socket Mode envelopes being handled. Once closed, a new envelope is left unacknowledged (Slack sends
    it again, to this app's next connection), and `close` waits for those in hand to be acknowledged."""

    def __init__(self) -> None:
        self._state = threading.Condition()
        self._open, self._in_hand = True, 0

    def wrap(self, handle: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
        def guarded(client: Any, request: Any) -> None:
            with self._state:
                if not self._open:
                    return
                self._in_hand += 1
            try:
                handle(client, request)
            finally:
                with self._state:
                    self._in_hand -= 1
                    self._state.notify_all()

        return guarded

    def close(self, timeout: float) -> bool:
        with self._state:
            self._open = False
            return self._state.wait_for(lambda: self._in_hand == 0, timeout=timeout)


def run_socket_mode(
    app: App,
    deps: Deps,
    app_token: str,
    background: tuple[BackgroundScheduler, DeliveryLoop] | None,
    *,
    stop: threading.Event | None = None,
) -> int:
    """`casebot run` in Socket Mode until SIGTERM or Ctrl-C, then stop as the HTTP mode does: take no new
    envelope, let those in hand be acknowledged, close the connection, finish the work (finish_work)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    if stop is None:
        stop = threading.Event()
        stop_on_signals(stop)
    handler = SocketModeHandler(app, app_token)
    intake = Intake()
    handler.client.socket_mode_request_listeners[:] = [intake.wrap(handler.handle)]
    handler.connect()
    print("casebot: connected to Slack in Socket Mode", flush=True)
    stop.wait()
    if not intake.close(timeout=GRACE_SECONDS):
        log.warning("a Socket Mode request was still being handled at shutdown")
    handler.close()
    finish_work(deps, background)
    print("casebot: stopped", flush=True)
    return 0


def _health_note(server: ThreadingHTTPServer | None) -> str:
    return f"; health at http://127.0.0.1:{server.server_address[1]}/health" if server else ""


def _serve_health(loop: DeliveryLoop, port: int) -> ThreadingHTTPServer:
    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            ago = time.monotonic() - loop.last_pass_at
            ok = self.path == "/health" and loop.running and ago < STALE_SECONDS
            body = json.dumps({"ok": ok, "last_pass_seconds_ago": round(ago, 1)}).encode()
            self.send_response(200 if ok else 503 if self.path == "/health" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            """Probes every few seconds would flood the log."""

    server = ThreadingHTTPServer(("127.0.0.1", port), Health)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="casebot-health", daemon=True).start()
    return server
