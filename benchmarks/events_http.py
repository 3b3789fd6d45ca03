"""Thread replies over signed HTTP: stored per second against a bare bolt app, and memory over 20,000.

Both apps sit behind the same WSGI server and request guard (bot/http_server.py, bot/wsgi.py) and get the
same signed `message` events (a co-worker's reply in the case thread during a discussion) from 4 client
threads at once, in alternating rounds so both see the same machine load:

- casebot, as `casebot run --http` serves it (the reply stored and committed before the ack);
- a bare slack_bolt app that stores each event with one raw insert + commit (its event id as the
  de-dupe key, and the text) in its own SQLite file before acking: the necessary work.

Printed: events a second for each and their ratio (issue 17's goal: casebot at 0.5 or better), how
many of casebot's replies were stored when the last ack went out (goal: all), and casebot's resident
memory (this process, which serves it) before and after a longer burst (default 20,000; goal: growth
under 20%). Figures are printed, never asserted.

    .venv/bin/python benchmarks/events_http.py
    .venv/bin/python benchmarks/events_http.py --events 2000 --burst 20000
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slack_bolt import App  # noqa: E402
from slack_bolt.authorization import AuthorizeResult  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot import http_server  # noqa: E402
from bot.sandbox import payloads  # noqa: E402
from bot.sandbox.demo import START  # noqa: E402
from bot.sandbox.driver import HttpTransport  # noqa: E402
from bot.sandbox.harness import (  # noqa: E402
    CASE_CHANNEL,
    DEVELOPING,
    SIGNING_SECRET,
    TEAM_ID,
    ManualClock,
    Sandbox,
)
from bot.startup import favour_acks  # noqa: E402
from bot.wsgi import make_wsgi_app  # noqa: E402
from storage.models import ThreadMessage  # noqa: E402
from tests.discussion_steps import start  # noqa: E402
from tests.journey import open_case  # noqa: E402

CLIENTS = 4


def bare_bolt(database: Path) -> http_server.ThreadingWSGIServer:
    """A bolt app doing only the necessary work: each event stored, with one insert and commit."""
    known = AuthorizeResult(enterprise_id=None, team_id=TEAM_ID, bot_token="xoxb-bare", bot_user_id="UBARE")
    app = App(signing_secret=SIGNING_SECRET, authorize=lambda **_kw: known)
    setup = sqlite3.connect(database)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, event_id TEXT UNIQUE, ts TEXT, text TEXT)")
    setup.close()
    local = threading.local()

    def connection() -> sqlite3.Connection:
        if not hasattr(local, "db"):
            local.db = sqlite3.connect(database, isolation_level=None, timeout=30)
            local.db.execute("PRAGMA synchronous=NORMAL")
        return local.db

    @app.event("message")
    def stored(body, event) -> None:  # type: ignore[no-untyped-def]
        db = connection()
        db.execute(
            "INSERT OR IGNORE INTO m (event_id, ts, text) VALUES (?, ?, ?)",
            (body["event_id"], event["ts"], event["text"]),
        )

    server = http_server.serve("127.0.0.1", 0, make_wsgi_app(app), handler_class=http_server.QuietHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


def reply(n: int, thread_ts: str) -> dict:
    event = payloads.message_event(
        user_id=DEVELOPING,
        channel_id=CASE_CHANNEL,
        text=f"Reply {n}: I saw them at home on Monday with mum.",
        ts=f"{1796529600 + n}.000100",
        thread_ts=thread_ts,
        team_id=TEAM_ID,
    )
    return payloads.event_callback(team_id=TEAM_ID, event=event, event_id=f"Ev{n:09d}")


def burst(transport: HttpTransport, numbers: range, thread_ts: str) -> float:
    """Seconds to send these events from CLIENTS threads, each acknowledged."""

    def send(n: int) -> None:
        answer = transport.deliver("events_api", reply(n, thread_ts))
        assert answer.status == 200, answer.status

    began = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(send, numbers))
    return time.perf_counter() - began


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stored_replies(box: Sandbox) -> int:
    with box.deps.sessions() as session:
        return session.scalar(select(func.count(ThreadMessage.id))) or 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000, help="events per app for the rate")
    parser.add_argument("--burst", type=int, default=20000, help="events for the memory figure (0: skip)")
    args = parser.parse_args()
    rounds = 10
    favour_acks()  # as prepare() does for `casebot run`; the bare app shares the process, and the setting
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        with Sandbox(
            database_url=f"sqlite:///{folder / 'casebot.db'}", mode="http", clock=ManualClock(START)
        ) as box:
            card = open_case(box)
            start(box, card)
            server = bare_bolt(folder / "bare.db")
            casebot = HttpTransport(box.driver.transport.url, SIGNING_SECRET, timeout=30)
            bare = HttpTransport(
                f"http://127.0.0.1:{server.server_address[1]}/slack/events", SIGNING_SECRET, timeout=30
            )
            try:
                spent = {"casebot": 0.0, "bare": 0.0}
                per_round = args.events // rounds
                before = stored_replies(box)
                for r in range(rounds):
                    numbers = range(r * per_round, (r + 1) * per_round)
                    spent["casebot"] += burst(casebot, numbers, card["ts"])
                    spent["bare"] += burst(bare, numbers, card["ts"])
                at_last_ack = stored_replies(box) - before
                box.deps.executor.wait_idle()
                done = per_round * rounds
                ours, base = done / spent["casebot"], done / spent["bare"]
                print(f"{done} thread replies over signed HTTP from {CLIENTS} clients, SQLite:")
                print(f"  casebot:                          {ours:8.0f} events/s")
                print(f"  bare bolt, raw insert + commit:   {base:8.0f} events/s")
                print(f"  ratio casebot / bare: {ours / base:.2f} (goal: at least 0.5)")
                print(f"  stored when the last ack went out: {at_last_ack} of {done} (goal: all)")
                if args.burst:
                    gc.collect()
                    first = rss_mib()
                    offset = done
                    for chunk in range(0, args.burst, 1000):
                        burst(
                            casebot, range(offset + chunk, offset + min(chunk + 1000, args.burst)), card["ts"]
                        )
                    box.deps.executor.wait_idle()
                    gc.collect()
                    last = rss_mib()
                    print(
                        f"{args.burst} more replies to casebot: RSS {first:.0f} MiB -> {last:.0f} MiB "
                        f"({(last - first) / first:+.0%}; goal: under +20%)"
                    )
            finally:
                server.shutdown()
                server.server_close()


if __name__ == "__main__":
    main()
