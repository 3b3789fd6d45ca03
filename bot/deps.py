"""Everything a flow needs, built once and passed in: settings, sessions, clock, content, Slack client."""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import ConfigError, Settings
from bot.content import Content
from bot.discussions.rules_banks import BankError
from bot.executor import TrackedExecutor
from storage import crypto
from storage.db import ReadOnlySession, make_engine, make_read_sessions, make_sessions


def system_clock() -> datetime:
    """The only place casebot reads the time."""
    return datetime.now(UTC)


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

    def __post_init__(self) -> None:
        self.reads = make_read_sessions(self.engine)
        # Case text is encrypted at rest with the configured keys (storage/crypto.py): bind them to the
        # engine, so every session from it encrypts and decrypts with them.
        if self.settings.data_keys:
            crypto.bind(self.engine, self.settings.data_keys)

    @property
    def public_holidays(self) -> Container[date]:
        """The configured country's public holidays (built once; the holidays package fills years lazily)."""
        if self._holidays is None:
            self._holidays = self.settings.public_holidays()
        return self._holidays

    def web_client(self) -> WebClient:
        """A client for work outside a Slack request (outbox delivery, scheduled jobs)."""
        return WebClient(
            token=self.settings.require_bot_token(),
            base_url=self.settings.slack_api_url,
            timeout=int(max(1, self.settings.slack_timeout_seconds)),
            # Delivery handles rate limits and retries itself, from the outbox, so it never blocks.
            retry_handlers=[],
        )


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
