"""bolt's OAuth install pages in HTTP mode: /slack/install and /slack/oauth_redirect, with slack_sdk's
SQLAlchemy installation and state stores on casebot's database (tables from migration 0011).

bolt's own OAuthFlow does the work (the state cookie and its one-time state row, oauth.v2.access, saving
the installation); casebot adds what an install means to it (flows.installed) and points every Slack call,
token refreshes too, at the configured Slack. Requests from a workspace with no installation are refused
by bolt's authorize step, and logged here by team id only.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.authorization.authorize_result import AuthorizeResult
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.deps import Deps
from bot.install import flows
from bot.install.tokens import QUIET, REFRESH_MINUTES_BEFORE_EXPIRY, Installations

log = logging.getLogger(__name__)

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600  # an install started must be finished within ten minutes


@cache
def manifest_scopes() -> tuple[str, ...]:
    """The bot scopes the app asks for on install: manifest.yml's, so the two never drift apart."""
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return tuple(manifest["oauth_config"]["scopes"]["bot"])


class _Authorize(InstallationStoreAuthorize):
    """bolt's authorize on the installation store; a team with no installation is logged by id only."""

    def __call__(self, *, context: Any, enterprise_id: str | None, team_id: str | None, **rest: Any) -> Any:
        result: AuthorizeResult | None = super().__call__(
            context=context, enterprise_id=enterprise_id, team_id=team_id, **rest
        )
        if result is None:
            log.warning("request from a workspace casebot is not installed in", extra={"team_id": team_id})
        return result


def settings_for(deps: Deps, installations: Installations, client: WebClient) -> OAuthSettings:
    settings = deps.settings
    assert settings.slack_client_id and settings.slack_client_secret
    state_store = SQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_SECONDS, engine=deps.engine, logger=QUIET
    )

    def success(args: SuccessArgs) -> BoltResponse:
        flows.installed(deps, args.installation)
        return args.default.success(args)

    def failure(args: FailureArgs) -> BoltResponse:
        log.warning("installation failed", extra={"error": args.reason})
        return args.default.failure(args)

    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(manifest_scopes()),
        user_scopes=[],
        redirect_uri=settings.slack_redirect_uri or None,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=CallbackOptions(success=success, failure=failure),
        installation_store=installations.store,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=REFRESH_MINUTES_BEFORE_EXPIRY,
        state_store=state_store,
        state_expiration_seconds=STATE_SECONDS,
        logger=logging.getLogger("casebot.bolt"),
    )
    # OAuthSettings builds its authorize without a client, so its token refreshes would go to slack.com
    # whatever SLACK_API_URL says: this one refreshes through our client, and logs refused teams.
    oauth.authorize = _Authorize(
        logger=logging.getLogger("casebot.bolt"),
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        token_rotation_expiration_minutes=REFRESH_MINUTES_BEFORE_EXPIRY,
        installation_store=installations.store,
        bot_only=True,
        cache_enabled=True,  # auth.test once per token and process, not on every request
        client=client,
    )
    return oauth
