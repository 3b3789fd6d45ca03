"""The `casebot` command: run, demo, db, sweep, notes, audit, keys."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIServer, make_server

from bot.config import ConfigError, load_settings
from storage.crypto import DataKeyError

# Exit statuses (README, "When something is wrong"): 1 for what a command itself reports (no such case, ...).
EXIT_CONFIG = 2  # a setting, a file or the database needs fixing by whoever runs casebot
EXIT_UNREACHABLE = 3  # Slack or PostgreSQL does not answer: try again when it does


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv  # accepted anywhere on the line, e.g. `casebot sweep --debug`
    argv = [arg for arg in argv if arg != "--debug"]
    parser = argparse.ArgumentParser(prog="casebot", description="casebot: co-working support for case work.")
    parser.add_argument("--debug", action="store_true", help="on failure, show the traceback too")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the bot (Socket Mode by default)")
    run.add_argument("--http", action="store_true", help="serve HTTP at /slack/events instead of Socket Mode")
    run.add_argument(
        "--host",
        default="127.0.0.1",
        help="with --http: the address to listen on (default 127.0.0.1, for a TLS proxy on this machine; "
        "0.0.0.0 for every interface)",
    )
    run.add_argument(
        "--port", type=int, default=3000, help="with --http: the port to listen on (default 3000)"
    )
    demo = commands.add_parser("demo", help="play a co-worked case against the built-in Slack emulator")
    demo.add_argument("--db", help="SQLite file to use (default: a new temporary file)")
    db = commands.add_parser("db", help="database migrations")
    db.add_argument("action", choices=["upgrade"])
    commands.add_parser(
        "sweep", help="run one reminder sweep and one delivery pass now, then exit (for cron or operators)"
    )
    from bot import audit_cli, keys_cli
    from bot.notes import cli as notes_cli

    notes_cli.add_commands(commands)
    audit_cli.add_commands(commands)
    keys_cli.add_commands(commands)
    args = parser.parse_args(argv)
    try:
        return _dispatch(args)
    except ConfigError as exc:
        if debug:
            traceback.print_exc()
        print(f"casebot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except DataKeyError as exc:  # a stored value none of CASEBOT_DATA_KEYS opens: one line, no traceback
        if debug:
            traceback.print_exc()
        print(f"casebot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except Exception as exc:
        known = _explain(exc, getattr(args, "settings", None))
        if known is None:
            raise  # a bug: the traceback is what to report
        if debug:
            traceback.print_exc()
        print(f"casebot: {known[1]}", file=sys.stderr)
        return known[0]


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from bot.sandbox.demo import run_demo

        if args.db:
            _require_new_file(Path(args.db))
        return run_demo(db_path=args.db)
    settings = args.settings = load_settings()
    if args.command == "notes":
        from bot.notes import cli as notes_cli

        return notes_cli.run(settings, args)
    if args.command == "keys":
        from bot import keys_cli

        return keys_cli.run(settings, args)
    if args.command == "audit":
        from bot import audit_cli

        return audit_cli.run(settings, args)
    if args.command == "db":
        from storage import crypto, migrate
        from storage.db import make_engine

        engine = make_engine(settings.database_url)
        crypto.bind(engine, settings.require_data_keys())  # the upgrade may encrypt existing case text
        migrate.upgrade(engine)
        print("casebot: database is up to date.")
        return 0
    if args.command == "sweep":
        from bot import jobs
        from bot.startup import prepare_storage

        done = jobs.run_pass(prepare_storage(settings))
        print(
            f"casebot: looked at {done.sweep.looked_at} due items, queued {done.sweep.reminders} reminders, "
            f"marked {done.sweep.expired} missed; "
            f"queued {done.actions.dms if done.actions else 0} action follow-ups; sent {done.delivery.sent}, "
            f"waiting {done.delivery.deferred + done.delivery.paced}, "
            f"retrying {done.delivery.retried}, dead-lettered {done.delivery.dead}."
        )
        return 0
    return _run(settings, http=args.http, host=args.host, port=args.port)


def _run(settings, *, http: bool, host: str, port: int) -> int:
    from bot import scheduler
    from bot.startup import check_app_token, prepare

    if http:
        settings.require_signing_secret()
    else:
        settings.require_app_token()
    settings.require_bot_token()
    settings.require_data_keys()
    deps, app = prepare(settings)
    if not http:
        check_app_token(settings)
    scheduler.start(deps)
    if http:
        from bot.wsgi import make_wsgi_app

        try:
            server = make_server(host, port, make_wsgi_app(app), server_class=_ThreadingWSGIServer)
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on {host}:{port} ({exc.strerror or exc}): choose another --port or --host."
            ) from exc
        print(f"casebot: listening on http://{host}:{server.server_port}/slack/events", flush=True)
        server.serve_forever()
        return 0
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    print("casebot: connecting to Slack in Socket Mode")
    SocketModeHandler(app, settings.slack_app_token).start()
    return 0


def _require_new_file(path: Path) -> None:
    if path.exists():
        raise ConfigError(
            f"--db {path} already exists: the demo plays a new case on a new file; name another."
        )
    if not path.parent.is_dir():
        raise ConfigError(f"--db {path}: the folder {path.parent} does not exist.")


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


def _explain(exc: BaseException, settings) -> tuple[int, str] | None:
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


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


if __name__ == "__main__":
    sys.exit(main())
