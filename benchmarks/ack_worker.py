"""benchmarks/ack.py --workers: casebot as `casebot web` serves it beside a `casebot worker` process, as
docs/deploy.md runs them on PostgreSQL.

The web app here is the benchmark's own (same deps as the sandbox, with `forms_to_workers` on and no
delivery loop woken by its listeners); the worker is this file run as a child process, on the same
database and the emulator's HTTP address, doing what `casebot worker` does apart from the sweeps (the
sandbox runs none either): deliver the outbox and save the agreement forms handed to it. Its clock stands
at the sandbox's, as the benchmark's does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from benchmarks.ack_setup import Setup  # noqa: E402
from bot.config import Settings, child_environment  # noqa: E402
from bot.sandbox.harness import Sandbox  # noqa: E402
from storage import outbox as outbox_store  # noqa: E402
from storage.models import FormIntake, OutboxMessage, OutboxStatus  # noqa: E402

READY = "casebot: worker running"
NICE = int(os.environ.get("BENCH_WORKER_NICE", "10"))


def environment(settings: Settings) -> dict[str, str]:
    """The sandbox's settings as the environment `casebot worker` reads them (bot/config.py): its Slack is
    the emulator's HTTP address, its data keys the sandbox's own."""
    return child_environment(settings) | {"CASEBOT_LOG_LEVEL": "WARNING"}  # the sandbox is quiet too


@contextmanager
def beside(box: Sandbox, clock_at: str) -> Iterator[subprocess.Popen[str]]:
    """A worker process for `box`'s database and emulator, started and listening; stopped (SIGTERM) after."""
    worker = subprocess.Popen(  # noqa: S603 - this file, with our own interpreter
        [sys.executable, __file__, clock_at], stdout=subprocess.PIPE, text=True, env=environment(box.settings)
    )
    try:
        assert worker.stdout is not None
        if READY not in (worker.stdout.readline() or ""):
            raise SystemExit("the benchmark's worker process did not start")
        threading.Thread(target=worker.stdout.read, daemon=True).start()  # drain what it prints later
        time.sleep(1.0)  # its LISTEN has taken effect (a NOTIFY before it would wait for the sweep)
        yield worker
    finally:
        worker.terminate()
        worker.wait(60)


@contextmanager
def as_web(box: Sandbox) -> Iterator[None]:
    """While timing: `box`'s app serves as `casebot web` does (forms handed to the workers, no delivery loop
    of its own); after, until the worker has saved every form and sent every row it was given."""
    box.deps.forms_to_workers = True
    woken, box.deps.delivery_wakers[:] = list(box.deps.delivery_wakers), []
    try:
        yield
    finally:
        box.deps.forms_to_workers = False
        box.deps.delivery_wakers[:] = woken
    box.deps.executor.wait_idle(300)
    drained(box)


def settle_with(setup: Setup) -> None:
    """The set-up's settle waits for the worker too: it sends rows as the sandbox's own loop does, and a
    row it is sending is not due, so the set-up would read a thread before the post is in it. The
    sandbox's check that a request calls Slack only after its ack is off: the worker's calls, made
    meanwhile from another process, would be taken for the request's (the test suite checks the order)."""
    setup.box.driver.ack_order = None
    own = setup.settle

    def settle() -> None:
        own()
        drained(setup.box)

    setup.settle = settle  # type: ignore[method-assign]


def drained(box: Sandbox, seconds: float = 300) -> None:
    """Until no form is kept, no outbox row is due and none is being sent."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with box.deps.reads() as session:
            forms = session.scalar(select(func.count()).select_from(FormIntake))
            in_hand = OutboxMessage.status == OutboxStatus.SENDING
            sending = session.scalar(select(func.count()).select_from(OutboxMessage).where(in_hand))
            due = outbox_store.due_outbox_ids(session, now=box.deps.clock(), limit=1)
        if not forms and not sending and not due:
            return
        time.sleep(0.05)
    raise SystemExit("the worker did not finish the forms and rows it was given")


def main(clock_at: str) -> int:
    """`casebot worker`, without the sweeps, on a clock standing at `clock_at`."""
    from datetime import datetime

    from bot.config import load_settings
    from bot.outbox import delivery
    from bot.sandbox.harness import ManualClock
    from bot.startup import prepare_storage
    from bot.worker import run_worker, stop_on_signals

    os.nice(NICE)
    deps = prepare_storage(load_settings())
    deps.clock = ManualClock(datetime.fromisoformat(clock_at))
    delivery.pace_calls(deps, on=False)  # as the sandbox's: the emulator's posting rate is off
    stop = threading.Event()
    stop_on_signals(stop)
    return run_worker(deps, stop=stop, sweeps=False)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
