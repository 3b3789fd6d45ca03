"""How fast casebot acknowledges, against a bare slack_bolt app behind the same server, in one run.

Both apps are served by bot/http_server.py's WSGI server behind the same request guard (bot/wsgi.py);
casebot is the App `create_app` builds, on the sandbox's deps (its Slack is the emulator, its outbox
delivered by the sandbox's loop). Both receive the same signed requests from the sandbox's HTTP
transport (built by bot/sandbox/payloads.py, the state each needs made through the sandbox first:
benchmarks/ack_setup.py):

- `/case help` (no database); `/case list` and `/case overdue` for a manager of 200 cases
  (tests/drift/seed.py builds them; both ack empty and answer on the response_url after the ack);
- the agreement form: each submission opens a new case (a modal opened by `/case open`, its own
  reference; the form is checked before the ack and saved after it);
- Agree: each click is a co-worker's first confirmation of a case's agreement;
- Next question: each press moves one of 48 live discussions on to a new question;
- a capture reply event: a member's plain reply in the thread of a case whose discussion is under way.

The bare app acknowledges at once (the form with no errors). The reply is measured twice: against that
bare app, and against one that first stores the event with one insert and commit (casebot stores every
event before its ack so that none it acknowledged is ever lost: the necessary work). The same request goes
to casebot and then to the bare app, sequentially and then from 8 threads at once (rounds alternating
between the apps), so both see the same machine load; casebot's work after its acks (and its outbox
delivery to the emulator) runs on while later requests arrive, as in production. A few requests per app
warm up first, untimed, after the set-up's objects are moved out of the garbage collector's way
(gc.freeze). After each measure the rows its requests should have made are counted (cases, acceptances,
questions, stored replies): a shortfall stops the run instead of printing the speed of refusals. Printed:
p50 and p99 per app and the ratio of p99s (issue 17's goal: within 1.5x). Figures are printed, never
asserted.

    .venv/bin/python benchmarks/ack.py                       # SQLite, in a temporary file
    .venv/bin/python benchmarks/ack.py --postgres            # a fresh casebot_ack_bench on 127.0.0.1
    .venv/bin/python benchmarks/ack.py --requests 50 --only form
    .venv/bin/python benchmarks/ack.py --postgres --only form --unhurried   # and with the work done
    .venv/bin/python benchmarks/ack.py --repeat 5 --only form   # five runs, and the median ratio

One run's p99 swings with the machine (on 2 cores, consecutive runs of the form gave 1.14 and 1.31
sequentially): --repeat gives the median of several runs and their range, the figure to quote.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, nullcontext
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slack_bolt import App  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy import text as sql  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from benchmarks import ack_worker  # noqa: E402
from benchmarks.ack_bare import bare_bolt, bare_store  # noqa: E402
from benchmarks.ack_setup import Measure, Setup  # noqa: E402
from bot import http_server  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.sandbox.demo import START  # noqa: E402
from bot.sandbox.driver import HttpTransport  # noqa: E402
from bot.sandbox.harness import CASE_CHANNEL, MANAGER, SIGNING_SECRET, TEAM_ID, ManualClock, Sandbox  # noqa: E402
from bot.startup import favour_acks  # noqa: E402
from bot.wsgi import make_wsgi_app  # noqa: E402
from tests.drift.seed import seed  # noqa: E402

THREADS = 8
WARMUP = 4
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/casebot_ack_bench"
NAMES = ("help", "list", "overdue", "form", "agree", "next", "reply", "reply_stored")


def serve(app: App) -> http_server.ThreadingWSGIServer:
    """Behind bot/http_server.py's server and bot/wsgi.py's request guard, as `casebot run --http`."""
    server = http_server.serve("127.0.0.1", 0, make_wsgi_app(app), handler_class=http_server.QuietHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


def url_of(server: http_server.ThreadingWSGIServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/slack/events"


def timed(transport: HttpTransport, measure: Measure, payload: dict[str, Any]) -> float:
    began = time.perf_counter()
    answer = transport.deliver(measure.kind, payload)
    took = (time.perf_counter() - began) * 1000
    assert answer.status == 200, (measure.name, answer.status, answer.body)
    assert not (answer.json or {}).get("errors"), (measure.name, answer.body)  # a refused form
    return took


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(
    casebot: HttpTransport,
    bare: HttpTransport,
    measure: Measure,
    requests: int,
    idle: Callable[[], None] | None = None,
    timing: Callable[[], AbstractContextManager[None]] = nullcontext,
) -> dict[str, Any]:
    """Sequential, alternating; then THREADS at once, rounds alternating between the apps. With `idle`
    (--unhurried), a third run: sequential again, each request sent only once casebot's work after the
    previous acks is done (`idle` returns then), which shows how much of a gap that work makes."""
    rounds = max(1, requests // THREADS)
    sent = WARMUP + requests + rounds * THREADS + (requests if idle else 0)
    measure.prepare(sent)
    with timing():  # --workers: served as `casebot web`, its forms and outbox left to the worker process
        found = _timed(casebot, bare, measure, requests, rounds, idle)
    measure.check(sent)
    return found


def _timed(
    casebot: HttpTransport,
    bare: HttpTransport,
    measure: Measure,
    requests: int,
    rounds: int,
    idle: Callable[[], None] | None,
) -> dict[str, Any]:
    # The emulator, the seeded rows and the prepared requests share this process with both apps: a full
    # collection of that heap paused every thread for ~130 ms, in whichever app's round was in flight.
    gc.collect()
    gc.freeze()
    for _ in range(WARMUP):
        payload = measure.take()
        timed(casebot, measure, payload)
        timed(bare, measure, payload)
    seq: dict[str, list[float]] = {"casebot": [], "bare": []}
    for _ in range(requests):
        payload = measure.take()
        seq["casebot"].append(timed(casebot, measure, payload))
        seq["bare"].append(timed(bare, measure, payload))
    conc: dict[str, list[float]] = {"casebot": [], "bare": []}
    with ThreadPoolExecutor(THREADS) as pool:
        for _ in range(rounds):
            batch = [measure.take() for _ in range(THREADS)]
            for name, transport in (("casebot", casebot), ("bare", bare)):
                conc[name] += pool.map(lambda p, t=transport: timed(t, measure, p), batch)
    found = {"sequential": seq, "concurrent": conc}
    if idle is not None:
        found["unhurried"] = unhurried = {"casebot": [], "bare": []}
        for _ in range(requests):
            payload = measure.take()
            for name, transport in (("casebot", casebot), ("bare", bare)):
                idle()
                unhurried[name].append(timed(transport, measure, payload))
    return found


def postgres() -> str:
    """A fresh, empty casebot_ack_bench database (never your own data)."""
    server, name = POSTGRES.rsplit("/", 1)
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sql(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(sql(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        raise SystemExit(f"PostgreSQL is not answering on 127.0.0.1:5432 ({type(exc).__name__})") from exc
    finally:
        admin.dispose()
    return POSTGRES


def report(label: str, mode: str, times: dict[str, list[float]]) -> float:
    """Prints one run's line: p50 and p99 per app, and the ratio of p99s, which it returns."""
    ours, base = times["casebot"], times["bare"]
    p99, p99_base = percentile(ours, 0.99), percentile(base, 0.99)
    print(
        f"{label:26} {mode:10} casebot {statistics.median(ours):6.1f} / {p99:6.1f}"
        f" | bare bolt {statistics.median(base):5.1f} / {p99_base:5.1f} | p99 ratio {p99 / p99_base:5.2f}",
        flush=True,
    )
    return p99 / p99_base


def bench(
    database: str, requests: int, only: list[str], *, unhurried: bool, workers: bool, repeat: int
) -> None:
    with (
        Sandbox(database_url=database, mode="http", clock=ManualClock(START), rate_limits=False) as box,
        ExitStack() as stack,
    ):
        # The sandbox notes every statement for its ack-order checks; production has no such hook.
        box.ack_order.uninstall(box.deps.engine)
        box.driver.slash("UADMIN01", f"admin manager add <@{MANAGER}|mere>", CASE_CHANNEL)
        with box.deps.sessions.begin() as session:
            seed(session, 200, weeks=4, team=TEAM_ID, manager_id=MANAGER)
        setup = Setup(box)
        # The timed requests go to casebot as `casebot run --http` builds it (create_app, same deps and
        # pools), not to the sandbox's app: that one notes each request and ack in the emulator's
        # sequence, under the emulator's lock, which Slack's own traffic holds meanwhile.
        folder = Path(tempfile.mkdtemp())
        store = bare_store(database, folder)
        favour_acks()  # as prepare() does for `casebot run` (the bare apps share the process and the setting)
        servers = serve(create_app(box.deps)), serve(bare_bolt()), serve(bare_bolt(store))
        casebot, bare, bare_storing = (HttpTransport(url_of(s), SIGNING_SECRET, timeout=30) for s in servers)
        timing: Callable[[], AbstractContextManager[None]] = nullcontext
        if workers:
            stack.enter_context(ack_worker.beside(box, START.isoformat()))
            timing = lambda: ack_worker.as_web(box)  # noqa: E731
            ack_worker.settle_with(setup)  # the set-up reads Slack only once the worker has sent too
        served = "as `casebot web`, beside a worker process" if workers else "as `casebot run --http`"
        per = f"{requests} requests per app and mode (p50 / p99, ms)"
        print(f"{box.deps.engine.dialect.name}, casebot {served}, {per}")
        try:
            for measure in setup.measures():
                if only and measure.name not in only:
                    continue
                idle = (lambda: box.deps.executor.wait_idle(300)) if unhurried else None
                baseline = bare_storing if measure.bare_stores else bare
                ratios: dict[str, list[float]] = {}
                for _ in range(repeat):
                    found = run(casebot, baseline, measure, requests, idle, timing)
                    setup.settle()  # the next run starts with no work left over
                    for mode, times in found.items():
                        ratios.setdefault(mode, []).append(report(measure.label, mode, times))
                if repeat > 1:
                    for mode, found_ratios in ratios.items():
                        low, high = min(found_ratios), max(found_ratios)
                        print(
                            f"{measure.label:26} {mode:10} median p99 ratio of {repeat} runs"
                            f" {statistics.median(found_ratios):5.2f} (range {low:.2f}-{high:.2f})",
                            flush=True,
                        )
        finally:
            for server in servers:
                server.shutdown()
                server.server_close()
            store.dispose()
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", help="default: SQLite in a temporary file")
    parser.add_argument("--postgres", action="store_true", help=f"a fresh database: {POSTGRES}")
    parser.add_argument("--only", action="append", choices=NAMES, default=[], help="repeatable")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs per measure, each with new requests; with more than one, also the median ratio",
    )
    parser.add_argument(
        "--unhurried",
        action="store_true",
        help="also: sequential, each request once casebot's work after the last acks is done",
    )
    parser.add_argument(
        "--workers",
        action="store_true",
        help="PostgreSQL: casebot as `casebot web`, beside a worker process that saves forms and delivers",
    )
    args = parser.parse_args()
    database = postgres() if args.postgres else args.database_url
    if args.workers and not (database or "").startswith("postgresql"):
        parser.error("--workers needs PostgreSQL (--postgres or a postgresql --database-url)")
    if args.repeat < 1:
        parser.error("--repeat needs at least 1 run")
    modes = {"unhurried": args.unhurried, "workers": args.workers, "repeat": args.repeat}
    if database:
        bench(database, args.requests, args.only, **modes)
    else:
        with tempfile.TemporaryDirectory() as name:
            bench(f"sqlite:///{Path(name) / 'ack.db'}", args.requests, args.only, **modes)


if __name__ == "__main__":
    main()
