"""An acknowledged event is never lost, checked the hard way (issue 17): a `casebot run --http` process is
killed with SIGKILL in the middle of a burst of thread replies, and every reply it had acknowledged is in
the database afterwards. Slack never sends an acknowledged event again, so one acked and then lost with
the process would be gone for good; one not acked is Slack's to retry."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import select

from bot.config import child_environment
from bot.sandbox import payloads
from bot.sandbox.driver import HttpTransport
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, SIGNING_SECRET, TEAM_ID
from storage.models import ThreadMessage
from tests.discussion_steps import start
from tests.journey import open_case

CASEBOT = Path(sys.executable).with_name("casebot")
REPLIES = 600
KILL_AFTER = 100  # acknowledged replies
CLIENTS = 4


def reply(n: int, thread_ts: str) -> tuple[str, dict]:
    ts = f"{1796529600 + n}.000100"
    event = payloads.message_event(
        user_id=DEVELOPING,
        channel_id=CASE_CHANNEL,
        text=f"Reply {n}: I saw them at home on Monday.",
        ts=ts,
        thread_ts=thread_ts,
        team_id=TEAM_ID,
    )
    return ts, payloads.event_callback(team_id=TEAM_ID, event=event, event_id=f"Ev{n:09d}")


def casebot_run(box) -> tuple[subprocess.Popen[str], str]:
    """`casebot run --http` on the sandbox's database, emulator and data keys, and the address it serves."""
    env = child_environment(box.settings) | {"CASEBOT_SWEEP_EVERY_SECONDS": "3600"}
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [str(CASEBOT), "run", "--http", "--host", "127.0.0.1", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "listening on " in line, line
    threading.Thread(target=process.stdout.read, daemon=True).start()  # drain what it prints later
    return process, line.split("listening on ", 1)[1].strip()


def test_every_reply_acked_before_sigkill_is_stored(http_sandbox):
    box = http_sandbox
    card = open_case(box)
    start(box, card)
    process, url = casebot_run(box)
    transport = HttpTransport(url, SIGNING_SECRET, timeout=10)
    acked: list[str] = []
    refused: list[int] = []
    lock = threading.Lock()
    killed = threading.Event()

    def send(n: int) -> None:
        ts, payload = reply(n, card["ts"])
        try:
            answer = transport.deliver("events_api", payload)
        except OSError:  # killed: the connection was reset or refused
            return
        with lock:
            if answer.status != 200:
                refused.append(answer.status)
                return
            acked.append(ts)
            if len(acked) >= KILL_AFTER and not killed.is_set():
                killed.set()
                process.send_signal(signal.SIGKILL)  # no shutdown, no flush: as a crash

    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(send, range(REPLIES)))
    finally:
        process.kill()
        process.wait(30)
    assert killed.is_set() and not refused, refused
    assert KILL_AFTER <= len(acked) < REPLIES  # the process died mid-burst, with replies still to come
    with box.deps.sessions() as session:
        stored = set(
            session.scalars(select(ThreadMessage.ts).where(ThreadMessage.channel_id == CASE_CHANNEL))
        )
    lost = [ts for ts in acked if ts not in stored]
    assert not lost, f"{len(lost)} of {len(acked)} acknowledged replies were lost with the process"
