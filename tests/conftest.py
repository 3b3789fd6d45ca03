"""Shared fixtures. Database tests run on SQLite, and also on PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.sandbox.harness import ManualClock
from storage import migrate
from storage.db import make_engine, make_sessions

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _reset_postgres(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'casebot.db'}"
    url = os.environ["TEST_DATABASE_URL"]
    _reset_postgres(make_engine(url))
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
