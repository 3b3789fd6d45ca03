"""Delivering a burst of thread posts to one busy channel under Slack's posting rate.

60 thread posts are queued in one case's thread, and 3 DMs beside them, against the emulator with
Slack's per-channel rate on (about one post a second, short bursts allowed; 429 with Retry-After past
it). Time is the emulator's and casebot's shared clock, moved the way each design moves it:

- before (issue 17): no pacing, a delivery pass every 15 s (the old scheduler job); each 429
  reschedules only the row that got it;
- after: the outbox paces per channel (bot/outbox/rules_pacing.py), and the delivery loop
  (bot/outbox/loop.py) sleeps until the next row's turn.

Printed: Slack-time to deliver everything, the 429s Slack answered, Slack calls made, and when the
DMs (another channel) went out. Figures are printed, never asserted.

    .venv/bin/python benchmarks/delivery.py
    .venv/bin/python benchmarks/delivery.py --posts 120
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from bot.kernel import thread  # noqa: E402
from bot.outbox import delivery  # noqa: E402
from bot.outbox.loop import DeliveryLoop  # noqa: E402
from bot.sandbox.demo import START  # noqa: E402
from bot.sandbox.harness import LEAD, MANAGER, TEAM_ID, ManualClock, Sandbox  # noqa: E402
from storage import repository as repo  # noqa: E402
from storage.models import Case, OutboxKind, OutboxMessage, OutboxStatus  # noqa: E402
from tests.journey import open_case  # noqa: E402

OLD_PASS_SECONDS = 15


def run(paced: bool, posts: int, folder: Path) -> dict[str, float]:
    clock = ManualClock(START)
    name = "after" if paced else "before"
    with Sandbox(database_url=f"sqlite:///{folder / f'{name}.db'}", mode="http", clock=clock) as box:
        open_case(box)
        delivery.pace_calls(box.deps, on=paced)
        clock.advance(seconds=60)  # the case's own posts are long gone
        with box.deps.sessions.begin() as session:
            case = session.scalars(select(Case)).one()
            for n in range(posts):
                thread.note(session, case, f"Thread note {n:03d}", clock())
            dms = [
                repo.enqueue(
                    session,
                    team_id=TEAM_ID,
                    kind=OutboxKind.DM,
                    payload={"user_id": user, "text": f"DM {n}"},
                    now=clock(),
                ).id
                for n, user in enumerate((LEAD, MANAGER, LEAD))
            ]
        calls_before = len(box.emu.calls_to("chat.postMessage"))
        start: datetime = clock()
        loop = DeliveryLoop(box.deps)  # not started: its sleep is simulated by moving the clock
        dms_done: float | None = None
        for _ in range(100_000):
            delivery.deliver_due(box.deps)
            with box.deps.sessions() as session:
                statuses = dict(session.execute(select(OutboxMessage.id, OutboxMessage.status)).all())
            if dms_done is None and all(statuses[i] == OutboxStatus.SENT for i in dms):
                dms_done = (clock() - start).total_seconds()
            if all(s == OutboxStatus.SENT for s in statuses.values()):
                break
            wait = loop.seconds_to_next_row() if paced else OLD_PASS_SECONDS
            clock.advance(seconds=wait)
        calls = box.emu.calls_to("chat.postMessage")[calls_before:]
        return {
            "seconds": (clock() - start) / timedelta(seconds=1),
            "refused": sum(1 for c in calls if c.status == 429),
            "calls": len(calls),
            "dms": dms_done or 0.0,
        }


def main() -> None:
    logging.getLogger("bot.outbox").setLevel(logging.ERROR)  # the "before" run's 429 warnings
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        before = run(False, args.posts, Path(folder))
        after = run(True, args.posts, Path(folder))
    print(f"{args.posts} thread posts to one channel and 3 DMs, Slack's posting rate on (emulator time):")
    print(f"{'':28}{'before':>10}{'after':>10}")
    for label, key, unit in (
        ("time to deliver all", "seconds", "s"),
        ("429s from Slack", "refused", ""),
        ("chat.postMessage calls", "calls", ""),
        ("the DMs were out after", "dms", "s"),
    ):
        print(f"{label:28}{before[key]:>9.0f}{unit:1}{after[key]:>9.0f}{unit:1}")
    ratio = after["seconds"] / before["seconds"] if before["seconds"] else float("nan")
    print(f"ratio after/before, time: {ratio:.2f}; 429s: {after['refused']:.0f} vs {before['refused']:.0f}")


if __name__ == "__main__":
    main()
