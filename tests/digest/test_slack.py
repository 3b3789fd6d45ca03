"""The weekly digest as a manager receives it: a DM with the chart uploaded by files upload v2, its alt
text, once a week across sweeps and sweepers, only the latest week after downtime; `/case digest`."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from bot import jobs
from bot.sandbox.harness import CASE_CHANNEL, COLLEAGUE, LEAD, MANAGER, Sandbox
from storage.models import FollowUpClaim
from tests.journey import make_manager, open_case
from tests.reminder_steps import nz, rows
from tests.reminders.test_durability import new_deps

PNG = b"\x89PNG\r\n\x1a\n"


def digests(box, user: str = MANAGER) -> list[dict]:
    return [f for f in box.emu.files if f["user"] == user and f["filename"].startswith("casebot-digest-")]


def test_the_digest_arrives_once_a_week_with_its_chart_and_alt_text(sandbox, clock):
    open_case(sandbox)  # Wed 25 Nov 10:00 NZDT: the week's moment (Mon 23 Nov 09:00) has passed
    make_manager(sandbox, COLLEAGUE)  # a manager with no cases gets nothing
    assert jobs.run_digests(sandbox.deps) == 1
    assert jobs.run_digests(sandbox.deps) == 0  # the same week: claimed
    (sent,) = digests(sandbox)
    assert sent["content"].startswith(PNG) and sent["filename"] == "casebot-digest-2026-11-24.png"
    assert sent["alt_txt"].startswith(
        "Line chart of co-working health across your 1 case over the last 12 weeks"
    )
    comment = sent["initial_comment"]
    assert comment.startswith("*Your weekly casebot digest* for the week to Wed 25 Nov 2026: 1 open case.")
    assert "Discussions held: none due; notes on time: none due; actions done: none due." in comment
    assert "*Drift signals*: none." in comment
    (share,) = [m for m in sandbox.emu.dms(MANAGER) if m.get("files")]
    assert share["files"][0]["id"] == sent["id"]
    assert digests(sandbox, COLLEAGUE) == []

    clock.move_to(nz(30, 8, 59, month=11))  # Mon 30 Nov 08:59 NZDT: not yet
    assert jobs.run_digests(sandbox.deps) == 0
    clock.move_to(nz(30, 9, 0, month=11))
    assert jobs.run_digests(sandbox.deps) == 1
    assert "*Due next week*: 1 discussion, " in digests(sandbox)[-1]["initial_comment"]  # Wed 2 Dec

    clock.move_to(nz(24, 12))  # three weeks of downtime: only the latest week's digest
    assert jobs.run_digests(sandbox.deps) == 1 and jobs.run_digests(sandbox.deps) == 0
    assert sorted(c.round for c in rows(sandbox, FollowUpClaim, subject="digest")) == [202648, 202649, 202652]


def test_digest_off_on_and_now(http_sandbox, clock):
    box = http_sandbox
    open_case(box)
    say = lambda user, text: box.driver.slash(user, text, CASE_CHANNEL).text  # noqa: E731
    assert say(MANAGER, "digest off") == "Your weekly digest is off. `/case digest on` turns it back on."
    assert jobs.run_digests(box.deps) == 0 and digests(box) == []
    assert say(MANAGER, "digest now") == "I'm putting your digest together; it will arrive by DM in a moment."
    assert len(digests(box)) == 1  # sent now, off or not, and not counted against the week
    assert say(MANAGER, "digest on") == "Your weekly digest is on: every Mon 09:00 in your own time zone."
    assert jobs.run_digests(box.deps) == 1 and len(digests(box)) == 2
    assert (
        say(MANAGER, "digest sometimes") == "Use `/case digest off`, `/case digest on` or `/case digest now`."
    )
    assert say(LEAD, "digest now") == "The weekly digest is for managers: it covers the cases they manage."
    make_manager(box, COLLEAGUE)
    assert say(COLLEAGUE, "digest now") == "You manage no open cases, so there is no digest to send."


def test_two_sweepers_send_the_weeks_digest_exactly_once(http_sandbox, clock):
    box = http_sandbox
    open_case(box)
    box.emu.inject_timeout("files.getUploadURLExternal", seconds=0.05, times=None)  # uploads overlap
    sweepers = [new_deps(box), new_deps(box)]
    start = threading.Barrier(2)

    def one(deps):
        start.wait(timeout=10)
        return jobs.run_digests(deps)

    try:
        for moment in (datetime(2026, 11, 24, 21, tzinfo=UTC), nz(30, 9, month=11)):
            clock.move_to(moment)
            with ThreadPoolExecutor(max_workers=2) as pool:
                sent = [f.result() for f in [pool.submit(one, d) for d in sweepers]]
            assert sum(sent) == 1
        assert len(digests(box)) == 2
    finally:
        for deps in sweepers:
            deps.engine.dispose()


def test_a_digest_moment_outside_working_time_waits_for_the_managers_next_working_window(database_url, clock):
    with Sandbox(database_url=database_url, clock=clock, rate_limits=False, digest_at="Sun 10:00") as box:
        open_case(box)
        assert jobs.run_digests(box.deps) == 1  # Sun 22 Nov's digest, sent from Mon 23 Nov 09:00
        clock.move_to(nz(29, 12, month=11))  # Sun 29 Nov 12:00 NZDT: the moment has passed, working time not
        assert jobs.run_digests(box.deps) == 0
        clock.move_to(nz(30, 8, 59, month=11))
        assert jobs.run_digests(box.deps) == 0
        clock.move_to(nz(30, 9, month=11))  # Mon 30 Nov 09:00: the start of Mere's working day
        assert jobs.run_digests(box.deps) == 1
        assert sorted(c.round for c in rows(box, FollowUpClaim, subject="digest")) == [202647, 202648]
