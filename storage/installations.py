"""slack_sdk's installation and OAuth state tables, declared on casebot's metadata.

slack_sdk's SQLAlchemy stores (used by bot/install) read and write these tables; casebot creates them
with its own Alembic migrations (0011, and 0017 for the token columns), never with the stores' create_all.
Declaring them here, with slack_sdk's own table builders, lets the migrations test see at once if a
slack_sdk upgrade changes them.

Tokens are encrypted at rest (`EncryptedInstallationStore`): the token columns are `EncryptedText`, so
every insert, update and select the store makes encrypts and decrypts them with the engine's data keys
(storage/crypto.py), and `casebot keys rotate` re-encrypts them (crypto.ENCRYPTED_TOKENS).
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Column, MetaData, Table

from storage import crypto
from storage.models import Base

BOTS = SQLAlchemyInstallationStore.default_bots_table_name  # slack_bots
INSTALLATIONS = SQLAlchemyInstallationStore.default_installations_table_name  # slack_installations
STATES = SQLAlchemyOAuthStateStore.default_table_name  # slack_oauth_states


def _encrypted(table: Table) -> Table:
    for name, column, _ in crypto.ENCRYPTED_TOKENS:
        if name == table.name:
            table.append_column(Column(column, crypto.EncryptedText()), replace_existing=True)
    return table


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store with its token columns encrypted (NULL stays NULL, so its `bot_token IS NOT NULL`
    still finds the latest bot); it never filters on a token's value, which encryption would break."""

    @classmethod
    def build_installations_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _encrypted(super().build_installations_table(metadata, table_name))

    @classmethod
    def build_bots_table(cls, metadata: MetaData, table_name: str) -> Table:
        return _encrypted(super().build_bots_table(metadata, table_name))


bots = EncryptedInstallationStore.build_bots_table(Base.metadata, BOTS)
installations = EncryptedInstallationStore.build_installations_table(Base.metadata, INSTALLATIONS)
oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, STATES)
