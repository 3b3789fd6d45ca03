"""`casebot sweep` as cron runs it: settings from the environment, the wall clock, one pass, one summary line.

A case is opened in a Sandbox (hand-moved clock, Wed 25 Nov 2026); the Sandbox's App then goes away and
only its emulator stays up as "Slack". freezegun sets the wall clock that `bot.deps.system_clock` reads.
"""

from __future__ import annotations

import os

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from bot import cli, startup
from bot.config import ephemeral_data_keys
from bot.sandbox.harness import ADMIN, CASE_CHANNEL, Sandbox
from storage.db import make_engine, make_sessions
from storage.models import OutboxMessage, OutboxStatus, ReminderClaim, ScheduleItem
from tests.journey import open_case

DUE = "2026-12-01 21:00:00"  # UTC: Wed 2 Dec 10:00 NZDT, the first discussion's thread post
JUST_BEFORE = "2026-12-01 20:59:00"


@pytest.fixture
def opened(database_url, clock):
    """(emulator, card): a case opened through Slack, then the bot process stopped; Slack stays up."""
    box = Sandbox(database_url=database_url, clock=clock, rate_limits=False)
    try:
        card = open_case(box)
    finally:
        box.close(keep_emulator=True)
    yield box.emu, card
    box.emu.stop()


@pytest.fixture
def env(monkeypatch, opened, database_url):
    emu, _ = opened
    for name in list(os.environ):
        if name.startswith(("SLACK_", "CASEBOT_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("SLACK_BOT_TOKEN", emu.bot_token)
    monkeypatch.setenv("SLACK_API_URL", emu.base_url)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CASEBOT_DATA_KEYS", ",".join(ephemeral_data_keys()))
    monkeypatch.setenv("CASEBOT_DEFAULT_TIMEZONE", "Pacific/Auckland")
    monkeypatch.setenv("CASEBOT_HOLIDAY_COUNTRY", "NZ")
    monkeypatch.setenv("CASEBOT_HOLIDAY_REGION", "AUK")
    # The sandbox's own administrator: otherwise the daily check of who can read the case thread would
    # count her as someone outside the case, and the first sweep would update the card to say so.
    monkeypatch.setenv("CASEBOT_ADMINS", ADMIN)
    return monkeypatch


@pytest.fixture(autouse=True)
def cli_engines(monkeypatch):
    """The CLI exits without disposing its engine; close its connections so the next test's reset works."""
    made = []

    def build_deps(settings, **kwargs):
        made.append(real(settings, **kwargs))
        return made[-1]

    real = startup.build_deps
    monkeypatch.setattr(startup, "build_deps", build_deps)
    yield made
    for deps in made:
        deps.engine.dispose()


def sweep_at(when: str, capsys) -> tuple[int, list[str], str]:
    with freeze_time(when):
        code = cli.main(["sweep"])
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err


def stored(database_url: str, model) -> list:
    engine = make_engine(database_url)
    try:
        with make_sessions(engine)() as session:
            return list(session.scalars(select(model).order_by(model.id)))
    finally:
        engine.dispose()


def thread_replies(emu, card: dict) -> list[dict]:
    return emu.thread(CASE_CHANNEL, card["ts"])[1:]


def test_sweep_posts_the_due_thread_reminder_and_prints_what_it_queued_and_sent(
    env, opened, database_url, capsys
):
    emu, card = opened
    code, lines, _ = sweep_at(JUST_BEFORE, capsys)
    assert code == 0
    # Nothing is due in the thread yet, so the outbox sends nothing; the manager's weekly digest for this
    # week goes (Monday 09:00 has passed in her zone), once: the next sweep does not send it again.
    (summary,) = lines
    assert "queued 0 reminders" in summary and "1 weekly digest sent; sent 0," in summary
    assert [m["text"] for m in thread_replies(emu, card)] == [
        "Co-working agreement v1 for case CASE-2026-014"
    ]

    code, lines, _ = sweep_at(DUE, capsys)
    assert code == 0
    (summary,) = lines
    assert summary.startswith("casebot: looked at 1 due items, queued 1 reminders, marked 0 missed;")
    assert "sent 2," in summary and "dead-lettered 0." in summary  # the thread post and the card's update

    reminder = thread_replies(emu, card)[-1]
    assert reminder["text"] == "Reflective discussion for case CASE-2026-014"
    (row,) = [r for r in stored(database_url, OutboxMessage) if r.kind == "reminder"]
    assert (row.status, row.result["ts"]) == (OutboxStatus.SENT, reminder["ts"])
    assert reminder["metadata"]["event_payload"] == {"outbox_id": row.id}
    discussion = next(i for i in stored(database_url, ScheduleItem) if i.kind.value == "discussion")
    assert [(c.item_id, c.level, c.round) for c in stored(database_url, ReminderClaim)] == [
        (discussion.id, 0, 0)
    ]
    assert [c.params["ts"] for c in emu.calls_to("chat.update")] == [card["ts"]], "the card shows it is due"


def test_second_sweep_at_the_same_time_sends_nothing(env, opened, database_url, capsys):
    emu, card = opened
    assert sweep_at(DUE, capsys)[0] == 0
    posts = len(emu.calls_to("chat.postMessage"))

    code, (summary,), _ = sweep_at(DUE, capsys)
    assert code == 0
    assert "queued 0 reminders" in summary and "sent 0," in summary
    assert len(emu.calls_to("chat.postMessage")) == posts
    assert len(thread_replies(emu, card)) == 2, "the agreement and one reminder"
    assert len(stored(database_url, ReminderClaim)) == 1


def test_sweep_without_a_bot_token_exits_2_with_one_clear_line(env, opened, capsys):
    emu, _ = opened
    env.delenv("SLACK_BOT_TOKEN")
    posts = len(emu.calls_to("chat.postMessage"))
    code, lines, err = sweep_at(DUE, capsys)
    assert code == 2
    assert lines == []
    (message,) = err.strip().splitlines()
    assert message.startswith("casebot: SLACK_BOT_TOKEN is not set")
    assert len(emu.calls_to("chat.postMessage")) == posts, "nothing was sent"
