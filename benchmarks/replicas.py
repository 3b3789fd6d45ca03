"""Many worker processes on one PostgreSQL: exactly once, and what adding a process buys.

Part 1, workers: 10,000 due outbox DMs (the rows a reminder sweep queues) to 1,000 people are delivered to
the emulator, Slack's per-channel posting rate on, by 1, 2 and 4 real `casebot worker` processes in turn,
each run on a fresh database. Printed per run: wall time, rows a second, the speed-up over one worker,
duplicates (a DM Slack got twice), lost rows (not sent, or never in Slack), and 429s.

Each worker count runs twice: with rows leased one at a time (CASEBOT_OUTBOX_CLAIM_BATCH=1, the
compare-and-set every sender made before) and leased in batches with FOR UPDATE SKIP LOCKED (the default,
bot/outbox/batches.py); the ratio of the two is printed.

Part 2, the cost of a claim: one row's lease (the compare-and-set UPDATE) timed when it wins and when
another process already has the row, and a batch claim's cost per row, in ms per item.

Part 3, web processes: gunicorn with 1 and 2 workers serving bot.wsgi:application, 200 signed slash
commands (`/case help`) sent 8 at a time; printed: the acknowledgement's median and 95th percentile.

The emulator runs in this process (one Python, one core's worth), so on a small machine it, not the
workers, sets the pace: read the speed-up with docs/deploy.md. Figures are printed, never asserted.

    .venv/bin/python benchmarks/replicas.py                     # PostgreSQL on 127.0.0.1
    .venv/bin/python benchmarks/replicas.py --rows 1000 --latency 0.1 --web --no-claims  # Slack's latency
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select, update  # noqa: E402
from sqlalchemy import text as sql  # noqa: E402

from bot.config import Settings, ephemeral_data_keys  # noqa: E402
from bot.deps import build_deps  # noqa: E402
from bot.sandbox import payloads  # noqa: E402
from bot.sandbox.driver import HttpTransport  # noqa: E402
from bot.sandbox.emulator import SlackEmulator  # noqa: E402
from bot.sandbox.harness import SIGNING_SECRET, TEAM_ID, seed_team  # noqa: E402
from storage import migrate  # noqa: E402
from storage import outbox as outbox_store  # noqa: E402
from storage import repository as repo  # noqa: E402
from storage.models import OutboxKind, OutboxMessage, OutboxStatus  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/casebot_bench_replicas"
BIN = Path(sys.executable).parent
PEOPLE = 1000


def fresh_database(url: str) -> str:
    server, name = url.rsplit("/", 1)
    admin = create_engine(server + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sql(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url


def settings_for(url: str, emu: SlackEmulator) -> Settings:
    return replace(
        Settings(),
        slack_bot_token=emu.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=emu.base_url,
        database_url=url,
        data_keys=ephemeral_data_keys(),
    )


def environment(settings: Settings, batch: int = 20) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CASEBOT_", "DATABASE_URL"))}
    return keep | {
        "SLACK_BOT_TOKEN": settings.slack_bot_token or "",
        "SLACK_SIGNING_SECRET": settings.slack_signing_secret or "",
        "SLACK_API_URL": settings.slack_api_url,
        "DATABASE_URL": settings.database_url,
        "CASEBOT_DATA_KEYS": ",".join(settings.data_keys),
        "CASEBOT_SWEEP_EVERY_SECONDS": "3600",  # only delivery is measured
        "CASEBOT_LOG_LEVEL": "ERROR",
        "CASEBOT_OUTBOX_CLAIM_BATCH": str(batch),
    }


def seed_rows(settings: Settings, rows: int) -> None:
    deps = build_deps(settings)
    migrate.upgrade(deps.engine)
    now = datetime.now(UTC) - timedelta(seconds=1)
    with deps.sessions.begin() as session:
        repo.ensure_workspace(session, team_id=TEAM_ID, now=now)
        for n in range(rows):
            payload = {"user_id": f"UBENCH{n % PEOPLE:04d}", "text": f"reminder {n}"}
            repo.enqueue(session, team_id=TEAM_ID, kind=OutboxKind.DM, now=now, payload=payload)
    deps.engine.dispose()


def emulator(latency: float = 0.0) -> SlackEmulator:
    emu = SlackEmulator().start()
    if latency:  # Slack's own round trip: each post answers this late (other calls meanwhile go on)
        emu.inject_timeout("chat.postMessage", seconds=latency, times=None)
    seed_team(emu)
    for n in range(PEOPLE):
        emu.add_user(f"UBENCH{n:04d}", name=f"person{n}", tz="Pacific/Auckland")
    return emu  # rate limits on, on the wall clock: Slack's own pace


def deliver_with(
    workers: int, rows: int, url: str, latency: float = 0.0, batch: int = 20
) -> dict[str, float]:
    emu = emulator(latency)
    settings = settings_for(fresh_database(url), emu)
    seed_rows(settings, rows)
    engine = create_engine(url)
    started = time.perf_counter()
    processes = [
        subprocess.Popen(  # noqa: S603 - our own console script
            [str(BIN / "casebot"), "worker"], env=environment(settings, batch), stdout=subprocess.DEVNULL
        )
        for _ in range(workers)
    ]
    try:
        while True:
            with engine.connect() as conn:
                left = conn.scalar(
                    select(func.count()).where(
                        OutboxMessage.status.not_in([OutboxStatus.SENT, OutboxStatus.DEAD])
                    )
                )
            if not left:
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)
    texts = Counter(
        m["text"]
        for n in range(PEOPLE)
        for m in emu.dms(f"UBENCH{n:04d}")
        if m["text"].startswith("reminder ")
    )
    with engine.connect() as conn:
        sent = conn.scalar(select(func.count()).where(OutboxMessage.status == OutboxStatus.SENT))
    engine.dispose()
    refused = sum(1 for c in emu.calls_to("chat.postMessage") if c.status == 429)
    emu.stop()
    return {
        "seconds": seconds,
        "duplicates": sum(count - 1 for count in texts.values()),
        "lost": rows - len(texts) + (rows - (sent or 0)),
        "refused": refused,
    }


def claim_costs(url: str, items: int = 1000) -> tuple[float, float, float]:
    """(ms per won lease, ms per lost lease, ms per row of a 20-row batch claim) on `items` due rows."""
    emu = SlackEmulator().start()
    settings = settings_for(fresh_database(url), emu)
    seed_rows(settings, items)
    deps = build_deps(settings)
    emu.stop()
    now = datetime.now(UTC)
    with deps.reads.begin() as session:
        ids = outbox_store.due_outbox_ids(session, now=now, limit=items)
    timings = []
    for won in (True, False):
        if not won:  # make every row someone else's: the CAS finds nothing to change
            with deps.sessions.begin() as session:
                session.execute(update(OutboxMessage).values(status=OutboxStatus.SENDING))
        started = time.perf_counter()
        for message_id in ids:
            with deps.sessions.begin() as session:
                outbox_store.lease_outbox(
                    session, message_id=message_id, now=now, until=now + timedelta(seconds=60)
                )
        timings.append((time.perf_counter() - started) * 1000 / len(ids))
    with deps.sessions.begin() as session:  # every row due again, for the batch claims
        session.execute(update(OutboxMessage).values(status=OutboxStatus.PENDING, next_attempt_at=now))
    started, claimed = time.perf_counter(), 0
    while claimed < len(ids):
        with deps.sessions.begin() as session:
            got = outbox_store.claim_due(session, now=now, until=now + timedelta(seconds=60), limit=20)
        if not got:
            break
        claimed += len(got)
    timings.append((time.perf_counter() - started) * 1000 / max(claimed, 1))
    deps.engine.dispose()
    return timings[0], timings[1], timings[2]


def acks_with(web_workers: int, url: str, requests: int = 200) -> tuple[float, float]:
    emu = emulator()
    settings = settings_for(fresh_database(url), emu)
    migrate.upgrade(build_deps(settings).engine)
    with tempfile.TemporaryDirectory() as folder:
        port = 3900 + web_workers
        server = subprocess.Popen(  # noqa: S603
            [
                str(BIN / "gunicorn"),
                "-w",
                str(web_workers),
                "--threads",
                "4",
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "error",
                "bot.wsgi:application",
            ],
            env=environment(settings),
            cwd=folder,
        )
        transport = HttpTransport(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET, timeout=10)
        payload = payloads.slash_command(
            command="/case",
            text="help",
            user_id="UMERE001",
            user_name="mere",
            channel_id="CCASES01",
            channel_name="cases",
            team_id=TEAM_ID,
        )
        try:
            for _ in range(100):  # gunicorn's workers load the app on their first request
                try:
                    transport.deliver("slash_commands", payload)
                    break
                except OSError:
                    time.sleep(0.2)

            def one(_n: int) -> float:
                started = time.perf_counter()
                transport.deliver("slash_commands", payload)
                return (time.perf_counter() - started) * 1000

            with ThreadPoolExecutor(8) as pool:
                times = sorted(pool.map(one, range(requests)))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            emu.stop()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument(
        "--batches",
        type=int,
        nargs="+",
        default=[1, 20],
        help="claim batch sizes to compare (1: one row at a time)",
    )
    parser.add_argument("--web", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--no-claims", dest="claims", action="store_false", help="skip part 2")
    parser.add_argument("--postgres", default=DEFAULT_PG, help="a URL whose database may be dropped")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds each post takes to answer (real Slack: ~0.1)"
    )
    args = parser.parse_args()
    print(
        f"{args.rows:,} due DMs to {PEOPLE:,} people, Slack's posting rate on, each post answered "
        f"{args.latency * 1000:.0f} ms late, on {os.cpu_count()} cores:"
    )
    base: dict[int, float] = {}
    for workers in args.workers:
        seconds = {}
        for batch in args.batches:  # one row at a time (before), then in batches (after), interleaved
            run = deliver_with(workers, args.rows, args.postgres, args.latency, batch)
            seconds[batch] = run["seconds"]
            base.setdefault(batch, run["seconds"])
            print(
                f"  {workers} worker(s), claim batch {batch:2d}: {run['seconds']:7.1f} s  "
                f"{args.rows / run['seconds']:6.0f} rows/s  "
                f"speed-up over 1 worker {base[batch] / run['seconds']:4.2f}  "
                f"duplicates {run['duplicates']:.0f}  lost {run['lost']:.0f}  429s {run['refused']:.0f}",
                flush=True,
            )
        if len(seconds) == 2:
            one, batched = (seconds[b] for b in args.batches)
            print(
                f"  {workers} worker(s): batched claims / one-row leases, rows/s: {one / batched:4.2f}",
                flush=True,
            )
    if args.claims:
        won, lost, batched = claim_costs(args.postgres)
        print(
            f"Claim per item: a one-row lease {won:.2f} ms when it wins, {lost:.2f} ms when another has it; "
            f"a 20-row SKIP LOCKED batch {batched:.2f} ms a row ({won / batched:.1f}x less than a won lease)"
        )
    for web_workers in args.web:
        median, p95 = acks_with(web_workers, args.postgres)
        print(f"gunicorn -w {web_workers}: ack median {median:.0f} ms, 95th percentile {p95:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
