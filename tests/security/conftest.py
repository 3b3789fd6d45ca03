"""One sandbox per module with a case open: the security tests try many inputs against the same case."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.sandbox.harness import ManualClock, Sandbox
from tests.journey import open_case

REFERENCE = "CASE-2026-014"  # the case the journey's agreement opens


@pytest.fixture(scope="module")
def case_box(tmp_path_factory):
    """An HTTP sandbox with one open case, shared by a module's tests (they only read or are refused)."""
    path = tmp_path_factory.mktemp("security") / "casebot.db"
    clock = ManualClock(datetime(2026, 11, 24, 21, 0, tzinfo=UTC))
    with Sandbox(database_url=f"sqlite:///{path}", mode="http", clock=clock, rate_limits=False) as box:
        open_case(box)
        yield box
