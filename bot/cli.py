"""The `casebot` command: run, web, worker, demo, db, sweep, notes, audit, keys."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from bot import http_server
from bot.config import ConfigError, load_settings
from bot.setup_errors import EXIT_CONFIG
from bot.setup_errors import explain as _explain
from storage.crypto import DataKeyError

# Exit statuses (README, "When something is wrong"): 1 for what a command itself reports (no such case, ...),
# EXIT_CONFIG (2) and EXIT_UNREACHABLE (3) for the set-up around casebot (bot/setup_errors.py).


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
    web = commands.add_parser(
        "web",
        help="serve Slack's HTTP requests and the OAuth install pages, no sweeps (with `casebot worker`s); "
        "under gunicorn use bot.wsgi:application instead",
    )
    web.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1)")
    web.add_argument("--port", type=int, default=3000, help="the port to listen on (default 3000)")
    worker = commands.add_parser(
        "worker", help="sweep and deliver the outbox, serve no requests (any number of them on PostgreSQL)"
    )
    worker.add_argument(
        "--health-port", type=int, help="serve GET /health on 127.0.0.1 at this port (200 while delivering)"
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

        deps = prepare_storage(settings)
        done = jobs.run_pass(deps)
        digests = jobs.run_digests(deps)  # cron's pass sends the weekly digests too, each once a week
        print(
            f"casebot: looked at {done.sweep.looked_at} due items, queued {done.sweep.reminders} reminders, "
            f"marked {done.sweep.expired} missed; "
            f"queued {done.actions.dms if done.actions else 0} action follow-ups; "
            f"{digests} weekly digest{'' if digests == 1 else 's'} sent; sent {done.delivery.sent}, "
            f"waiting {done.delivery.deferred + done.delivery.paced}, "
            f"retrying {done.delivery.retried}, dead-lettered {done.delivery.dead}."
        )
        return 0
    if args.command == "worker":
        import threading

        from bot.startup import prepare_storage
        from bot.worker import run_worker, stop_on_signals

        deps = prepare_storage(settings)
        stop = threading.Event()
        stop_on_signals(stop)
        return run_worker(deps, health_port=args.health_port, stop=stop)
    if args.command == "web":
        return _run(settings, http=True, host=args.host, port=args.port, sweeps=False)
    return _run(settings, http=args.http, host=args.host, port=args.port)


def _run(settings, *, http: bool, host: str, port: int, sweeps: bool = True) -> int:
    from bot import scheduler
    from bot.startup import check_app_token, check_socket_mode, prepare

    if http:
        settings.require_signing_secret()
    else:
        check_socket_mode(settings)
    settings.require_token_mode()
    settings.require_data_keys()
    deps, app = prepare(settings, web_only=not sweeps)
    if not http:
        check_app_token(settings)
    background = scheduler.start(deps) if sweeps else None
    if http:
        from bot.wsgi import make_wsgi_app

        try:
            server = http_server.serve(host, port, make_wsgi_app(app))
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on {host}:{port} ({exc.strerror or exc}): choose another --port or --host."
            ) from exc
        print(f"casebot: listening on http://{host}:{server.server_port}/slack/events", flush=True)
        _serve_until_stopped(server, deps, background)
        return 0
    from bot.worker import run_socket_mode

    print("casebot: connecting to Slack in Socket Mode", flush=True)
    return run_socket_mode(app, deps, settings.require_app_token(), background)


def _serve_until_stopped(server: http_server.ThreadingWSGIServer, deps, background) -> None:
    """Serve until SIGTERM or Ctrl-C, then stop in order: no new request, the acked listeners' work
    (and the delivery they woke) finished, then the sweeps and the delivery loop (bot/worker.finish_work)."""
    import threading

    from bot.worker import finish_work, stop_on_signals

    stop = threading.Event()
    stop_on_signals(stop)

    def shut_down_when_stopped() -> None:
        stop.wait()
        server.shutdown()

    threading.Thread(target=shut_down_when_stopped, daemon=True).start()
    server.serve_forever()
    server.server_close()
    finish_work(deps, background)
    print("casebot: stopped", flush=True)


def _require_new_file(path: Path) -> None:
    if path.exists():
        raise ConfigError(
            f"--db {path} already exists: the demo plays a new case on a new file; name another."
        )
    if not path.parent.is_dir():
        raise ConfigError(f"--db {path}: the folder {path.parent} does not exist.")


if __name__ == "__main__":
    sys.exit(main())
