"""Start-up shared by every way of running casebot: settings, database, Slack identity, the App."""

from __future__ import annotations

from slack_bolt import App

from bot import logs
from bot.app import create_app
from bot.config import Settings
from bot.deps import Deps, build_deps
from storage import migrate
from storage import repository as repo


def prepare_storage(settings: Settings) -> Deps:
    """Logging, the database (migrated if SQLite) and the rest of Deps: enough for `casebot sweep`."""
    logs.configure(settings.log_level)
    settings.require_bot_token()
    deps = build_deps(settings)
    if settings.database_url.startswith("sqlite"):
        migrate.upgrade(deps.engine)  # one process owns a SQLite file; PostgreSQL is upgraded by command
    return deps


def prepare(settings: Settings) -> tuple[Deps, App]:
    deps = prepare_storage(settings)
    app = create_app(deps)
    identity = app.client.auth_test()
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
