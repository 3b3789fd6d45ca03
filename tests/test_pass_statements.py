"""The scheduled pass (bot/jobs.py, every minute) costs the same at 2 cases and at 40: the same statements,
and on SQLite about the same virtual-machine steps, so no statement reads a table that grows with the
caseload (issue 17). It once listed everyone on an open case to find stale time zones, read every open
case to learn the daily channel check was done, and scanned every processed event and outbox row to
refresh App Home tabs: constant in statements, but not in the rows they read.

Steps are SQLite's own count of the work a statement does (its progress handler), not a time: the same
data gives the same count on every machine.
"""

from __future__ import annotations

from dataclasses import replace

from slack_sdk import WebClient
from sqlalchemy import event, select

from bot import jobs
from bot.cases import flows_channel as channels
from bot.config import Settings, ephemeral_data_keys
from bot.content import Content
from bot.deps import Deps
from bot.home import flows as home
from bot.kernel import people, thread
from bot.outbox import delivery
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.harness import ManualClock
from storage.db import make_sessions
from storage.models import Case, Person
from tests.drift.seed import NOW, TEAM, seed

STEP = 1  # the progress handler is called every STEP virtual-machine instructions (counted per statement)


class Meter:
    """Statements run, and SQLite virtual-machine steps taken, while `on`."""

    def __init__(self, engine) -> None:
        self.on, self.statements, self.steps = False, 0, 0
        event.listen(engine, "before_cursor_execute", self._statement)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "checkout", self._watch)

    def __enter__(self) -> Meter:
        self.on, self.statements, self.steps = True, 0, 0
        return self

    def __exit__(self, *_exc) -> None:
        self.on = False

    def _statement(self, *_args) -> None:
        self.statements += self.on

    def _watch(self, dbapi_connection, *_args) -> None:
        dbapi_connection.set_progress_handler(self._step, STEP)

    def _step(self) -> int:
        self.steps += self.on
        return 0  # go on


def settle(deps: Deps, emu: SlackEmulator, client: WebClient, clock: ManualClock) -> None:
    """Passes until one has nothing to do: new people's zones read, due reminders and DMs sent."""
    with deps.sessions() as session:
        people = [p.slack_user_id for p in session.scalars(select(Person))]
    for user in people:
        emu.add_user(user, name=user.lower(), tz="Pacific/Auckland")
        home.opened(deps, team_id=TEAM, user_id=user)  # everyone uses the tab: a change refreshes theirs
    with deps.sessions() as session:
        for case in session.scalars(select(Case)):
            emu.add_channel(case.channel_id, name=case.reference.lower(), is_private=True, members=people)
    for _ in range(50):
        clock.advance(minutes=1)
        report = jobs.run_pass(deps, client)
        if not (report.zones_refreshed or report.sweep.looked_at or report.delivery.sent):
            return
    raise AssertionError("the pass never settled")


def measure(deps: Deps, client: WebClient, clock: ManualClock, meter: Meter) -> tuple[int, dict[str, int]]:
    """Statements of a whole pass in which one case changed (a note queued in its thread), and the steps
    of the pass's look-ups that once read the caseload."""
    clock.advance(minutes=1)
    note(deps, clock)
    with meter:
        report = jobs.run_pass(deps, client)
    assert report.delivery.sent >= 1 and not report.delivery.errors, report.delivery
    statements = meter.statements
    clock.advance(minutes=1)
    note(deps, clock)  # a change for the App Home refresh to find
    steps = {}
    for name, look in (
        ("stale time zones", lambda: people.refresh_zones(deps, client, now=clock())),
        ("daily channel check, done today", lambda: channels.daily(deps, client)),
        ("App Home refresh", lambda: home.refresh(deps)),
    ):
        with meter:
            look()
        steps[name] = meter.steps
    return statements, steps


def note(deps: Deps, clock: ManualClock) -> None:
    with deps.sessions.begin() as session:
        case = session.scalars(select(Case).order_by(Case.id)).first()
        assert case is not None
        thread.note(session, case, "A note in the thread", clock())
    clock.advance(seconds=1)


def test_a_pass_costs_the_same_at_two_cases_and_at_forty(engine, database_url):
    clock = ManualClock(NOW)
    deps = Deps(
        settings=replace(Settings(), database_url=database_url, data_keys=ephemeral_data_keys()),
        engine=engine,
        sessions=make_sessions(engine),
        content=Content(),
        clock=clock,
    )
    delivery.pace_calls(deps, on=False)  # this counts queries; pacing is benchmarks/delivery.py's
    meter = Meter(engine)
    with SlackEmulator(team_id=TEAM) as emu:
        emu.rate_limits = False
        client = WebClient(token=emu.bot_token, base_url=emu.base_url)
        with deps.sessions.begin() as session:
            seed(session, 2, weeks=4, now=NOW)
        settle(deps, emu, client, clock)
        at_two = measure(deps, client, clock, meter)
        with deps.sessions.begin() as session:
            seed(session, 38, weeks=4, now=NOW, start=2)
        settle(deps, emu, client, clock)
        at_forty = measure(deps, client, clock, meter)
    assert at_forty[0] == at_two[0]  # statements
    if engine.dialect.name == "sqlite":
        # Twenty times the cases, people, items and history: an index look-up takes a step or two more,
        # a read of every row hundreds more.
        for name, steps in at_forty[1].items():
            assert steps <= at_two[1][name] + 5, (name, at_two[1], at_forty[1])
