"""Thread replies stored per second during a discussion, against the necessary work in the same run.

In process (no HTTP): casebot's capture flow (`capture.flows.on_message`: the event's claim row, the
case and discussion looked up, the author's right to take part checked, the reply encrypted and stored
with what it marks) against one raw SQLAlchemy Core transaction per event doing the same dedupe insert
and message insert (plain text: the floor without casebot's checks), and a raw sqlite3 insert+commit
loop beside them (the physical floor, not the goal). The two are timed in alternating rounds, so both
see the same load on a busy machine. Issue 17's goal: casebot at half the Core rate or better.
Figures are printed, never asserted.

    .venv/bin/python benchmarks/events.py
    .venv/bin/python benchmarks/events.py --events 2000
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from bot.capture import flows as replies  # noqa: E402
from bot.sandbox.demo import START  # noqa: E402
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, TEAM_ID, ManualClock, Sandbox  # noqa: E402
from storage.models import Case, Discussion, ProcessedEvent, ThreadMessage  # noqa: E402
from tests.discussion_steps import start  # noqa: E402
from tests.journey import open_case  # noqa: E402


def event(n: int, thread_ts: str) -> dict:
    return {
        "type": "message",
        "channel": CASE_CHANNEL,
        "user": DEVELOPING,
        "text": f"Reply {n}: I saw them at home on Monday with mum.",
        "ts": f"{1796529600 + n}.000100",
        "thread_ts": thread_ts,
    }


def rates(folder: Path, events: int, rounds: int) -> tuple[float, float, int]:
    """(casebot events/s, Core events/s, replies casebot stored), timed in alternating rounds so that
    both see the same machine load."""
    with (
        Sandbox(database_url=f"sqlite:///{folder / 'casebot.db'}", clock=ManualClock(START)) as ours,
        Sandbox(database_url=f"sqlite:///{folder / 'core.db'}", clock=ManualClock(START)) as raw,
    ):
        card = open_case(ours)
        start(ours, card)
        open_case(raw)
        start(raw, raw.emu.messages(CASE_CHANNEL)[-1])
        with raw.deps.sessions() as session:
            case_id = session.scalars(select(Case.id)).one()
            discussion_id = session.scalars(select(Discussion.id)).one()
        now = datetime(2026, 12, 9, 21, 0, tzinfo=UTC)
        per_round = events // rounds
        spent = {"casebot": 0.0, "core": 0.0}
        for r in range(rounds):
            numbers = range(r * per_round, (r + 1) * per_round)
            began = time.perf_counter()
            for n in numbers:
                replies.on_message(
                    ours.deps, team_id=TEAM_ID, event=event(n, card["ts"]), event_id=f"Ev{n:08d}"
                )
            spent["casebot"] += time.perf_counter() - began
            began = time.perf_counter()
            for n in numbers:
                with raw.deps.engine.begin() as conn:
                    conn.execute(
                        insert(ProcessedEvent.__table__).values(
                            team_id=TEAM_ID, key=f"event:Ev{n:08d}", kind="message", processed_at=now
                        )
                    )
                    conn.execute(
                        insert(ThreadMessage.__table__).values(
                            team_id=TEAM_ID,
                            case_id=case_id,
                            discussion_id=discussion_id,
                            channel_id=CASE_CHANNEL,
                            ts=f"{1796529600 + n}.000100",
                            author_id=DEVELOPING,
                            received_at=now,
                        )
                    )
            spent["core"] += time.perf_counter() - began
        with ours.deps.sessions() as session:
            stored = len(session.scalars(select(ThreadMessage.id)).all())
    done = per_round * rounds
    return done / spent["casebot"], done / spent["core"], stored


def sqlite_floor(folder: Path, events: int) -> float:
    db = sqlite3.connect(folder / "floor.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, ts TEXT UNIQUE, text TEXT)")
    began = time.perf_counter()
    for n in range(events):
        db.execute("BEGIN")
        db.execute("INSERT INTO m (ts, text) VALUES (?, ?)", (str(n), "Reply"))
        db.execute("COMMIT")
    return events / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        ours, core, stored = rates(folder, args.events, rounds=10)
        floor = sqlite_floor(folder, args.events)
    print(f"{args.events} thread replies in one discussion, SQLite, in process:")
    print(f"  casebot's capture flow:            {ours:8.0f} events/s  ({stored} stored)")
    print(f"  raw Core dedupe + insert per event: {core:8.0f} events/s")
    print(f"  raw sqlite3 insert + commit:       {floor:8.0f} events/s  (the floor, not the goal)")
    print(f"ratio casebot / Core: {ours / core:.2f} (goal: at least 0.5)")


if __name__ == "__main__":
    main()
