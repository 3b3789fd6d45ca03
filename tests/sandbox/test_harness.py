"""The Sandbox itself: closing it is prompt, so the Slack-level suite's time goes on the tests.

With serve_forever's default poll (0.5 s), shutdown() after a request waited ~0.48 s, once per test:
about half of the suite's time. The bound below sits far from both that and the ~0.09 s close of today,
so it catches the slow poll coming back without depending on a quiet machine.
"""

import time

import pytest

from bot.sandbox.driver import TriggerExpired
from bot.sandbox.harness import CASE_CHANNEL, LEAD, MANAGER, Sandbox
from tests.journey import make_manager

SLOW_POLL = 0.5  # serve_forever's default poll_interval


def test_closing_the_http_sandbox_right_after_a_request_does_not_wait_for_a_slow_poll(tmp_path):
    box = Sandbox(database_url=f"sqlite:///{tmp_path / 'casebot.db'}", mode="http")
    try:
        assert box.driver.slash(LEAD, "help", CASE_CHANNEL).status == 200
    finally:
        started = time.monotonic()
        box.close()
        took = time.monotonic() - started
    assert took < SLOW_POLL * 0.6, f"close() took {took:.2f}s: is the test server polling every 0.5 s again?"


def test_a_modal_opened_after_slacks_three_seconds_fails_the_step_that_stalled(tmp_path):
    """A stall (a busy CI machine) shows up as TriggerExpired on the click that caused it, which the
    test runner retries, not as a modal missing several steps later."""
    box = Sandbox(database_url=f"sqlite:///{tmp_path / 'casebot.db'}", mode="http")
    try:
        make_manager(box)
        box.emu.trigger_ttl = 0.0  # every modal now opens "too late"
        with pytest.raises(TriggerExpired, match="expired_trigger_id"):
            box.driver.slash(MANAGER, "open", CASE_CHANNEL)
        box.emu.trigger_ttl = 3.0
        box.driver.slash(MANAGER, "open", CASE_CHANNEL)  # in time: no error
        assert box.emu.open_views_for(MANAGER)
    finally:
        box.close()
