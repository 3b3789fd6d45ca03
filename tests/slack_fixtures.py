import os

import pytest

from bot.sandbox.harness import Sandbox


def _rate_limits(request) -> bool:
    """Slack's per-channel posting rate, on for tests marked slack_rate_limits.

    casebot's outbox does not yet pace posts per channel (issue 17), so a test about something else
    would spend its time on 429s; the tests about the rate limit itself keep it on.
    """
    if os.environ.get("CASEBOT_TEST_SLACK_RATE_LIMITS") == "1":  # the whole suite under Slack's rate
        return True
    return request.node.get_closest_marker("slack_rate_limits") is not None


def assert_slack_accepted_everything(request, box: Sandbox) -> None:
    """Every message, modal and home tab the test made casebot send was one real Slack accepts.

    A refusal can hide behind a passing test (an outbox row dead-lettered, a modal that never opened),
    so it fails the test here; a test about a refusal marks itself `expects_slack_refusal`.
    """
    if request.node.get_closest_marker("expects_slack_refusal"):
        return
    refused = [
        f"{c.method}: {c.response.get('error')} {c.response.get('response_metadata', '')}"
        for c in box.emu.refusals
    ]
    assert not refused, "Slack would have refused:\n" + "\n".join(refused)


@pytest.fixture(params=["http", "socket"])
def sandbox(request, database_url, clock):
    with Sandbox(
        database_url=database_url, mode=request.param, clock=clock, rate_limits=_rate_limits(request)
    ) as box:
        yield box
        assert_slack_accepted_everything(request, box)


@pytest.fixture
def http_sandbox(request, database_url, clock):
    with Sandbox(
        database_url=database_url, mode="http", clock=clock, rate_limits=_rate_limits(request)
    ) as box:
        yield box
        assert_slack_accepted_everything(request, box)
