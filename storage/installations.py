"""slack_sdk's installation and OAuth state tables, declared on casebot's metadata.

slack_sdk's SQLAlchemy stores (used by bot/install) read and write these tables; casebot creates them
with its own Alembic migration (0011), never with the stores' create_all. Declaring them here, with
slack_sdk's own table builders, lets the migrations test see at once if a slack_sdk upgrade changes them.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from storage.models import Base

BOTS = SQLAlchemyInstallationStore.default_bots_table_name  # slack_bots
INSTALLATIONS = SQLAlchemyInstallationStore.default_installations_table_name  # slack_installations
STATES = SQLAlchemyOAuthStateStore.default_table_name  # slack_oauth_states

bots = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS)
installations = SQLAlchemyInstallationStore.build_installations_table(Base.metadata, INSTALLATIONS)
oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, STATES)
