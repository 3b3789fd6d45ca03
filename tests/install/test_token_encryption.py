"""Slack's tokens are encrypted at rest: a copied database file holds no bot token, tokens stored before
encryption are encrypted by migration 0017, and `casebot keys rotate` re-encrypts them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.keys_cli import rotate_column
from storage import crypto, migrate
from storage.db import make_engine
from storage.installations import EncryptedInstallationStore
from tests.install.multiteam import TEAM_1

CLIENT_ID = "111.222"
PLAIN = "xoxb-1234567890-planted-bot-token"
REFRESH = "xoxe-1-planted-refresh-token"
USER = "xoxp-planted-user-token"


def _sqlite_file(url: str) -> Path:
    return Path(sa.make_url(url).database or "")


def test_an_installed_workspaces_token_is_not_in_the_database_file(slack, database_url):
    slack.install(TEAM_1)
    token = slack.installations.token_for(TEAM_1)  # read back through the store: decrypted
    assert token in slack.emu.tokens_of(TEAM_1)
    with slack.deps.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT bot_token FROM slack_bots")).scalars().all()
        installed = conn.execute(sa.text("SELECT bot_token FROM slack_installations")).scalars().all()
    assert stored and installed
    assert all(value.startswith(crypto.PREFIX) and token not in value for value in stored + installed)
    if database_url.startswith("sqlite"):
        slack.deps.engine.dispose()  # checkpoint the WAL into the file
        raw = _sqlite_file(database_url).read_bytes()
        assert token.encode() not in raw


def _plant_plain_tokens(engine) -> None:
    """Rows as slack_sdk's store wrote them before 0017: tokens in plain text."""
    now = datetime(2026, 12, 1, tzinfo=UTC).replace(tzinfo=None)
    common = {"client_id": CLIENT_ID, "app_id": "A1", "team_id": TEAM_1, "is_enterprise_install": False}
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO slack_bots (client_id, app_id, team_id, bot_token, bot_refresh_token, "
                "bot_id, bot_user_id, is_enterprise_install, installed_at) VALUES (:client_id, :app_id, "
                ":team_id, :token, :refresh, 'B1', 'U1', :is_enterprise_install, :at)"
            ),
            common | {"token": PLAIN, "refresh": REFRESH, "at": now},
        )
        conn.execute(
            sa.text(
                "INSERT INTO slack_installations (client_id, app_id, team_id, bot_token, bot_refresh_token, "
                "user_id, user_token, is_enterprise_install, installed_at) VALUES (:client_id, :app_id, "
                ":team_id, :token, :refresh, 'U2', :user, :is_enterprise_install, :at)"
            ),
            common | {"token": PLAIN, "refresh": REFRESH, "user": USER, "at": now},
        )


def _raw_tokens(engine) -> list[str]:
    with engine.connect() as conn:
        return [
            value
            for table, column, _ in crypto.ENCRYPTED_TOKENS
            for value in conn.execute(sa.text(f"SELECT {column} FROM {table}")).scalars()  # noqa: S608
            if value is not None
        ]


def test_the_migration_encrypts_tokens_stored_before_it_and_rotation_covers_them(database_url):
    old, new = crypto.generate_key(), crypto.generate_key()
    engine = make_engine(database_url)
    crypto.bind(engine, (old,))
    migrate.upgrade(engine, "0016")
    _plant_plain_tokens(engine)
    migrate.upgrade(engine)
    raw = _raw_tokens(engine)
    assert len(raw) == 5 and all(value.startswith(crypto.PREFIX) for value in raw)
    assert not any(secret in value for value in raw for secret in (PLAIN, REFRESH, USER))
    bot = EncryptedInstallationStore(client_id=CLIENT_ID, engine=engine).find_bot(
        enterprise_id=None, team_id=TEAM_1
    )
    assert bot is not None and (bot.bot_token, bot.bot_refresh_token) == (PLAIN, REFRESH)
    migrate.upgrade(engine)  # again: nothing is encrypted twice
    assert _raw_tokens(engine) == raw
    if database_url.startswith("sqlite"):
        engine.dispose()
        file = _sqlite_file(database_url).read_bytes()
        assert not any(secret.encode() in file for secret in (PLAIN, REFRESH, USER))

    cipher = crypto.bind(engine, (new, old))
    rotated = sum(
        rotate_column(engine, cipher, table, column, 10, out=lambda _: None)
        for table, column, _ in crypto.ENCRYPTED_TOKENS
    )
    assert rotated == 5
    crypto.bind(engine, (new,))  # the old key gone: the store still reads every token
    store = EncryptedInstallationStore(client_id=CLIENT_ID, engine=engine)
    installation = store.find_installation(enterprise_id=None, team_id=TEAM_1)
    assert installation is not None
    assert (installation.bot_token, installation.user_token) == (PLAIN, USER)
    engine.dispose()


def test_without_the_key_a_stored_token_is_refused_not_read(database_url):
    engine = make_engine(database_url)
    crypto.bind(engine, (crypto.generate_key(),))
    migrate.upgrade(engine, "0016")
    _plant_plain_tokens(engine)
    migrate.upgrade(engine)
    crypto.bind(engine, (crypto.generate_key(),))  # some other key
    with pytest.raises(crypto.DataKeyError):
        EncryptedInstallationStore(client_id=CLIENT_ID, engine=engine).find_bot(
            enterprise_id=None, team_id=TEAM_1
        )
    engine.dispose()
