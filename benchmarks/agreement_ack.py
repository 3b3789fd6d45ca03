"""How long saving the agreement form takes to be acknowledged, for 2, 6 and 10 co-workers.

Slack waits 3 s for the acknowledgement. The real casebot runs against the emulator over signed HTTP,
with every users.info, users.list and conversations.info answered 250 ms late. For each team size:

- before: what the listener did before its ack until issue 12, timed the same way in the same
  process: users.info for each co-worker and the lead, then conversations.info, then the ack (the
  save itself is the same both ways, so it is added from the measured "after" figure);
- after: the time from POSTing the submission to the acknowledgement's answer (no Slack call comes
  first now: people come from the cache users.list filled when the form opened).

Figures are printed, never asserted; tests check the order of calls instead.

    .venv/bin/python benchmarks/agreement_ack.py
    .venv/bin/python benchmarks/agreement_ack.py --latency 0.25 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.ids import Block  # noqa: E402
from bot.kernel import people  # noqa: E402
from bot.sandbox import payloads  # noqa: E402
from bot.sandbox.demo import AGREEMENT, START  # noqa: E402
from bot.sandbox.harness import (  # noqa: E402
    ADMIN,
    CASE_CHANNEL,
    DEVELOPING,
    LEAD,
    MANAGER,
    TEAM_ID,
    ManualClock,
    Sandbox,
)

SLOW = ("users.info", "users.list", "conversations.info")


def one_run(size: int, latency: float, folder: Path, run: int) -> tuple[float, float]:
    """(before, after) in seconds for one submission naming `size` co-workers."""
    extra = [f"UBENCH{n:03d}" for n in range(size - 2)]
    database = f"sqlite:///{folder / f'ack-{size}-{run}.db'}"
    with Sandbox(database_url=database, mode="http", clock=ManualClock(START)) as box:
        for user_id in extra:
            box.emu.add_user(user_id, name=user_id.lower(), tz="Pacific/Auckland")
        box.driver.slash(ADMIN, f"admin manager add <@{MANAGER}|mere>", CASE_CHANNEL)
        for method in SLOW:
            box.emu.inject_timeout(method, latency, times=None)
        box.driver.slash(MANAGER, "open", CASE_CHANNEL)  # the form, then users.list into the cache
        view = box.emu.open_views_for(MANAGER)[-1]
        answers = {**AGREEMENT, Block.COWORKERS: [LEAD, DEVELOPING, *extra]}
        values = payloads.state_values_from_inputs(view["blocks"], answers)
        payload = payloads.view_submission(user_id=MANAGER, team_id=TEAM_ID, view=view, values=values)

        client = box.app.client
        started = time.perf_counter()
        people.look_up_users(client, [LEAD, DEVELOPING, *extra, LEAD])  # as the old listener did
        client.conversations_info(channel=CASE_CHANNEL)
        old_calls = time.perf_counter() - started

        started = time.perf_counter()
        answer = box.driver.transport.deliver("interactive", payload)
        after = time.perf_counter() - started
        box.deps.executor.wait_idle()
        if answer.status != 200 or (answer.json or {}).get("errors"):
            raise SystemExit(f"the submission was refused: {answer.body}")
        return old_calls + after, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.25, help="seconds per slow Slack call")
    parser.add_argument("--repeat", type=int, default=3, help="runs per team size (median printed)")
    args = parser.parse_args()
    print(f"agreement form: time to acknowledgement, Slack calls at {args.latency * 1000:.0f} ms each")
    print(f"{'co-workers':>10}  {'before':>8}  {'after':>8}")
    with tempfile.TemporaryDirectory(prefix="casebot-bench-") as tmp:
        for size in (2, 6, 10):
            runs = [one_run(size, args.latency, Path(tmp), run) for run in range(args.repeat)]
            before = statistics.median(r[0] for r in runs)
            after = statistics.median(r[1] for r in runs)
            print(f"{size:>10}  {before:>7.2f}s  {after:>7.2f}s")


if __name__ == "__main__":
    main()
