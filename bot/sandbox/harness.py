"""The real casebot App wired to the local Slack emulator: used by `casebot demo`, tests and benchmarks.

HTTP mode serves the App's WSGI entry on a local port and delivers signed requests to it; Socket Mode
mode runs the same payloads through bolt's socket-mode path. Nothing here replaces casebot's code.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot import http_server, logs
from bot.app import create_app
from bot.config import Settings, ephemeral_data_keys
from bot.deps import Deps, load_content, system_clock
from bot.executor import TrackedExecutor
from bot.outbox import delivery
from bot.outbox.loop import DeliveryLoop
from bot.sandbox.ack_order import AckOrder
from bot.sandbox.driver import Driver, HttpTransport, SocketModeTransport, Transport
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.people import People
from bot.wsgi import make_wsgi_app
from storage import migrate
from storage import repository as repo
from storage.db import make_engine, make_sessions

TEAM_ID = "T0CASE01"
SIGNING_SECRET = "sandbox-signing-secret"  # noqa: S105 - the emulator's own, not a real secret

# The sandbox team: ids only mean something inside the emulator.
MANAGER = "UMERE001"
LEAD = "UALEX001"
DEVELOPING = "USAM0001"
OUTSIDER = "UTOM0001"
COLLEAGUE = "UKIRI001"  # in the case channel, not on the case
ADMIN = "UADMIN01"
APP_USER = "UOTHERBOT"
LEFT = "UGONE001"
CASE_CHANNEL = "CCASES01"
PUBLIC_CHANNEL = "CPUBLIC1"
SHARED_CHANNEL = "CSHARED1"
QUIET_CHANNEL = "CNOBOT01"


def seed_team(emu: SlackEmulator) -> None:
    emu.add_user(MANAGER, name="mere", real_name="Mere (team manager)", tz="Pacific/Auckland")
    emu.add_user(LEAD, name="alex", real_name="Alex (social worker)", tz="Pacific/Auckland")
    emu.add_user(DEVELOPING, name="sam", real_name="Sam (newly qualified)", tz="Pacific/Chatham")
    emu.add_user(OUTSIDER, name="tom", real_name="Tom (another team)", tz="Europe/London")
    emu.add_user(COLLEAGUE, name="kiri", real_name="Kiri (same team, other cases)", tz="Pacific/Auckland")
    emu.add_user(ADMIN, name="ira", real_name="Ira (IT)", tz="Pacific/Auckland")
    emu.add_user(APP_USER, name="otherbot", real_name="Another app", is_bot=True)
    emu.add_user(LEFT, name="gone", real_name="Left the service", deleted=True)
    team = [MANAGER, LEAD, DEVELOPING, COLLEAGUE, ADMIN]
    emu.add_channel(CASE_CHANNEL, name="cases-north", is_private=True, members=team, bot_is_member=True)
    emu.add_channel(
        PUBLIC_CHANNEL, name="general", is_private=False, members=[*team, OUTSIDER], bot_is_member=True
    )
    emu.add_channel(
        SHARED_CHANNEL,
        name="cases-shared",
        is_private=True,
        is_ext_shared=True,
        members=team,
        bot_is_member=True,
    )
    emu.add_channel(QUIET_CHANNEL, name="cases-south", is_private=True, members=team, bot_is_member=False)


class ManualClock:
    """A clock moved by hand (demo, tests, benchmarks): deps.clock is the only clock casebot reads."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def move_to(self, moment: datetime) -> None:
        if moment < self.now:
            raise ValueError("time only moves forward")
        self.now = moment


class SettlingExecutor(TrackedExecutor):
    """The sandbox's listener pool: waiting for it to be idle also waits for the delivery the listeners woke
    (bot/outbox/loop.py), so a test sees a step's messages as soon as the driver returns."""

    delivery: DeliveryLoop | None = None

    def wait_idle(self, timeout: float = 10.0) -> None:
        for _ in range(3):  # a delivery wakes no listener; looking twice more is only belt and braces
            super().wait_idle(timeout)
            if self.delivery is None:
                return
            self.delivery.wait_idle(timeout)
            with self._lock:
                if not self._pending:
                    return


class Sandbox:
    def __init__(
        self,
        *,
        database_url: str,
        mode: str = "http",
        clock: Callable[[], datetime] = system_clock,
        rate_limits: bool = True,
        **settings: Any,
    ) -> None:
        self.mode = mode
        self.emu = SlackEmulator(team_id=TEAM_ID).start()
        # Slack and casebot share one sense of time: the emulator's posting rate follows `clock`.
        self.emu.clock = lambda: clock().timestamp()
        self.emu.ts_clock = self.emu.clock
        self.emu.rate_limits = rate_limits
        seed_team(self.emu)
        self.settings = replace(
            Settings(),
            slack_bot_token=self.emu.bot_token,
            slack_app_token=self.emu.app_token,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=self.emu.base_url,
            database_url=database_url,
            **{
                "admins": (ADMIN,),
                "slack_timeout_seconds": 2.0,
                # The sandbox team works in Aotearoa New Zealand (see seed_team).
                "default_timezone": "Pacific/Auckland",
                "holiday_country": "NZ",
                "holiday_region": "AUK",
                "data_keys": ephemeral_data_keys(),  # case text is encrypted at rest; a key made up here
                **settings,
            },
        )
        engine = make_engine(database_url)
        migrate.upgrade(engine)
        self.deps = Deps(
            settings=self.settings,
            engine=engine,
            sessions=make_sessions(engine),
            content=load_content(self.settings),
            clock=clock,
            executor=(executor := SettlingExecutor()),
        )
        # With the emulator's posting rate off there is no limit to keep to, so the outbox does not pace.
        delivery.pace_calls(self.deps, on=rate_limits)
        logs.quiet_slack_libraries()
        self.app = create_app(self.deps)
        # Sandbox only: record when each request is acked, by order, against the calls it causes.
        self.ack_order = AckOrder(tick=self.emu.tick, calls=lambda: self.emu.calls).install(self.app, engine)
        with self.deps.sessions.begin() as session:
            repo.ensure_workspace(session, team_id=TEAM_ID, now=clock())
        # Listeners wake this loop after their acks; it passes only when woken (the clock is often moved by
        # hand), and the driver waits for it, as for the listeners, before a step returns.
        self.delivery = DeliveryLoop(self.deps, idle_seconds=None).start()
        executor.delivery = self.delivery
        self._server = None
        if mode == "http":
            self._server = http_server.serve(
                "127.0.0.1", 0, make_wsgi_app(self.app), handler_class=http_server.QuietHandler
            )
            # A short poll keeps shutdown() prompt: it waits for the serving loop's next look, 0.5 s by
            # default, which was half of the Slack-level suite's time spent in teardown.
            threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            ).start()
            url = f"http://127.0.0.1:{self._server.server_address[1]}/slack/events"
            transport: Transport = HttpTransport(
                url, SIGNING_SECRET, acknowledged=self.ack_order.acknowledged
            )
        else:
            transport = SocketModeTransport(self.app)
        self.driver = Driver(
            transport,
            team_id=TEAM_ID,
            wait_idle=self.deps.executor.wait_idle,
            on_trigger=self.emu.register_trigger,
            trigger_expired=self.emu.trigger_expired,
            ack_order=self.ack_order,
        )
        self.people = People(self.emu, self.driver)

    def close(self, *, keep_emulator: bool = False) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        self.deps.executor.shutdown(wait=True)
        self.delivery.stop()
        self.deps.engine.dispose()
        if not keep_emulator:
            self.emu.stop()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
