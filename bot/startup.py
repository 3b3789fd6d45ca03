"""Start-up shared by every way of running casebot: settings, database, Slack identity, the App."""

from __future__ import annotations

import logging
import sys

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from sqlalchemy import Engine

from bot import logs
from bot.app import create_app
from bot.config import ConfigError, Settings
from bot.deps import Deps, build_deps
from bot.install.tokens import Installations
from storage import migrate
from storage import repository as repo


def prepare_storage(settings: Settings) -> Deps:
    """Logging, the database (migrated if SQLite) and the rest of Deps: enough for `casebot sweep`."""
    logs.configure(settings.log_level)
    mode = settings.require_token_mode()  # one SLACK_BOT_TOKEN, or installation by OAuth: one line if neither
    deps = build_deps(settings)
    if settings.database_url.startswith("sqlite"):
        migrate.upgrade(deps.engine)  # one process owns a SQLite file; PostgreSQL is upgraded by command
    else:
        require_migrated(deps.engine)
    if mode == "oauth":
        deps.bot_tokens = Installations(settings, deps.engine)  # each team's token from its installation
    return deps


def check_socket_mode(settings: Settings) -> None:
    """Socket Mode needs SLACK_APP_TOKEN, and serves the one workspace of SLACK_BOT_TOKEN (no OAuth)."""
    settings.require_app_token()
    if settings.require_token_mode() == "oauth":
        raise ConfigError(SOCKET_MODE_IS_ONE_WORKSPACE)


def check_app_token(settings: Settings) -> None:
    """Socket Mode: ask Slack for a connection once with SLACK_APP_TOKEN, so a wrong one stops start-up."""
    _start_up_client(settings).apps_connections_open(app_token=settings.require_app_token())


# slack_sdk logs a failed call (and each retry) before raising it; at start-up the CLI turns what it raises
# into one line (the traceback with --debug), so these two calls log nothing of their own.
_QUIET = logging.getLogger("casebot.startup.slack")
_QUIET.propagate = False
_QUIET.addHandler(logging.NullHandler())


def _start_up_client(settings: Settings) -> WebClient:
    return WebClient(
        token=settings.require_bot_token(),
        base_url=settings.slack_api_url,
        timeout=int(max(1, settings.slack_timeout_seconds)),
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
        logger=_QUIET,
    )


SOCKET_MODE_IS_ONE_WORKSPACE = (
    "Socket Mode serves one workspace: set SLACK_BOT_TOKEN (and not SLACK_CLIENT_ID/SLACK_CLIENT_SECRET), or "
    "serve HTTP (`casebot web`, `casebot run --http`) to install casebot in many workspaces by OAuth."
)


def require_migrated(engine: Engine) -> None:
    """Refuse, in one line, to work on a database whose schema is not the one this casebot needs."""
    current, head = migrate.revisions(engine)
    if current == head:
        return
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise ConfigError(f"the database {where} has no casebot tables yet: run `casebot db upgrade`.")
    raise ConfigError(
        f"the database {where} is at migration {current} and this casebot needs {head}: run `casebot db "
        "upgrade` (or, if the database is newer than this casebot, upgrade casebot)."
    )


# Acks share the interpreter lock with the work after acks (a form's save, rendering a card). A thread that
# comes back from I/O (a socket read, a SQLite step, a PostgreSQL round trip) waits for the lock until the
# thread holding it is asked to let go, after the switch interval; at CPython's 5 ms default an agreement
# form's ack, which comes back from I/O a dozen times, waited behind the previous forms' saves. At 1 ms, in
# `benchmarks/ack.py --repeat 3` (SQLite, sequential / 8 clients), the form's p99 ratio to a bare bolt app
# went from 1.43 / 1.62 to 1.24 / 1.37, every other ack's stayed under 1.3 (a reply's against an app that
# stores it too), and events over HTTP are stored at the same rate (README, "Performance under a busy team").
ACK_SWITCH_INTERVAL_SECONDS = 0.001


def favour_acks() -> None:
    """Hand the interpreter lock to a thread that waits for it sooner: for every process that acks."""
    sys.setswitchinterval(ACK_SWITCH_INTERVAL_SECONDS)


def prepare(settings: Settings, *, web_only: bool = False) -> tuple[Deps, App]:
    """The deps and the bolt App. `web_only` (`casebot web`, gunicorn): on PostgreSQL the agreement forms
    it keeps are saved by the workers, woken by the keep's NOTIFY (bot/cases/flows_intake.py)."""
    favour_acks()  # every process that serves Slack's requests starts here: `run`, `web`, gunicorn's app
    deps = prepare_storage(settings)
    deps.forms_to_workers = web_only and deps.engine.dialect.name == "postgresql"
    if deps.bot_tokens is not None:
        return deps, create_app(deps)  # OAuth: no token of its own; workspaces come with their installs
    identity = _start_up_client(settings).auth_test()  # a wrong token, no Slack: one line from the CLI
    app = create_app(deps)
    deps.team_id, deps.bot_user_id = identity["team_id"], identity["user_id"]
    with deps.sessions.begin() as session:
        repo.ensure_workspace(
            session,
            team_id=identity["team_id"],
            name=identity.get("team"),
            bot_user_id=identity["user_id"],
            now=deps.clock(),
        )
    return deps, app
