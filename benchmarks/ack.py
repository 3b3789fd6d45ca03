"""How fast casebot acknowledges, against a bare slack_bolt app behind the same server, in one run.

Both apps are served by bot/http_server.py's WSGI server behind the same request guard (bot/wsgi.py),
and receive the same signed requests from the sandbox's HTTP transport: `/case help` (no database),
`/case list` and `/case overdue` for a manager of 200 cases (SQLite; tests/drift/seed.py builds them;
both ack empty and answer on the command's response_url, which the emulator serves). The bare app
acknowledges at once. Requests alternate between the two apps, sequentially and then from 8 threads
at once, so both see the same machine load; printed: p50 and p99 per app and the ratio of p99s
(issue 17's goal: within 1.5x). Figures are printed, never asserted.

    .venv/bin/python benchmarks/ack.py
    .venv/bin/python benchmarks/ack.py --requests 400
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slack_bolt import App  # noqa: E402
from slack_bolt.authorization import AuthorizeResult  # noqa: E402

from bot import http_server  # noqa: E402
from bot.sandbox import payloads  # noqa: E402
from bot.sandbox.demo import START  # noqa: E402
from bot.sandbox.driver import HttpTransport  # noqa: E402
from bot.sandbox.harness import (  # noqa: E402
    CASE_CHANNEL,
    MANAGER,
    SIGNING_SECRET,
    TEAM_ID,
    ManualClock,
    Sandbox,
)
from bot.wsgi import make_wsgi_app  # noqa: E402
from tests.drift.seed import seed  # noqa: E402

THREADS = 8
CASES = (("/case help", "help"), ("/case list, 200 cases", "list"), ("/case overdue, 200 cases", "overdue"))


def bare_bolt() -> http_server.ThreadingWSGIServer:
    # bolt needs to authorize each request; answering from memory keeps it from calling auth.test.
    known = AuthorizeResult(enterprise_id=None, team_id=TEAM_ID, bot_token="xoxb-bare", bot_user_id="UBARE")
    app = App(signing_secret=SIGNING_SECRET, authorize=lambda **_kw: known)

    @app.command("/case")
    def case(ack) -> None:  # type: ignore[no-untyped-def]
        ack("ok")

    server = http_server.serve("127.0.0.1", 0, make_wsgi_app(app), handler_class=http_server.QuietHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


# The emulator that serves each command's response_url (set in main), as Slack gives every command one:
# /case list and /case overdue ack empty and post their answer there after the ack.
HOOKS: list = []


def slash(text: str) -> dict:
    hooks = HOOKS[0] if HOOKS else None
    return payloads.slash_command(
        text=text,
        user_id=MANAGER,
        user_name="mere",
        channel_id=CASE_CHANNEL,
        channel_name="cases-north",
        team_id=TEAM_ID,
        response_url=hooks.response_url_for(kind="commands", user_id=MANAGER, channel_id=CASE_CHANNEL)
        if hooks
        else None,
    )


def timed(transport: HttpTransport, text: str) -> float:
    began = time.perf_counter()
    answer = transport.deliver("slash_commands", slash(text))
    assert answer.status == 200, answer.status
    return (time.perf_counter() - began) * 1000


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(casebot: HttpTransport, bare: HttpTransport, text: str, requests: int) -> dict[str, list[float]]:
    """Sequential, alternating; then THREADS at once, rounds alternating between the apps."""
    seq = {"casebot": [], "bare": []}
    for _ in range(requests):
        seq["casebot"].append(timed(casebot, text))
        seq["bare"].append(timed(bare, text))
    conc = {"casebot": [], "bare": []}
    with ThreadPoolExecutor(THREADS) as pool:
        for _ in range(max(1, requests // THREADS)):
            for name, transport in (("casebot", casebot), ("bare", bare)):
                conc[name] += list(pool.map(lambda _i, t=transport: timed(t, text), range(THREADS)))
    return {"sequential": seq, "concurrent": conc}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        database = f"sqlite:///{Path(name) / 'ack.db'}"
        with Sandbox(database_url=database, mode="http", clock=ManualClock(START)) as box:
            box.driver.slash("UADMIN01", f"admin manager add <@{MANAGER}|mere>", CASE_CHANNEL)
            with box.deps.sessions.begin() as session:
                seed(session, 200, weeks=4, team=TEAM_ID, manager_id=MANAGER)
            HOOKS.append(box.emu)
            server = bare_bolt()
            casebot = HttpTransport(box.driver.transport.url, SIGNING_SECRET, timeout=30)
            bare_url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
            bare = HttpTransport(bare_url, SIGNING_SECRET, timeout=30)
            try:
                for label, text in CASES:
                    found = run(casebot, bare, text, args.requests)
                    for mode, times in found.items():
                        ours, base = times["casebot"], times["bare"]
                        p99, p99_base = percentile(ours, 0.99), percentile(base, 0.99)
                        print(
                            f"{label:24} {mode:10} casebot p50 {statistics.median(ours):7.1f} ms "
                            f"p99 {p99:7.1f} ms | bare bolt p50 {statistics.median(base):6.1f} ms "
                            f"p99 {p99_base:6.1f} ms | p99 ratio {p99 / p99_base:5.2f}"
                        )
            finally:
                server.shutdown()
                server.server_close()


if __name__ == "__main__":
    main()
