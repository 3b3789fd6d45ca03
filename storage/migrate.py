"""Alembic, driven from code so `casebot db upgrade`, start-up and the tests share one configuration."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # env.py uses this engine's connection instead of building its own from a URL.
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)
    if engine.dialect.name == "sqlite":
        # Old page images (plain text replaced by the encryption migration, say) stay in the WAL file
        # until it is overwritten: fold it into the database and empty it.
        raw = engine.raw_connection()  # pysqlite in autocommit (storage/db.py): the pragma runs as is
        try:
            assert raw.driver_connection is not None  # a connection just checked out of the pool
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def revisions(engine: Engine) -> tuple[str | None, str | None]:
    """(the database's migration, the newest this code has): equal when the schema is up to date."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision(), head
