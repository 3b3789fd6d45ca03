"""Each team's bot token, from slack_sdk's SQLAlchemy installation store on casebot's own database, its
tokens encrypted at rest with CASEBOT_DATA_KEYS (storage/installations.py).

Used for every Slack call made outside a request (the outbox, sweeps, exports), so a row for one team is
sent only ever with that team's token. A rotating token (Slack's token rotation) is refreshed here, with
slack_sdk's TokenRotator, before it gets close to expiring, and saved for every process to use.
"""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.token_rotation.rotator import TokenRotator
from sqlalchemy import Engine

from bot.config import Settings
from bot.deps import NotInstalled
from storage.installations import EncryptedInstallationStore

# slack_sdk's stores log each row they read at DEBUG, tokens included: never let those through.
QUIET = logging.getLogger("casebot.install.slack_sdk")
QUIET.propagate = False
QUIET.addHandler(logging.NullHandler())

REFRESH_MINUTES_BEFORE_EXPIRY = 120  # bolt's default: a token with less left than this is refreshed first


def slack_client(settings: Settings) -> WebClient:
    """A client without a token, for oauth.v2.access (install and refresh) against our Slack."""
    return WebClient(
        base_url=settings.slack_api_url, timeout=int(max(1, settings.slack_timeout_seconds)), logger=QUIET
    )


class Installations:
    """The BotTokens of bot.deps in OAuth mode: token_for(team) from the installation store."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        client_id, client_secret = settings.slack_client_id, settings.slack_client_secret
        assert client_id and client_secret, "OAuth mode needs the client id and secret (require_token_mode)"
        self.store = EncryptedInstallationStore(client_id=client_id, engine=engine, logger=QUIET)
        self.rotator = TokenRotator(
            client_id=client_id, client_secret=client_secret, client=slack_client(settings)
        )
        self._refreshing = threading.Lock()

    def find(self, team_id: str) -> Bot | None:
        """The team's latest bot, whatever Enterprise Grid organisation it belongs to, in one query.

        slack_sdk's `find_bot` looks up by (enterprise, team), and `enterprise_id = NULL` never matches a
        workspace of a Grid organisation, whose installation carries its enterprise id: the outbox, which
        knows only the team, would have found no token there. (Org-wide installs are off in manifest.yml:
        each workspace installs casebot for itself.) This is `find_bot`'s query without the enterprise.
        """
        bots = self.store.bots
        query = (
            bots.select()
            .where(bots.c.client_id == self.store.client_id, bots.c.team_id == team_id)
            .where(bots.c.bot_token.is_not(None))
            .order_by(bots.c.installed_at.desc())
            .limit(1)
        )
        with self.store.engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return self.store.build_bot_entity(row) if row is not None else None

    def token_for(self, team_id: str) -> str:
        bot = self.find(team_id)
        if bot is None or not bot.bot_token:
            raise NotInstalled(team_id)
        if bot.bot_refresh_token:
            bot = self._fresh(team_id, bot)
        assert bot.bot_token is not None
        return bot.bot_token

    def _fresh(self, team_id: str, bot: Bot) -> Bot:
        """The bot with a token good for a while yet: refreshed first (once in this process) if it is not."""
        if (bot.bot_token_expires_at or 0) > time.time() + REFRESH_MINUTES_BEFORE_EXPIRY * 60:
            return bot  # the common case: no lock, no call to Slack
        with self._refreshing:
            current = self.find(team_id) or bot  # another thread or process may have refreshed it meanwhile
            refreshed = self.rotator.perform_bot_token_rotation(
                bot=current, minutes_before_expiration=REFRESH_MINUTES_BEFORE_EXPIRY
            )
            if refreshed is None:
                return current
            self.store.save_bot(refreshed)  # the same row (same installed_at): every process reads it
            return refreshed

    def remove(self, team_id: str) -> None:
        """Forget the team's tokens (app_uninstalled, or its bot token revoked)."""
        bot = self.find(team_id)
        self.store.delete_all(enterprise_id=bot.enterprise_id if bot else None, team_id=team_id)
