"""create_app: the only place a slack_bolt App is built."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from bot import errors
from bot.capture import listeners as capture
from bot.cases import listeners as actions
from bot.cases import listeners_form as views
from bot.commands import listeners as commands
from bot.deps import Deps
from bot.discussions import listeners as discussions
from bot.follow_ups import listeners as follow_ups
from bot.home import listeners as home
from bot.notes import listeners as notes
from bot.reminders import listeners as reminders

LISTENER_MODULES = (commands, views, actions, reminders, discussions, capture, notes, follow_ups, home)


def create_app(deps: Deps, *, token_verification: bool = True) -> App:
    settings = deps.settings
    client = WebClient(
        token=settings.require_bot_token(),
        base_url=settings.slack_api_url,
        timeout=settings.slack_timeout_seconds,  # type: ignore[arg-type]  # urllib accepts float seconds
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )
    app = App(
        client=client,
        # Socket Mode requests are not signed; HTTP requests are always verified by bolt.
        signing_secret=settings.slack_signing_secret or "",
        token_verification_enabled=token_verification,
        process_before_response=False,
        listener_executor=deps.executor,
        logger=logging.getLogger("casebot.bolt"),
        ignoring_self_events_enabled=True,
    )
    errors.register(app)
    for module in LISTENER_MODULES:
        module.register(app, deps)
    return app
