"""Two workspaces on one emulated Slack, casebot installed in each by OAuth through its own HTTP pages.

Both workspaces are seeded alike (tests/harness's seed_team: the same user and channel ids), so a Slack
call made with the wrong team's token would not fail: it would land in the other workspace. Only the
token decides where a post goes, which is what the tests about sending per team check.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from html import unescape
from typing import Any
from urllib.parse import urlencode, urlsplit

from bot import http_server, logs
from bot.app import create_app
from bot.config import Settings, ephemeral_data_keys
from bot.deps import Deps, load_content
from bot.install.tokens import Installations
from bot.outbox import delivery
from bot.outbox.loop import DeliveryLoop
from bot.sandbox.driver import Driver, HttpTransport
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.harness import ADMIN, SIGNING_SECRET, SettlingExecutor, seed_team
from bot.wsgi import make_wsgi_app
from storage import migrate
from storage.db import make_engine, make_sessions

TEAM_1, TEAM_2 = "T0CASE01", "T0CASE02"


@dataclass
class Team:
    """What tests/journey.py needs of a sandbox: this workspace's people (driver) and Slack (emu)."""

    emu: SlackEmulator
    driver: Driver


class MultiTeam:
    def __init__(self, *, database_url: str, clock: Callable[[], datetime], **settings: Any) -> None:
        self.emu = SlackEmulator(team_id=TEAM_1).start()
        other = SlackEmulator(team_id=TEAM_2, team_name="Another Council", bot_token="xoxb-never-issued-2")
        self.emu.add_workspace(other)
        for emu in (self.emu, other):
            emu.clock = lambda: clock().timestamp()
            emu.ts_clock = emu.clock
            emu.rate_limits = False
            seed_team(emu)
        self.settings = replace(
            Settings(),
            slack_client_id=self.emu.client_id,
            slack_client_secret=self.emu.client_secret,
            slack_signing_secret=SIGNING_SECRET,
            slack_api_url=self.emu.base_url,
            database_url=database_url,
            admins=(ADMIN,),
            slack_timeout_seconds=2.0,
            default_timezone="Pacific/Auckland",
            holiday_country="NZ",
            holiday_region="AUK",
            data_keys=ephemeral_data_keys(),
            **settings,
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
        self.installations = Installations(self.settings, engine)
        self.deps.bot_tokens = self.installations
        delivery.pace_calls(self.deps, on=False)
        logs.quiet_slack_libraries()
        self.app = create_app(self.deps)
        self.delivery = DeliveryLoop(self.deps, idle_seconds=None).start()  # what the listeners wake
        executor.delivery = self.delivery
        quiet = http_server.QuietHandler
        self._server = http_server.serve("127.0.0.1", 0, make_wsgi_app(self.app), handler_class=quiet)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        self.port = self._server.server_address[1]
        transport = HttpTransport(f"http://127.0.0.1:{self.port}/slack/events", SIGNING_SECRET)
        self.teams = {
            team_id: Team(
                emu,
                Driver(
                    transport,
                    team_id=team_id,
                    wait_idle=self.deps.executor.wait_idle,
                    on_trigger=emu.register_trigger,
                ),
            )
            for team_id, emu in ((TEAM_1, self.emu), (TEAM_2, other))
        }

    # ------------------------------------------------------------ the install, as a browser does it
    def get(self, path: str, *, cookie: str = "") -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            headers = {name.lower(): value for name, value in response.getheaders()}
            return response.status, headers, response.read().decode()
        finally:
            connection.close()

    def start_install(self) -> tuple[str, str]:
        """GET /slack/install: (the authorize URL on Slack, the state cookie bolt set)."""
        status, headers, page = self.get("/slack/install")
        assert status == 200, page
        found = re.search(r'href="([^"]*oauth/v2/authorize[^"]*)"', page)
        assert found, page
        cookie = headers.get("set-cookie", "").split(";")[0]
        return unescape(found.group(1)), cookie

    def finish_install(self, code: str, state: str, cookie: str) -> tuple[int, str]:
        status, _headers, page = self.get(
            "/slack/oauth_redirect?" + urlencode({"code": code, "state": state}), cookie=cookie
        )
        return status, page

    def install(self, team_id: str, *, user_id: str = ADMIN) -> None:
        url, cookie = self.start_install()
        code = self.emu.approve(url, user_id=user_id, team_id=team_id)
        status, page = self.finish_install(code, state_of(url), cookie)
        assert status == 200, page

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self.deps.executor.shutdown(wait=True)
        self.delivery.stop()
        self.deps.engine.dispose()
        self.emu.stop()


def state_of(url: str) -> str:
    query = dict(part.split("=", 1) for part in urlsplit(url).query.split("&"))
    return query["state"]
