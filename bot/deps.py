"""Everything a flow needs, built once and passed in: settings, sessions, clock, content, Slack client."""

from __future__ import annotations

import threading
from collections.abc import Callable, Container
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import ConfigError, Settings
from bot.content import Content
from bot.discussions.rules_banks import BankError
from bot.executor import TrackedExecutor
from storage import crypto
from storage import outbox as outbox_store
from storage.db import ReadOnlySession, make_engine, make_read_sessions, make_sessions


def system_clock() -> datetime:
    """The only place casebot reads the time."""
    return datetime.now(UTC)


class NotInstalled(Exception):
    """casebot has no installation (so no bot token) for this team: nothing may be sent to it."""

    def __init__(self, team_id: str | None) -> None:
        super().__init__(f"casebot is not installed in Slack workspace {team_id}")
        self.team_id = team_id


class BotTokens(Protocol):
    """Where each team's bot token comes from in OAuth mode (bot/install/tokens.py)."""

    def token_for(self, team_id: str) -> str:
        """The team's current bot token (refreshed first if it is about to expire); NotInstalled if none."""
        ...


# A Slack client for one team, or a way to get one per team (TeamClients): what out-of-request work takes.
Clients = WebClient | Callable[[str], WebClient]


def pick(clients: Clients, team_id: str) -> WebClient:
    """The client for `team_id`: a single WebClient (tests, single-token mode) serves every team."""
    return clients if isinstance(clients, WebClient) else clients(team_id)


@dataclass
class Deps:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    content: Content
    clock: Callable[[], datetime] = system_clock
    executor: TrackedExecutor = field(default_factory=TrackedExecutor)
    team_id: str | None = None
    # Per-process memory of Slack look-ups (people.py keeps users.info answers here for an hour).
    slack_cache: dict[str, Any] = field(default_factory=dict, repr=False)
    bot_user_id: str | None = None
    _holidays: Container[date] | None = field(default=None, repr=False)
    # Read-only sessions on the same engine: no write lock on SQLite (storage/db.py).
    reads: sessionmaker[ReadOnlySession] = field(init=False, repr=False)
    # OAuth mode: each team's bot token from its installation. None: one SLACK_BOT_TOKEN for the workspace.
    bot_tokens: BotTokens | None = field(default=None, repr=False)
    # This process's delivery loops (bot/outbox/loop.py) register here: a listener that queued outbox rows
    # wakes them (delivery.wake) rather than sending on its own thread. Empty: rows wait for a worker's loop.
    delivery_wakers: list[Callable[[], None]] = field(default_factory=list, repr=False)
    # `casebot web` on PostgreSQL: a kept agreement form is saved by a worker (NOTIFY at the keep's commit),
    # so the ~90 ms save never shares this process's interpreter with the next request's ack.
    forms_to_workers: bool = False
    # Set by each commit that added outbox rows, taken by the next wake: no commit, no pass to wake.
    _outbox_news: threading.Event = field(default_factory=threading.Event, init=False, repr=False)

    def __post_init__(self) -> None:
        self.reads = make_read_sessions(self.engine)
        outbox_store.on_commit_that_queued(self.sessions, self._outbox_news.set)
        # Case text is encrypted at rest with the configured keys (storage/crypto.py): bind them to the
        # engine, so every session from it encrypts and decrypts with them.
        if self.settings.data_keys:
            crypto.bind(self.engine, self.settings.data_keys)

    def take_outbox_news(self) -> bool:
        """Whether a commit has queued outbox rows since this was last asked (and forget it)."""
        if not self._outbox_news.is_set():
            return False
        self._outbox_news.clear()
        return True

    @property
    def public_holidays(self) -> Container[date]:
        """The configured country's public holidays (built once; the holidays package fills years lazily)."""
        if self._holidays is None:
            self._holidays = self.settings.public_holidays()
        return self._holidays

    def web_client(self, team_id: str | None = None) -> WebClient:
        """A client for work outside a Slack request (outbox delivery, scheduled jobs), with `team_id`'s
        own bot token. In OAuth mode a team must be named and installed (NotInstalled otherwise); with one
        SLACK_BOT_TOKEN every team gets that token, as before."""
        if self.bot_tokens is not None:
            if team_id is None:
                raise NotInstalled(None)
            token = self.bot_tokens.token_for(team_id)
        else:
            token = self.settings.require_bot_token()
        return WebClient(
            token=token,
            base_url=self.settings.slack_api_url,
            timeout=int(max(1, self.settings.slack_timeout_seconds)),
            # Delivery handles rate limits and retries itself, from the outbox, so it never blocks.
            retry_handlers=[],
        )


class TeamClients:
    """One client per team for a pass of out-of-request work, each built (and its token looked up) once."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._clients: dict[str, WebClient] = {}

    def __call__(self, team_id: str) -> WebClient:
        if team_id not in self._clients:
            self._clients[team_id] = self._deps.web_client(team_id)
        return self._clients[team_id]


def load_content(settings: Settings) -> Content:
    """Templates and question banks; an organisation's bank folder (if set) adds to or replaces ours."""
    try:
        return Content(bank_folders=[Path(settings.bank_folder)] if settings.bank_folder else [])
    except BankError as exc:
        raise ConfigError(f"CASEBOT_BANK_FOLDER: {exc}") from None


def build_deps(settings: Settings, *, clock: Callable[[], datetime] = system_clock) -> Deps:
    """Deps for a real process: it refuses to start without CASEBOT_DATA_KEYS (one line, no traceback)."""
    settings.require_data_keys()
    engine = make_engine(settings.database_url)
    return Deps(
        settings=settings,
        engine=engine,
        sessions=make_sessions(engine),
        content=load_content(settings),
        clock=clock,
    )
