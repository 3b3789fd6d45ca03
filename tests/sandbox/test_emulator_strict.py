"""The emulator refuses what real Slack refuses, with Slack's error strings, through a real WebClient.

One test per kind of request Slack turns down; before these, the emulator accepted 21 of the 22 and a
76-character checkbox label that real Slack refuses hid behind it. Each case is a request real Slack
refuses (Block Kit reference limits, the Web API method pages), checked through slack_sdk so the error
arrives exactly as casebot would see it.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.scopes import manifest_scopes

TOKEN = "xoxb-casebot-test"


def text(value: str, kind: str = "mrkdwn") -> dict[str, Any]:
    return {"type": kind, "text": value}


def plain(value: str) -> dict[str, Any]:
    return text(value, "plain_text")


def section(value: str = "Case card", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": text(value), **extra}


def button(label: str = "Agree", action_id: str = "agree") -> dict[str, Any]:
    return {"type": "button", "text": plain(label), "action_id": action_id, "value": "1"}


def option(label: str, value: str = "v") -> dict[str, Any]:
    return {"text": plain(label), "value": value}


def modal(blocks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    view = {
        "type": "modal",
        "callback_id": "note",
        "title": plain("Summary"),
        "submit": plain("Save"),
        "blocks": blocks,
    }
    view.update(extra)
    return view


def text_input(**element: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": "what",
        "label": plain("What happened"),
        "element": {"type": "plain_text_input", "action_id": "what", **element},
    }


@pytest.fixture
def emu() -> Iterator[SlackEmulator]:
    with SlackEmulator(team_id="T0CASE01", bot_token=TOKEN) as emulator:
        emulator.add_user("U1", name="alex", real_name="Alex Worker")
        emulator.add_channel("C1", name="cases-north", is_private=True, members=["U1"])
        emulator.add_channel("CPRIV", name="other-team", is_private=True, members=["U1"], bot_is_member=False)
        emulator.add_channel("CPUB", name="general", members=["U1"])
        yield emulator


@pytest.fixture
def client(emu: SlackEmulator) -> WebClient:
    # No retry handlers: the test sees Slack's first answer.
    return WebClient(token=TOKEN, base_url=emu.base_url, retry_handlers=[], timeout=5)


def refused(call, *args: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as excinfo:
        call(*args, **kwargs)
    return dict(excinfo.value.response.data)


# ------------------------------------------------------------------ messages: invalid_blocks

INVALID_MESSAGES = {
    "section text over 3,000": [section("x" * 3001)],
    "button text over 75": [{"type": "actions", "elements": [button("b" * 76)]}],
    "26 elements in an actions block": [
        {"type": "actions", "elements": [button("b", f"a{i}") for i in range(26)]}
    ],
    "11 elements in a context block": [{"type": "context", "elements": [text("c")] * 11}],
    "an unknown block type": [{"type": "card", "text": text("x")}],
    "a duplicate block_id": [section(block_id="card"), section(block_id="card")],
    "51 blocks in a message": [section()] * 51,
    "option text over 75": [
        section(accessory={"type": "static_select", "action_id": "s", "options": [option("o" * 76)]})
    ],
    "101 options": [
        section(
            accessory={
                "type": "static_select",
                "action_id": "s",
                "options": [option("o", f"v{i}") for i in range(101)],
            }
        )
    ],
    "an empty text object": [section("")],
    "header over 150": [{"type": "header", "text": plain("h" * 151)}],
    "mrkdwn in a header": [{"type": "header", "text": text("h")}],
    "a duplicate action_id in one block": [{"type": "actions", "elements": [button(), button()]}],
}


@pytest.mark.parametrize("blocks", INVALID_MESSAGES.values(), ids=INVALID_MESSAGES.keys())
def test_invalid_message_blocks_are_refused_as_slack_refuses_them(client: WebClient, blocks) -> None:
    answer = refused(client.chat_postMessage, channel="C1", text="fallback", blocks=blocks)
    assert answer["error"] == "invalid_blocks"
    assert answer["response_metadata"]["messages"][0].startswith("[ERROR] ")


def test_the_same_checks_apply_to_updates_and_ephemeral_messages(client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="card", blocks=[section()])
    too_long = [section("x" * 3001)]
    assert refused(client.chat_update, channel="C1", ts=posted["ts"], text="c", blocks=too_long)["error"] == (
        "invalid_blocks"
    )
    answer = refused(client.chat_postEphemeral, channel="C1", user="U1", text="c", blocks=too_long)
    assert answer["error"] == "invalid_blocks"


def test_a_valid_message_still_goes_through(emu: SlackEmulator, client: WebClient) -> None:
    blocks = [
        {"type": "header", "text": plain("Case CASE-A1")},
        section("x" * 3000, block_id="card"),
        {"type": "actions", "elements": [button("b" * 75, f"a{i}") for i in range(25)]},
        {"type": "context", "elements": [text("c")] * 10},
    ]
    client.chat_postMessage(channel="C1", text="card", blocks=blocks)
    assert emu.messages("C1")[-1]["blocks"] == blocks


def test_malformed_metadata_event_type_is_refused(client: WebClient) -> None:
    for event_type in ("casebot outbox", "", "case-bot/outbox"):
        metadata = {"event_type": event_type, "event_payload": {"outbox_id": 1}}
        answer = refused(client.chat_postMessage, channel="C1", text="t", metadata=metadata)
        assert answer["error"] == "invalid_metadata_format"
    client.chat_postMessage(
        channel="C1", text="t", metadata={"event_type": "casebot_outbox", "event_payload": {"outbox_id": 1}}
    )


# ------------------------------------------------------------------ views: invalid_arguments

INVALID_MODALS = {
    "a title over 24": modal([section()], title=plain("t" * 25)),
    "option text over 75 in checkboxes": modal(
        [
            {
                "type": "input",
                "block_id": "keep",
                "label": plain("Keep"),
                "element": {"type": "checkboxes", "action_id": "keep", "options": [option("k" * 76)]},
            }
        ]
    ),
    "private_metadata over 3,000": modal([section()], private_metadata="m" * 3001),
    "input blocks without a submit button": {
        "type": "modal",
        "title": plain("Summary"),
        "blocks": [text_input()],
    },
    "initial_value longer than max_length": modal([text_input(max_length=10, initial_value="x" * 11)]),
    "max_length over 3,000": modal([text_input(max_length=3001)]),
    "101 blocks": modal([section()] * 101),
    "11 checkbox options": modal(
        [
            {
                "type": "input",
                "block_id": "keep",
                "label": plain("Keep"),
                "element": {
                    "type": "checkboxes",
                    "action_id": "keep",
                    "options": [option("k", f"v{i}") for i in range(11)],
                },
            }
        ]
    ),
}


@pytest.mark.parametrize("view", INVALID_MODALS.values(), ids=INVALID_MODALS.keys())
def test_invalid_modals_are_refused_as_slack_refuses_them(
    emu: SlackEmulator, client: WebClient, view
) -> None:
    answer = refused(client.views_open, trigger_id=emu.trigger_id_for("U1"), view=view)
    assert answer["error"] == "invalid_arguments"
    assert answer["response_metadata"]["messages"]


def test_a_home_tab_section_over_3000_is_refused(client: WebClient) -> None:
    answer = refused(
        client.views_publish, user_id="U1", view={"type": "home", "blocks": [section("x" * 3001)]}
    )
    assert answer["error"] == "invalid_arguments"


def test_a_refused_view_update_leaves_the_modal_as_it_was(emu: SlackEmulator, client: WebClient) -> None:
    opened = client.views_open(trigger_id=emu.trigger_id_for("U1"), view=modal([section("first")]))
    view_id = opened["view"]["id"]
    answer = refused(client.views_update, view_id=view_id, view=modal([section("x" * 3001)]))
    assert answer["error"] == "invalid_arguments"
    assert emu.views[view_id]["blocks"] == [section("first")]


# ------------------------------------------------------------------ trigger_ids


def test_a_trigger_id_opens_one_view_only(emu: SlackEmulator, client: WebClient) -> None:
    trigger = emu.trigger_id_for("U1")
    client.views_open(trigger_id=trigger, view=modal([section()]))
    assert refused(client.views_open, trigger_id=trigger, view=modal([section()]))["error"] == (
        "exchanged_trigger_id"
    )


def test_a_trigger_id_expires_after_three_seconds(emu: SlackEmulator, client: WebClient) -> None:
    emu.trigger_ttl = 0.05  # Slack's 3 s, shortened so the test need not sleep for it
    trigger = emu.trigger_id_for("U1")
    deadline = time.monotonic() + 0.06
    while time.monotonic() < deadline:  # the expiry is measured on the monotonic clock, not a sleep
        time.sleep(0.01)
    assert refused(client.views_open, trigger_id=trigger, view=modal([section()]))["error"] == (
        "expired_trigger_id"
    )


def test_a_trigger_id_slack_never_issued_is_refused(client: WebClient) -> None:
    answer = refused(client.views_open, trigger_id="12345.98765.abcd2358fdea", view=modal([section()]))
    assert answer["error"] == "invalid_trigger_id"


def test_an_invalid_view_does_not_use_up_the_trigger(emu: SlackEmulator, client: WebClient) -> None:
    trigger = emu.trigger_id_for("U1")
    refused(client.views_open, trigger_id=trigger, view=modal([section("x" * 3001)]))
    assert client.views_open(trigger_id=trigger, view=modal([section()]))["ok"]


# ------------------------------------------------------------------ visibility and scopes


@pytest.mark.parametrize("method", ["conversations_info", "conversations_members"])
def test_a_private_channel_the_bot_is_not_in_does_not_exist_for_it(client: WebClient, method: str) -> None:
    assert refused(getattr(client, method), channel="CPRIV")["error"] == "channel_not_found"
    assert client.conversations_info(channel="C1")["channel"]["is_member"] is True


def test_posting_in_a_private_channel_the_bot_is_not_in_says_channel_not_found(client: WebClient) -> None:
    assert refused(client.chat_postMessage, channel="CPRIV", text="hi")["error"] == "channel_not_found"


def test_the_bot_token_has_exactly_the_manifests_scopes(emu: SlackEmulator) -> None:
    assert emu.scopes == set(manifest_scopes())
    assert "chat:write" in emu.scopes


def test_a_method_without_its_scope_is_refused_with_missing_scope(
    emu: SlackEmulator, client: WebClient
) -> None:
    emu.scopes.discard("users:read")
    answer = refused(client.users_info, user="U1")
    assert answer["error"] == "missing_scope"
    assert answer["needed"] == "users:read" and "chat:write" in answer["provided"].split(",")


def test_conversation_methods_need_the_scope_of_the_conversations_kind(
    emu: SlackEmulator, client: WebClient
) -> None:
    dm = client.conversations_open(users="U1")["channel"]["id"]
    # The manifest has no im:read: reading a DM's info is refused, as real Slack would refuse it.
    assert "im:read" not in emu.scopes
    answer = refused(client.conversations_info, channel=dm)
    assert (answer["error"], answer["needed"]) == ("missing_scope", "im:read")
    emu.scopes.discard("channels:read")
    assert refused(client.conversations_info, channel="CPUB")["needed"] == "channels:read"
    assert client.conversations_info(channel="C1")["ok"]  # private: groups:read, which it has


def test_reactions_need_reactions_write(client: WebClient, emu: SlackEmulator) -> None:
    posted = client.chat_postMessage(channel="C1", text="card")
    assert "reactions:write" not in emu.scopes  # casebot adds no reactions, so the manifest doesn't ask
    answer = refused(client.reactions_add, channel="C1", timestamp=posted["ts"], name="eyes")
    assert (answer["error"], answer["needed"]) == ("missing_scope", "reactions:write")


# ------------------------------------------------------------------ posting rate


def test_a_burst_past_slacks_posting_rate_is_answered_429_with_retry_after(
    emu: SlackEmulator, client: WebClient
) -> None:
    now = [1000.0]
    emu.clock = lambda: now[0]
    for i in range(4):  # a short burst is allowed
        client.chat_postMessage(channel="C1", text=f"post {i}")
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="one too many")
    assert excinfo.value.response.status_code == 429
    assert excinfo.value.response["error"] == "ratelimited"
    assert int(excinfo.value.response.headers["Retry-After"]) >= 1
    client.chat_postMessage(channel="CPUB", text="another channel has its own allowance")
    now[0] += 1.0  # one message a second comes back
    client.chat_postMessage(channel="C1", text="after a second")
    assert [m["text"] for m in emu.messages("C1")][-1] == "after a second"


def test_the_posting_rate_can_be_switched_off_for_tests_about_something_else(
    emu: SlackEmulator, client: WebClient
) -> None:
    emu.clock = lambda: 1000.0
    emu.rate_limits = False
    for i in range(20):
        client.chat_postMessage(channel="C1", text=f"post {i}")
    assert len(emu.messages("C1")) == 20


# ------------------------------------------------------------------ uploads


def test_an_upload_whose_bytes_differ_from_the_declared_length_is_refused(client: WebClient) -> None:
    import urllib.request

    dm = client.conversations_open(users="U1")["channel"]["id"]
    url = client.files_getUploadURLExternal(filename="notes.md", length=10)
    request = urllib.request.Request(url["upload_url"], data=b"only five", method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=5):  # noqa: S310 - the emulator on 127.0.0.1
        pass
    answer = refused(
        client.files_completeUploadExternal, files=[{"id": url["file_id"], "title": "notes"}], channel_id=dm
    )
    assert answer["error"] == "invalid_arguments"


def test_refusals_are_recorded_like_any_other_call(emu: SlackEmulator, client: WebClient) -> None:
    refused(client.chat_postMessage, channel="C1", text="t", blocks=[section("x" * 3001)])
    call = emu.calls_to("chat.postMessage")[-1]
    assert call.response["error"] == "invalid_blocks" and not emu.messages("C1")
    assert copy.deepcopy(call.params["blocks"]) == [section("x" * 3001)]


# ------------------------------------------------------------------ the suite-wide check


def test_a_slack_level_test_fails_if_casebot_sent_anything_slack_refuses(request, http_sandbox):
    from tests.slack_fixtures import assert_slack_accepted_everything

    client = http_sandbox.deps.web_client()
    refused(client.chat_postMessage, channel="CCASES01", text="t", blocks=[section("x" * 3001)])
    with pytest.raises(AssertionError, match="invalid_blocks"):
        assert_slack_accepted_everything(request, http_sandbox)
    http_sandbox.emu._refusals.clear()  # so this test's own teardown check passes


def test_injected_faults_are_not_counted_as_refusals(http_sandbox):
    http_sandbox.emu.inject_error("chat.postMessage", "invalid_blocks")
    client = http_sandbox.deps.web_client()
    refused(client.chat_postMessage, channel="CCASES01", text="t")
    assert http_sandbox.emu.refusals == []
