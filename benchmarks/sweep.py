"""How the whole scheduled pass's cost grows with the number of scheduled items (it should not).

For each database, builds two workspaces (separate databases, benchmarks/sweep_seed.py): 10,000 and
1,000,000 schedule items, 10 per case (1,000 and 100,000 cases, 10 to a team channel, each with a lead,
a co-worker and a manager, and a year's sent outbox rows and processed Slack events), of which 100 are
due now, each in its own case and channel. Then it alternates between them (small, large, small,
large…, after one untimed warm-up each), resetting the same 100 items to due each time, and times:

- "100 due": `bot.jobs.run_pass` (time zones, urgent alerts, the reminder sweep, late summaries,
  retention, follow-ups, export files, the channel check, App Home refresh, delivery) with a real
  slack_sdk WebClient pointed at the Slack emulator (bot/sandbox/), then the delivery of everything it
  queued: the 100 thread reminders, the 100 re-rendered cards and the App Homes of the 300 people on
  those cases (about three quarters of the time);
- "nothing due": the next minute's pass, with nothing to do: what every pass costs before any work.

It prints the medians, the SQL statements per pass and the ratios large/small (target: under 2).

Delivery is paced as in production: the emulator enforces Slack's posting rate and casebot keeps under
it (bot/outbox/rules_pacing.py: about one post a second per channel, chat.update and views.publish per
workspace at their tier), so it spans minutes of Slack time. That time is the clock casebot and the
emulator share, moved to each next row's turn as the delivery loop (bot/outbox/loop.py) would sleep, so
the figure is work done, never waiting. The due cases are in 100 channels, so their thread posts go in
one burst; the cards and tabs, paced per workspace, take a delivery call per slot, as in production.
Each pass is checked to have done its work (100 reminders swept and posted, every row sent, no error),
so the figure can never silently measure nothing.

SQLite always; PostgreSQL when reachable on 127.0.0.1:5432: the databases `casebot_bench_small` and
`casebot_bench_large` are dropped and created (never your own data); --postgres names another server
and database prefix, --no-postgres skips it. Seeding 1,000,000 items takes 10 s (SQLite) to 40 s (PostgreSQL).

    .venv/bin/python benchmarks/sweep.py            # SQLite, and PostgreSQL on 127.0.0.1 if running
    .venv/bin/python benchmarks/sweep.py --sizes 10000 100000 --repeat 3 --no-postgres
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy import create_engine, event, func, select
from sqlalchemy import text as sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import sweep_seed as seed  # noqa: E402
from bot import jobs  # noqa: E402
from bot.config import Settings, ephemeral_data_keys  # noqa: E402
from bot.deps import build_deps  # noqa: E402
from bot.outbox import delivery  # noqa: E402
from bot.sandbox.emulator import SlackEmulator  # noqa: E402
from bot.sandbox.harness import ManualClock  # noqa: E402
from storage import migrate  # noqa: E402
from storage import outbox as outbox_store  # noqa: E402
from storage.models import OutboxKind, OutboxMessage, OutboxStatus  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/casebot_bench"
HORIZON = timedelta(minutes=30)  # a row due later than this is not this pass's work: a failure


@dataclass
class Workspace:
    """One seeded database, its emulator and the clock they share."""

    label: str
    layout: seed.Layout
    url: str
    # "busy": the pass with 100 due and the delivery after it; "idle": the next pass, nothing due.
    times: dict[str, list[float]] = field(default_factory=lambda: {"busy": [], "idle": []})
    statements: dict[str, list[int]] = field(default_factory=lambda: {"busy": [], "idle": []})

    def build(self) -> Workspace:
        started = time.perf_counter()
        self.clock = ManualClock(seed.NOW)
        self.emu = SlackEmulator(team_id=seed.TEAM).start()
        self.emu.clock = self.emu.ts_clock = lambda: self.clock().timestamp()  # Slack's time is casebot's
        settings = replace(
            Settings(),
            database_url=self.url,
            slack_bot_token=self.emu.bot_token,
            slack_api_url=self.emu.base_url,
            default_timezone="Pacific/Auckland",
            holiday_country="NZ",
            holiday_region="AUK",
            data_keys=ephemeral_data_keys(),
        )
        self.deps = build_deps(settings, clock=self.clock)
        self.client = WebClient(token=self.emu.bot_token, base_url=self.emu.base_url, timeout=10)
        migrate.upgrade(self.deps.engine)
        seed.seed_database(self.deps.engine, self.layout)
        seed.seed_emulator(self.emu, self.deps.engine, self.layout)
        self.counted = 0
        event.listen(self.deps.engine, "before_cursor_execute", self._count)
        print(f"  built {self.label}: {time.perf_counter() - started:.0f} s", flush=True)
        return self

    def _count(self, *_args) -> None:
        self.counted += 1

    def timed_passes(self, *, record: bool = True) -> None:
        """A pass with DUE reminders and their delivery, then a minute later one with nothing due."""
        self.clock.advance(minutes=1)  # the next scheduled pass; paced buckets refill meanwhile
        seed.make_due_again(self.deps.engine, self.layout, self.clock())
        with self.deps.reads() as session:
            self.last_row = session.scalar(select(func.max(OutboxMessage.id))) or 0
        self.emu.clear_calls()
        self.counted, started = 0, time.perf_counter()
        report = jobs.run_pass(self.deps, self.client)
        reports = [report.delivery, *self._deliver_the_rest()]
        busy, busy_statements = time.perf_counter() - started, self.counted
        self._check(report, reports)
        self.clock.advance(minutes=1)
        self.counted, started = 0, time.perf_counter()
        report = jobs.run_pass(self.deps, self.client)
        idle, idle_statements = time.perf_counter() - started, self.counted
        assert report.sweep.looked_at == 0 and report.delivery.sent == 0, report  # nothing due indeed
        if record:
            for name, seconds, statements in (
                ("busy", busy, busy_statements),
                ("idle", idle, idle_statements),
            ):
                self.times[name].append(seconds)
                self.statements[name].append(statements)

    def _deliver_the_rest(self) -> list[delivery.Report]:
        """What the delivery loop does after the pass: deliver, sleep until the next row's turn, again."""
        reports: list[delivery.Report] = []
        for _ in range(10_000):  # a row that never settles fails the check below rather than hanging
            with self.deps.reads() as session:
                due = outbox_store.next_due_at(session)
            if due is None or due > self.clock() + HORIZON:
                return reports
            if due > self.clock():
                self.clock.move_to(due)
            reports.append(delivery.deliver_due(self.deps, self.client))
        return reports

    def _check(self, report: jobs.PassReport, reports: list[delivery.Report]) -> None:
        """The pass did what it is timed for: 100 reminders swept and posted, every row sent, no error."""
        assert report.sweep.reminders == seed.DUE, report.sweep
        assert not any(r.errors or r.dead or r.uncertain for r in reports), reports
        with self.deps.reads() as session:
            rows = session.execute(
                select(OutboxMessage.kind, OutboxMessage.status, func.count())
                .where(OutboxMessage.id > self.last_row)  # this pass's rows
                .group_by(OutboxMessage.kind, OutboxMessage.status)
            ).all()
        counts = {(kind, status): n for kind, status, n in rows}
        assert counts.get((OutboxKind.REMINDER.value, OutboxStatus.SENT), 0) == seed.DUE, counts
        assert all(status == OutboxStatus.SENT for _kind, status in counts), counts
        posts = [c for c in self.emu.calls_to("chat.postMessage") if c.params.get("thread_ts")]
        assert len(posts) == seed.DUE and all(c.status == 200 for c in posts), len(posts)
        assert not self.emu.refusals, self.emu.refusals

    def close(self) -> None:
        self.deps.engine.dispose()
        self.emu.stop()


def postgres_urls(requested: str | None) -> tuple[str, str] | None:
    """The small and large databases' URLs, each dropped and created afresh; None if no server answers."""
    base = requested or DEFAULT_PG
    server, prefix = base.rsplit("/", 1)
    urls = (f"{server}/{prefix}_small", f"{server}/{prefix}_large")
    try:
        admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for url in urls:
                name = url.rsplit("/", 1)[1]
                conn.execute(sql(f'DROP DATABASE IF EXISTS "{name}"'))
                conn.execute(sql(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - no server here: say so and run SQLite only
        print(f"PostgreSQL not available ({type(exc).__name__}); skipping it.")
        return None
    return urls


def run(name: str, urls: tuple[str, str], sizes: list[int], repeat: int) -> None:
    small, large = (
        Workspace(f"{name} {size:,} items", seed.Layout.for_size(size), url).build()
        for size, url in zip(sizes, urls, strict=True)
    )
    try:
        for ws in (small, large):
            ws.timed_passes(record=False)  # warm-up: imports, caches, the App Home refresh mark
        for _ in range(repeat):
            small.timed_passes()
            large.timed_passes()
    finally:
        small.close()
        large.close()
    for ws in (small, large):
        runs = ", ".join(f"{t * 1000:,.0f}" for t in ws.times["busy"])
        print(
            f"  {ws.label:<28} ({ws.layout.cases:>7,} cases): {seed.DUE} due {ms(ws.times['busy']):>7} ms, "
            f"{median(ws.statements['busy'])} statements (runs: {runs}); nothing due "
            f"{ms(ws.times['idle'])} ms, {median(ws.statements['idle'])} statements"
        )
    ratios = {n: statistics.median(large.times[n]) / statistics.median(small.times[n]) for n in large.times}
    print(
        f"  {name} ratio large/small: {seed.DUE} due {ratios['busy']:.2f}, nothing due {ratios['idle']:.2f} "
        "(target < 2)",
        flush=True,
    )


def ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:,.0f}"


def median(counts: list[int]) -> str:
    return f"{statistics.median(counts):,.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", help="server URL and database name prefix (…_small, …_large dropped)")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    logging.getLogger("bot").setLevel(logging.WARNING)
    print(f"Scheduled passes, median of {args.repeat} (with {seed.DUE} due: and the delivery after it):")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = (f"sqlite:///{tmp}/small.db", f"sqlite:///{tmp}/large.db")
        run("SQLite", sqlite, args.sizes, args.repeat)
    if not args.no_postgres and (pg := postgres_urls(args.postgres)):
        run("PostgreSQL", pg, args.sizes, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
