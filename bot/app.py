"""create_app: the only place a slack_bolt App is built."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from bot import errors, hardening, renderers
from bot.capture import listeners as capture
from bot.capture import listeners_differences as differences
from bot.cases import listeners as actions
from bot.cases import listeners_form as views
from bot.closing import listeners as closing
from bot.commands import listeners as commands
from bot.concerns import listeners as concerns
from bot.config import Settings
from bot.deps import Deps
from bot.discussions import listeners as discussions
from bot.follow_ups import listeners as follow_ups
from bot.home import listeners as home
from bot.install import listeners as install
from bot.install.oauth import settings_for
from bot.install.tokens import Installations
from bot.notes import listeners as notes
from bot.reminders import listeners as reminders
from bot.review import listeners as review
from bot.supervision import listeners as supervision

# bolt tries listeners in the order they were added, building each matcher's arguments as it goes, and
# runs the first that matches. Thread replies and reactions are by far the commonest requests in a busy
# discussion, so capture's listeners come first; no two modules listen for the same request.
LISTENER_MODULES = (
    capture,
    commands,
    views,
    actions,
    reminders,
    discussions,
    concerns,
    notes,
    follow_ups,
    home,
    install,
    supervision,
    review,
    differences,
    closing,
)


def create_app(deps: Deps) -> App:
    """The App for deps' Slack. It calls Slack only when asked: startup.prepare checks the token.

    With one SLACK_BOT_TOKEN it serves that workspace; in OAuth mode (deps.bot_tokens is the installation
    store) it serves every installed workspace with its own token and adds bolt's install pages."""
    settings = deps.settings
    common: dict[str, Any] = {
        # Socket Mode requests are not signed; HTTP requests are always verified by bolt.
        "signing_secret": settings.slack_signing_secret or "",
        "process_before_response": False,
        "listener_executor": deps.executor,
        "logger": logging.getLogger("casebot.bolt"),
        "ignoring_self_events_enabled": True,
    }
    if isinstance(deps.bot_tokens, Installations):
        client = WebClient(token=None, logger=logging.getLogger("casebot.bolt"))
        _point_at_our_slack(client, settings)
        app = App(
            client=client,
            oauth_settings=settings_for(deps, deps.bot_tokens, client),
            installation_store_bot_only=True,
            **common,
        )
    else:
        # The token goes to App itself, not in a client of our own: bolt also reads SLACK_BOT_TOKEN from
        # the environment and warns "token will be unused" beside a client. Its client is then pointed at
        # our Slack (base URL, timeout, retries) before any call; bolt's per-request clients copy those.
        app = App(
            token=settings.require_bot_token(),
            token_verification_enabled=False,  # its auth.test would go to slack.com: base URL not set yet
            **common,
        )
        _point_at_our_slack(app.client, settings)
    errors.register(app)
    hardening.register(app, deps)  # malformed payloads get a 400; a form Slack did not open is told
    renderers.wire()  # the outbox renders each feature's rows with that feature's renderers
    for module in LISTENER_MODULES:
        module.register(app, deps)
    return app


def _point_at_our_slack(client: WebClient, settings: Settings) -> None:
    client.base_url = settings.slack_api_url
    client.timeout = settings.slack_timeout_seconds  # type: ignore[assignment]  # urllib accepts float seconds
    client.retry_handlers = [ConnectionErrorRetryHandler(max_retry_count=1)]
