"""`casebot worker`: SIGTERM in the middle of a delivery, the health endpoint, and (PostgreSQL) a new
outbox row waking an idle worker at once."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import ephemeral_data_keys
from bot.outbox.loop import DeliveryLoop
from bot.outbox.wake import Listener
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.harness import DEVELOPING, LEAD, MANAGER, seed_team
from bot.worker import run_worker
from storage import repository as repo
from storage.models import OutboxKind, OutboxMessage, OutboxStatus

CASEBOT = Path(sys.executable).with_name("casebot")
PEOPLE = (LEAD, MANAGER, DEVELOPING)


def _queue_dms(sessions, now) -> None:
    with sessions.begin() as session:
        repo.ensure_workspace(session, team_id="T0CASE01", now=now)
        for user_id in PEOPLE:
            repo.enqueue(
                session,
                team_id="T0CASE01",
                kind=OutboxKind.DM,
                now=now,
                payload={"user_id": user_id, "text": "hi"},
            )


def _statuses(sessions) -> list[tuple[str, int]]:
    with sessions() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [(row.status, row.attempts) for row in rows]


def _until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _environment(emu: SlackEmulator, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CASEBOT_", "DATABASE_URL"))}
    return env | {
        "SLACK_BOT_TOKEN": emu.bot_token,
        "SLACK_API_URL": emu.base_url,
        "DATABASE_URL": database_url,
        "CASEBOT_DATA_KEYS": ",".join(ephemeral_data_keys()),
        "CASEBOT_SWEEP_EVERY_SECONDS": "3600",
    }


def test_sigterm_during_a_delivery_finishes_that_row_and_leases_no_other(database_url, engine, sessions):
    from datetime import UTC, datetime

    with SlackEmulator() as emu:
        seed_team(emu)
        emu.rate_limits = False
        emu.inject_timeout("chat.postMessage", seconds=1.5, times=None)  # a slow Slack: each post takes 1.5 s
        _queue_dms(sessions, datetime.now(UTC))
        worker = subprocess.Popen(  # noqa: S603 - our own console script
            [str(CASEBOT), "worker"],
            env=_environment(emu, database_url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert _until(lambda: ("sending", 1) in _statuses(sessions), 30), _statuses(sessions)
            worker.send_signal(signal.SIGTERM)
            out, err = worker.communicate(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
        assert worker.returncode == 0, err
        assert "worker stopped" in out
        statuses = _statuses(sessions)
        assert statuses.count(("sent", 1)) == 1, statuses  # the row in hand was finished and recorded
        assert statuses.count(("pending", 0)) == 2, statuses  # the others were never leased
        assert sum(len(emu.dms(user_id)) for user_id in PEOPLE) == 1  # nothing half-sent, nothing twice


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_health_endpoint_answers_while_the_worker_delivers(http_sandbox):
    port, stop = _free_port(), threading.Event()
    done: list[int] = []
    thread = threading.Thread(
        target=lambda: done.append(run_worker(http_sandbox.deps, health_port=port, stop=stop))
    )
    thread.start()
    try:
        assert _until(lambda: _health(port) is not None, 10)
        status, body = _health(port)
        assert status == 200 and body["ok"] is True
    finally:
        stop.set()
        thread.join(30)
    assert done == [0]


def _health(port: int) -> tuple[int, dict] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
            return response.status, json.loads(response.read())
    except OSError:
        return None


def test_a_new_row_wakes_an_idle_worker_on_postgresql(http_sandbox, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; on SQLite the loop looks every IDLE_SECONDS")
    loop = DeliveryLoop(http_sandbox.deps, idle_seconds=60).start()
    listener = Listener(http_sandbox.deps.engine, loop.wake).start()
    try:
        time.sleep(1.0)  # the loop has looked, found nothing, and sleeps for a minute
        _queue_dms(http_sandbox.deps.sessions, http_sandbox.deps.clock())
        assert _until(
            lambda: all(s == OutboxStatus.SENT for s, _a in _statuses(http_sandbox.deps.sessions)), 10
        )
    finally:
        listener.stop()
        loop.stop()


@pytest.fixture
def switch_interval():
    """From CPython's default, so a test sees prepare() change it; what it was is put back after."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    yield
    sys.setswitchinterval(before)


def test_casebot_web_hands_forms_to_the_workers_only_on_postgresql(database_url, switch_interval):
    """`casebot web` and gunicorn (prepare(web_only=True)) leave the agreement form's save to the workers
    when a NOTIFY can wake them; `casebot run`, and any process on SQLite, saves the forms it keeps."""
    from bot.config import load_settings
    from bot.startup import prepare
    from storage import migrate
    from storage.db import make_engine

    engine = make_engine(database_url)
    migrate.upgrade(engine)  # PostgreSQL is upgraded by command before web processes start
    engine.dispose()
    with SlackEmulator() as emu:
        seed_team(emu)
        settings = load_settings(_environment(emu, database_url))
        web_deps, _app = prepare(settings, web_only=True)
        run_deps, _app = prepare(settings)
    assert web_deps.forms_to_workers is database_url.startswith("postgresql")
    assert run_deps.forms_to_workers is False


def test_a_process_that_acks_hands_the_interpreter_lock_on_within_a_millisecond(
    database_url, switch_interval
):
    """`casebot run`, `casebot web` and gunicorn's app all start in prepare(): an ack's thread coming back
    from I/O waits about 1 ms, not CPython's 5, for the lock the work after acks holds (bot/startup.py)."""
    from bot.config import load_settings
    from bot.startup import prepare
    from storage import migrate
    from storage.db import make_engine

    engine = make_engine(database_url)
    migrate.upgrade(engine)
    engine.dispose()
    with SlackEmulator() as emu:
        seed_team(emu)
        prepare(load_settings(_environment(emu, database_url)))
    assert sys.getswitchinterval() == pytest.approx(0.001)
