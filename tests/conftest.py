"""Shared fixtures. Database tests run on SQLite, and also on PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import make_url, text

from bot import renderers
from bot.config import ephemeral_data_keys
from bot.sandbox.harness import ManualClock
from storage import crypto, migrate
from storage.db import make_engine, make_sessions

# Case text is encrypted at rest: engines the tests make directly (not through Deps, which binds the
# configured keys) use the same made-up key as the sandbox, so both read what the other wrote.
crypto.use_by_default(ephemeral_data_keys())

# Tests that deliver the outbox without an app or a jobs pass still render every feature's rows.
renderers.wire()

# The Slack-level fixtures (`sandbox`, `http_sandbox`), shared by every feature's tests.
pytest_plugins = ["tests.slack_fixtures"]

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


# Each pytest process works in a schema of its own on the shared PostgreSQL database, so two runs on one
# machine (developers, CI, a benchmark) never drop each other's tables mid-test.
PG_SCHEMA = f"casebot_test_{os.getpid()}"


def _in_own_schema(url: str) -> str:
    parsed = make_url(url)
    options = " ".join(filter(None, [parsed.query.get("options", ""), f"-c search_path={PG_SCHEMA}"]))
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def _reset_postgres(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))


@pytest.fixture(scope="session", autouse=True)
def _drop_own_schema_at_the_end():
    yield
    if "postgresql" in BACKENDS:
        engine = make_engine(os.environ["TEST_DATABASE_URL"])
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'casebot.db'}"
    url = _in_own_schema(os.environ["TEST_DATABASE_URL"])
    engine = make_engine(url)
    _reset_postgres(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    return make_sessions(engine)


Clock = ManualClock  # the name the tests use


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 24, 21, 0, tzinfo=UTC))
