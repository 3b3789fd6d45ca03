"""WSGI entry for gunicorn: `gunicorn 'bot.wsgi:application'` serves POST /slack/events.

Each gunicorn worker builds its own App (and database pool). Use PostgreSQL with several workers.

A set-up mistake (a missing setting, a token Slack refuses, a database not migrated or not answering)
is one line on stderr, worded as `casebot` words it, then exit status 4, which gunicorn reads as "App
failed to load" and stops: with 2 or 3 its arbiter would start the worker again, and again. For the
traceback, run `casebot run --http --debug` with the same settings. Any other error is a bug, and its
traceback is shown.
"""

from __future__ import annotations

import sys

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.config import ConfigError, Settings, load_settings
from bot.hardening import GuardedHandler
from bot.setup_errors import explain
from bot.startup import prepare
from storage.crypto import DataKeyError

APP_LOAD_ERROR = 4  # gunicorn's Arbiter.APP_LOAD_ERROR: the master stops instead of restarting workers


def make_wsgi_app(app: App) -> SlackRequestHandler:
    return GuardedHandler(app)  # malformed or unsigned POSTs are refused (4xx) before bolt reads them


def _application() -> SlackRequestHandler:
    settings: Settings | None = None
    try:
        settings = load_settings()
        settings.require_signing_secret()
        settings.require_token_mode()  # one SLACK_BOT_TOKEN, or the OAuth client id and secret
        settings.require_data_keys()
        _deps, app = prepare(settings, web_only=True)  # beside `casebot worker`s, as `casebot web`
    except Exception as exc:
        line = _explain(exc, settings)
        if line is None:
            raise  # a bug: the traceback is what to report
        print(f"casebot: {line}", file=sys.stderr, flush=True)
        raise SystemExit(APP_LOAD_ERROR) from None
    return make_wsgi_app(app)


def _explain(exc: Exception, settings: Settings | None) -> str | None:
    """The one line `casebot` prints for the same failure, None for a bug."""
    if isinstance(exc, ConfigError | DataKeyError):
        return str(exc)
    known = explain(exc, settings)
    return known[1] if known else None


def __getattr__(name: str) -> SlackRequestHandler:
    # Built on first access, so importing this module (tests, tooling) needs no Slack settings.
    if name == "application":
        globals()["application"] = _application()
        return globals()["application"]
    raise AttributeError(name)
