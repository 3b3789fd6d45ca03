"""WSGI entry for gunicorn: `gunicorn 'bot.wsgi:application'` serves POST /slack/events.

Each gunicorn worker builds its own App (and database pool). Use PostgreSQL with several workers.
"""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.config import load_settings
from bot.startup import prepare


def make_wsgi_app(app: App) -> SlackRequestHandler:
    return SlackRequestHandler(app)


def _application():
    settings = load_settings()
    settings.require_signing_secret()
    _deps, app = prepare(settings)
    return make_wsgi_app(app)


def __getattr__(name: str):
    # Built on first access, so importing this module (tests, tooling) needs no Slack settings.
    if name == "application":
        globals()["application"] = _application()
        return globals()["application"]
    raise AttributeError(name)
