"""response_url as Slack serves it: a slash command carries one, and casebot's slow answers use it.

Slack's documented limits: up to 5 uses within 30 minutes of the command; "ephemeral" (the default)
shows the message to the person who typed it only, "in_channel" to the channel.
"""

from __future__ import annotations

import logging

import pytest
from slack_sdk.webhook import WebhookClient

from bot.commands.rules import response_url_allowed
from bot.sandbox import payloads
from bot.sandbox.api_hooks import RESPONSE_URL_TTL, RESPONSE_URL_USES
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.harness import CASE_CHANNEL, LEAD, MANAGER, OUTSIDER, TEAM_ID
from tests.journey import open_case


@pytest.fixture
def emu():
    with SlackEmulator() as emulator:
        now = [1_800_000_000.0]
        emulator.clock = lambda: now[0]
        emulator.add_user("U1", name="alex")
        emulator.add_channel("C1", name="cases-north", members=["U1"], is_private=True, bot_is_member=True)
        emulator.now = now  # type: ignore[attr-defined]
        yield emulator


def test_an_ephemeral_answer_reaches_only_the_person_who_typed_the_command(emu):
    url = emu.response_url_for(kind="commands", user_id="U1", channel_id="C1")
    assert url.startswith(emu.root_url + "hooks/commands/")
    answer = WebhookClient(url).send(text="Your cases: none", response_type="ephemeral")
    assert (answer.status_code, answer.body) == (200, "ok")
    (shown,) = [e for e in emu.ephemerals if e.get("via") == "response_url"]
    assert (shown["user"], shown["channel"], shown["text"]) == ("U1", "C1", "Your cases: none")
    assert emu.messages("C1") == []  # nothing in the channel itself
    assert [c.method for c in emu.calls] == ["response_url"]  # recorded, so output scans see it


def test_in_channel_posts_to_the_channel(emu):
    url = emu.response_url_for(kind="commands", user_id="U1", channel_id="C1")
    assert WebhookClient(url).send(text="For everyone", response_type="in_channel").status_code == 200
    assert [m["text"] for m in emu.messages("C1")] == ["For everyone"]
    assert emu.ephemerals == []


def test_five_uses_then_used_url(emu):
    url = emu.response_url_for(kind="commands", user_id="U1", channel_id="C1")
    client = WebhookClient(url)
    assert [client.send(text=f"answer {n}").status_code for n in range(RESPONSE_URL_USES)] == [200] * 5
    refused = client.send(text="one too many")
    assert (refused.status_code, refused.body) == (404, "used_url")
    assert len(emu.responses_to(url)) == RESPONSE_URL_USES


def test_expired_after_thirty_minutes(emu):
    url = emu.response_url_for(kind="commands", user_id="U1", channel_id="C1")
    emu.now[0] += RESPONSE_URL_TTL - 1
    assert WebhookClient(url).send(text="just in time").status_code == 200
    emu.now[0] += 2
    late = WebhookClient(url).send(text="too late")
    assert (late.status_code, late.body) == (404, "expired_url")


def test_what_slack_refuses(emu):
    url = emu.response_url_for(kind="commands", user_id="U1", channel_id="C1")
    unknown = WebhookClient(url[:-1] + ("0" if url[-1] != "0" else "1")).send(text="hi")
    assert (unknown.status_code, unknown.body) == (404, "invalid_token")
    assert WebhookClient(url).send(text="").body == "no_text"
    bad_blocks = WebhookClient(url).send(text="x", blocks=[{"type": "section"}])
    assert (bad_blocks.status_code, bad_blocks.body) == (400, "invalid_blocks")
    assert emu.responses == []  # a refused post is not a use: the URL still works
    assert WebhookClient(url).send(text="fine").status_code == 200


def test_the_driver_gives_each_command_its_own_response_url(sandbox):
    first = sandbox.driver.slash(LEAD, "help", CASE_CHANNEL)
    second_url = sandbox.driver.last_payload
    assert first.text and first.replies == ()  # help is answered in the ack itself
    assert sandbox.driver.last_payload["response_url"].startswith(sandbox.emu.root_url + "hooks/commands/")
    sandbox.driver.slash(LEAD, "help", CASE_CHANNEL)
    assert sandbox.driver.last_payload["response_url"] != second_url["response_url"]


@pytest.mark.parametrize("sub", ["list", "overdue"])
def test_list_and_overdue_ack_at_once_and_answer_on_the_response_url(sandbox, sub):
    open_case(sandbox)
    sandbox.emu.clear_calls()
    reply = sandbox.driver.slash(MANAGER, sub, CASE_CHANNEL)
    assert reply.status == 200 and reply.text is None  # an empty ack, before any database work is shown
    (answer,) = reply.replies
    assert (answer["user"], answer["channel"], answer["response_type"]) == (
        MANAGER,
        CASE_CHANNEL,
        "ephemeral",
    )
    assert "CASE-2026-014" in answer["text"] or "overdue" in answer["text"].lower()
    assert [c.method for c in sandbox.emu.calls] == ["response_url"]  # no chat.postEphemeral besides


def test_an_answer_is_never_posted_to_a_url_that_is_not_slacks(sandbox, caplog):
    open_case(sandbox)
    sandbox.emu.clear_calls()
    payload = payloads.slash_command(
        text="list",
        user_id=LEAD,
        user_name="alex",
        channel_id=CASE_CHANNEL,
        channel_name="cases",
        team_id=TEAM_ID,
        response_url="https://evil.example/hooks/commands/T0CASE01/1/abc",
    )
    with caplog.at_level(logging.WARNING, logger="casebot.commands"):
        reply = sandbox.driver.deliver("slash_commands", payload)
    assert reply.status == 200 and reply.text is None
    (told,) = [c for c in sandbox.emu.calls if c.method == "chat.postEphemeral"]  # told another way
    assert told.params["user"] == LEAD and "CASE-2026-014" in told.params["text"]
    assert "response_url not Slack's" in caplog.text and "evil.example" not in caplog.text


def test_an_expired_response_url_falls_back_to_an_ephemeral_message(sandbox, clock):
    open_case(sandbox)
    url = sandbox.emu.response_url_for(kind="commands", user_id=OUTSIDER, channel_id=CASE_CHANNEL)
    clock.advance(minutes=31)  # the emulator keeps casebot's time: the URL is past its 30 minutes
    payload = payloads.slash_command(
        text="list",
        user_id=OUTSIDER,
        user_name="tom",
        channel_id=CASE_CHANNEL,
        channel_name="cases",
        team_id=TEAM_ID,
        response_url=url,
    )
    sandbox.emu.clear_calls()
    sandbox.driver.deliver("slash_commands", payload)
    methods = [(c.method, c.status) for c in sandbox.emu.calls]
    assert ("response_url", 404) in methods
    assert any(m == "chat.postEphemeral" or m == "chat.postMessage" for m, _ in methods)


def test_only_slacks_hooks_are_allowed():
    api = "https://slack.com/api/"
    assert response_url_allowed("https://hooks.slack.com/commands/T1/2/x", api)
    assert not response_url_allowed("https://hooks.slack.com.evil.example/commands/T1/2/x", api)
    assert not response_url_allowed("https://evil.example/hooks/commands/T1/2/x", api)
    assert not response_url_allowed("http://127.0.0.1:9/hooks/commands/T1/2/x", api)
    emulator = "http://127.0.0.1:8123/api/"
    assert response_url_allowed("http://127.0.0.1:8123/hooks/commands/T1/2/x", emulator)
    assert not response_url_allowed("http://127.0.0.1:8124/hooks/commands/T1/2/x", emulator)
