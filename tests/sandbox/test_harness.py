"""The Sandbox itself: closing it is prompt, so the Slack-level suite's time goes on the tests.

With serve_forever's default poll (0.5 s), shutdown() after a request waited ~0.48 s, once per test:
about half of the suite's time. The bound below sits far from both that and the ~0.09 s close of today,
so it catches the slow poll coming back without depending on a quiet machine.
"""

import time

from bot.sandbox.harness import CASE_CHANNEL, LEAD, Sandbox

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
