"""What is wrong with the set-up around casebot, in one line: for the CLI (bot/cli.py) and for gunicorn
(bot/wsgi.py). Each failure of Slack, the database or a setting gets an exit status and one line saying
what is wrong and what to do; anything else is a bug, whose traceback is what to report.
"""

from __future__ import annotations

from pathlib import Path

# Exit statuses (README, "When something is wrong").
EXIT_CONFIG = 2  # a setting, a file or the database needs fixing by whoever runs casebot
EXIT_UNREACHABLE = 3  # Slack or PostgreSQL does not answer: try again when it does


# Slack's answers that mean the token itself is wrong, and where to get a right one.
TOKEN_REFUSALS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
    }
)
WHERE_TOKENS_ARE = {
    "SLACK_BOT_TOKEN": "copy the Bot User OAuth Token (xoxb-...) again from OAuth & Permissions",
    "SLACK_APP_TOKEN": "make an App-Level Token (xapp-...) with connections:write in Basic Information",
}


def explain(exc: BaseException, settings) -> tuple[int, str] | None:
    """(exit status, one line: what is wrong and what to do) for a failure of the set-up around casebot.

    None for anything else: that is a bug, and its traceback is what to report.
    """
    from urllib.error import URLError

    from alembic.util import CommandError
    from slack_sdk.errors import SlackApiError
    from sqlalchemy import exc as db

    if isinstance(exc, SlackApiError):
        return _slack_refused(exc)
    if isinstance(exc, URLError | TimeoutError | ConnectionError):  # slack_sdk calls Slack through urllib
        url = settings.slack_api_url if settings else "SLACK_API_URL"
        reason = _first_line(exc.reason if isinstance(exc, URLError) else exc)
        return (
            EXIT_UNREACHABLE,
            f"cannot reach Slack at {url} ({reason}): check the network and SLACK_API_URL.",
        )
    if isinstance(exc, db.NoSuchModuleError | db.ArgumentError):
        return EXIT_CONFIG, (
            f"DATABASE_URL is not a database casebot can use ({_first_line(exc)}): use "
            "sqlite:///casebot.db or postgresql+psycopg://user@host/db."
        )
    if isinstance(exc, ModuleNotFoundError) and exc.name in ("psycopg", "psycopg2"):
        return (
            EXIT_CONFIG,
            "DATABASE_URL is PostgreSQL, whose driver is missing: pip install -e '.[postgres]'.",
        )
    if isinstance(exc, db.DBAPIError):
        return _database_failed(exc, settings)
    if isinstance(exc, CommandError) and "Can't locate revision" in str(exc):  # alembic's words
        return EXIT_CONFIG, (
            f"the database in DATABASE_URL was migrated by a newer casebot ({_first_line(exc)}): run that "
            "version of casebot against it, or this one against its own database."
        )
    return None


def _slack_refused(exc) -> tuple[int, str]:
    error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
    method = exc.response.api_url.rstrip("/").rsplit("/", 1)[-1]
    if error in TOKEN_REFUSALS:
        name = "SLACK_APP_TOKEN" if method == "apps.connections.open" else "SLACK_BOT_TOKEN"
        return EXIT_CONFIG, f"Slack refused {name} ({error}): {WHERE_TOKENS_ARE[name]}."
    answer = error or f"HTTP {exc.response.status_code}"
    return EXIT_UNREACHABLE, f"Slack answered {method} with {answer}: try again in a while."


def _database_failed(exc, settings) -> tuple[int, str] | None:
    from sqlalchemy import exc as db
    from sqlalchemy import make_url

    url = make_url(settings.database_url) if settings else None
    where = url.render_as_string(hide_password=True) if url else "DATABASE_URL"
    text, first = str(exc.orig).lower(), _first_line(exc.orig)
    not_there = ("no such table", "no such column")  # SQLite; PostgreSQL says it with an SQLSTATE
    if any(words in text for words in not_there) or getattr(exc.orig, "sqlstate", None) in ("42P01", "42703"):
        return EXIT_CONFIG, f"the database {where} is not migrated ({first}): run `casebot db upgrade`."
    if "unable to open database file" in text:
        folder = Path(url.database).parent if url and url.database else None
        if folder and not folder.is_dir():
            return EXIT_CONFIG, f"DATABASE_URL {where}: the folder {folder} does not exist; create it first."
        return EXIT_CONFIG, f"DATABASE_URL {where}: the SQLite file cannot be opened; is its folder writable?"
    if "file is not a database" in text:
        return EXIT_CONFIG, f"DATABASE_URL {where} names a file that is not a SQLite database."
    if url is None or url.get_backend_name() != "postgresql" or not isinstance(exc, db.OperationalError):
        return None
    if "fatal:" in text:  # the server answered and refused: the database, the user or the password
        why = first.split("FATAL:")[-1].strip()
        no_database = why.startswith("database ") and why.endswith("does not exist")
        todo = "create it, then run `casebot db upgrade`" if no_database else "check the user and password"
        return EXIT_CONFIG, f"PostgreSQL refused DATABASE_URL {where} ({why}): {todo}."
    return (
        EXIT_UNREACHABLE,
        f"cannot reach PostgreSQL at {where} ({first}): is it running, at that host and port?",
    )


def _first_line(value: object) -> str:
    lines = str(value).strip().splitlines()
    return lines[0].strip() if lines else type(value).__name__
