"""The `casebot` command: run, demo, db, sweep, notes, audit, keys."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIServer, make_server

from bot.config import ConfigError, load_settings
from storage.crypto import DataKeyError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="casebot", description="casebot: co-working support for case work.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the bot (Socket Mode by default)")
    run.add_argument("--http", action="store_true", help="serve HTTP at /slack/events instead of Socket Mode")
    run.add_argument("--port", type=int, default=3000)
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
        print(f"casebot: {exc}", file=sys.stderr)
        return 2
    except DataKeyError as exc:  # a stored value none of CASEBOT_DATA_KEYS opens: one line, no traceback
        print(f"casebot: {exc}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from bot.sandbox.demo import run_demo

        return run_demo(db_path=args.db)
    settings = load_settings()
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
            f"waiting {done.delivery.deferred}, "
            f"retrying {done.delivery.retried}, dead-lettered {done.delivery.dead}."
        )
        return 0
    return _run(settings, http=args.http, port=args.port)


def _run(settings, *, http: bool, port: int) -> int:
    from bot import scheduler
    from bot.startup import prepare

    if http:
        settings.require_signing_secret()
    else:
        settings.require_app_token()
    settings.require_bot_token()
    settings.require_data_keys()
    deps, app = prepare(settings)
    scheduler.start(deps)
    if http:
        from bot.wsgi import make_wsgi_app

        server = make_server("0.0.0.0", port, make_wsgi_app(app), server_class=_ThreadingWSGIServer)  # noqa: S104
        print(f"casebot: listening on http://0.0.0.0:{port}/slack/events")
        server.serve_forever()
        return 0
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    print("casebot: connecting to Slack in Socket Mode")
    SocketModeHandler(app, settings.slack_app_token).start()
    return 0


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


if __name__ == "__main__":
    sys.exit(main())
