"""The Slack emulator, exercised through a real slack_sdk WebClient over HTTP (never a mock).

What the SDK surfaces (SlackApiError, status codes, Retry-After, timeouts) is the contract the rest
of casebot relies on, so these tests assert on that rather than on the emulator's internals.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.emulator import RecordedCall, SlackEmulator

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*Case* card"}}
MODAL = {
    "type": "modal",
    "callback_id": "case_note",
    "title": {"type": "plain_text", "text": "Add a note"},
    "submit": {"type": "plain_text", "text": "Save"},
    "private_metadata": "case=42",
    "blocks": [SECTION],
}
HOME = {"type": "home", "blocks": [SECTION]}


@pytest.fixture
def emu() -> Iterator[SlackEmulator]:
    emulator = SlackEmulator(
        team_id="T0CASE01",
        team_name="Casework Team",
        bot_user_id="UCASEBOT",
        bot_id="BCASEBOT",
        bot_token="xoxb-casebot-test",
        app_token="xapp-casebot-test",
    )
    emulator.rate_limits = False  # these tests are about other things; test_emulator_strict covers the rate
    with emulator:
        emulator.add_user("U1", name="alex", real_name="Alex Worker", tz="Pacific/Auckland")
        emulator.add_user("U2", name="sam", real_name="Sam Lead", tz="Europe/London", is_admin=True)
        emulator.add_user("U3", name="outsider", real_name="Out Sider")
        emulator.add_channel("C1", name="cases-north", is_private=True, members=["U1", "U2"])
        emulator.add_channel("C2", name="general", members=["U1", "U2", "U3"])
        yield emulator


@pytest.fixture
def client(emu: SlackEmulator) -> WebClient:
    # No retry handlers: every failure must reach the test exactly as Slack's first answer.
    return WebClient(token="xoxb-casebot-test", base_url=emu.base_url, retry_handlers=[], timeout=5)


def api_error(excinfo: pytest.ExceptionInfo[SlackApiError]) -> str:
    return str(excinfo.value.response["error"])


# ------------------------------------------------------------------ messages and threads


def test_post_thread_and_replies_round_trip(emu: SlackEmulator, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="New case", blocks=[SECTION])
    assert parent["ok"] and parent["channel"] == "C1"
    assert parent["ts"] == "1700000000.000100"
    assert parent["message"]["bot_id"] == "BCASEBOT" and parent["message"]["blocks"] == [SECTION]

    first = client.chat_postMessage(channel="C1", text="first reply", thread_ts=parent["ts"])
    human = emu.post_user_message("C1", user="U1", text="human reply", thread_ts=parent["ts"])
    broadcast = client.chat_postMessage(
        channel="C1", text="also in channel", thread_ts=parent["ts"], reply_broadcast=True
    )
    assert parent["ts"] < first["ts"] < human["ts"] < broadcast["ts"]

    replies = client.conversations_replies(channel="C1", ts=parent["ts"])
    texts = [m["text"] for m in replies["messages"]]
    assert texts == ["New case", "first reply", "human reply", "also in channel"]
    head = replies["messages"][0]
    assert head["reply_count"] == 3 and head["latest_reply"] == broadcast["ts"]
    assert set(head["reply_users"]) == {"UCASEBOT", "U1"}
    assert replies["response_metadata"]["next_cursor"] == ""

    # Top level: the parent and the broadcast reply only; history is newest first like Slack.
    assert [m["ts"] for m in emu.messages("C1")] == [parent["ts"], broadcast["ts"]]
    history = client.conversations_history(channel="C1")
    assert [m["ts"] for m in history["messages"]] == [broadcast["ts"], parent["ts"]]
    assert [m["text"] for m in emu.thread("C1", parent["ts"])] == texts
    assert emu.message("C1", first["ts"])["thread_ts"] == parent["ts"]
    assert emu.message("C1", "1.000000") is None


def test_ts_base_is_deterministic_and_never_goes_backwards(emu: SlackEmulator, client: WebClient) -> None:
    emu.set_ts_base(1_800_000_000.0)
    assert client.chat_postMessage(channel="C1", text="a")["ts"] == "1800000000.000100"
    assert client.chat_postMessage(channel="C1", text="b")["ts"] == "1800000000.000200"
    with pytest.raises(ValueError):
        emu.set_ts_base(1_700_000_000.0)


def test_form_encoded_json_fields_and_metadata(emu: SlackEmulator, client: WebClient) -> None:
    metadata = {"event_type": "case_card", "event_payload": {"case_id": 42}}
    # api_call with params= sends a form body, where Slack takes blocks/metadata as JSON strings.
    posted = client.api_call(
        "chat.postMessage",
        params={
            "channel": "C1",
            "text": "card",
            "blocks": json.dumps([SECTION]),
            "metadata": json.dumps(metadata),
        },
    )
    assert emu.message("C1", posted["ts"])["blocks"] == [SECTION]
    assert "metadata" not in client.conversations_history(channel="C1")["messages"][0]
    with_meta = client.conversations_history(channel="C1", include_all_metadata=True)["messages"][0]
    assert with_meta["metadata"] == metadata


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"channel": "C1"}, "no_text"),
        ({"channel": "C1", "text": "x" * 40_001}, "msg_too_long"),
        ({"channel": "C1", "text": "t", "blocks": json.dumps({"type": "section"})}, "invalid_blocks_format"),
        ({"channel": "C1", "text": "t", "blocks": "not json"}, "invalid_blocks_format"),
        ({"channel": "C404", "text": "t"}, "channel_not_found"),
    ],
)
def test_post_message_validation(client: WebClient, kwargs: dict[str, str], error: str) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("chat.postMessage", params=kwargs)
    assert api_error(excinfo) == error


def test_not_in_channel_and_archived(emu: SlackEmulator, client: WebClient) -> None:
    emu.set_bot_membership("C1", False)  # a private channel the bot left no longer exists for it
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="hello")
    assert api_error(excinfo) == "channel_not_found"
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_info(channel="C1")
    assert api_error(excinfo) == "channel_not_found"

    emu.set_bot_membership("C2", False)  # a public one it can see but not post in
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C2", text="hello")
    assert api_error(excinfo) == "not_in_channel"
    assert client.conversations_info(channel="C2")["channel"]["is_member"] is False

    emu.set_bot_membership("C1", True)
    assert client.conversations_info(channel="C1")["channel"]["is_member"] is True
    emu.archive_channel("C1")
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="hello")
    assert api_error(excinfo) == "is_archived"
    assert client.conversations_info(channel="C1")["channel"]["is_archived"] is True
    assert emu.messages("C1") == []


def test_update_and_delete(emu: SlackEmulator, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="draft", blocks=[SECTION])
    updated = client.chat_update(channel="C1", ts=posted["ts"], text="final")
    assert updated["ts"] == posted["ts"] and updated["text"] == "final"
    stored = emu.message("C1", posted["ts"])
    assert stored["text"] == "final" and stored["blocks"] == [SECTION]  # omitted blocks are kept
    assert stored["edited"]["user"] == "UCASEBOT"

    human = emu.post_user_message("C1", user="U1", text="mine")
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_update(channel="C1", ts=human["ts"], text="hijack")
    assert api_error(excinfo) == "cant_update_message"
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_update(channel="C1", ts="1.000001", text="x")
    assert api_error(excinfo) == "message_not_found"

    assert client.chat_delete(channel="C1", ts=posted["ts"])["ts"] == posted["ts"]
    assert emu.message("C1", posted["ts"]) is None
    assert [e["kind"] for e in emu.transcript()] == ["post", "update", "user_post", "delete"]


def test_ephemeral(emu: SlackEmulator, client: WebClient) -> None:
    sent = client.chat_postEphemeral(channel="C1", user="U1", text="only you", thread_ts="1700000000.000001")
    assert sent["message_ts"]
    assert emu.ephemerals == [
        {
            "channel": "C1",
            "user": "U1",
            "text": "only you",
            "blocks": [],
            "thread_ts": "1700000000.000001",
            "ts": sent["message_ts"],
        }
    ]
    assert emu.messages("C1") == []  # never visible in the channel
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postEphemeral(channel="C1", user="U3", text="not a member")
    assert api_error(excinfo) == "user_not_in_channel"


def test_permalink_and_reactions(emu: SlackEmulator, client: WebClient) -> None:
    emu.scopes.add("reactions:write")  # casebot itself never adds reactions; the manifest does not ask
    parent = client.chat_postMessage(channel="C1", text="p")
    reply = client.chat_postMessage(channel="C1", text="r", thread_ts=parent["ts"])
    link = client.chat_getPermalink(channel="C1", message_ts=parent["ts"])["permalink"]
    assert link == "https://emulator.slack.test/archives/C1/p1700000000000100"
    reply_link = client.chat_getPermalink(channel="C1", message_ts=reply["ts"])["permalink"]
    assert reply_link.endswith(f"?thread_ts={parent['ts']}&cid=C1")

    client.reactions_add(channel="C1", name="white_check_mark", timestamp=parent["ts"])
    with pytest.raises(SlackApiError) as excinfo:
        client.reactions_add(channel="C1", name="white_check_mark", timestamp=parent["ts"])
    assert api_error(excinfo) == "already_reacted"


def test_history_pagination(emu: SlackEmulator, client: WebClient) -> None:
    emu.scopes.add("channels:history")  # a public channel: the public-channels manifest's scope
    sent = [client.chat_postMessage(channel="C2", text=str(i))["ts"] for i in range(5)]
    first = client.conversations_history(channel="C2", limit=2)
    assert [m["ts"] for m in first["messages"]] == sent[::-1][:2] and first["has_more"] is True
    cursor = first["response_metadata"]["next_cursor"]
    rest = client.conversations_history(channel="C2", limit=10, cursor=cursor)
    assert [m["ts"] for m in rest["messages"]] == sent[::-1][2:] and rest["has_more"] is False
    window = client.conversations_history(channel="C2", oldest=sent[1], latest=sent[3])
    assert [m["ts"] for m in window["messages"]] == [sent[2]]


# ------------------------------------------------------------------ DMs, users, conversations


def test_dm_via_conversations_open_and_user_id(emu: SlackEmulator, client: WebClient) -> None:
    emu.scopes.add("im:read")  # conversations.info on a DM; casebot's manifest does without it
    opened = client.conversations_open(users="U1")
    dm = opened["channel"]["id"]
    assert dm.startswith("D") and dm == emu.dm_channel_for("U1")
    assert client.conversations_open(users="U1")["already_open"] is True

    via_channel = client.chat_postMessage(channel=dm, text="reminder 1")
    via_user = client.chat_postMessage(channel="U1", text="reminder 2")
    assert via_user["channel"] == dm
    assert [m["ts"] for m in emu.dms("U1")] == [via_channel["ts"], via_user["ts"]]
    info = client.conversations_info(channel=dm)["channel"]
    assert info["is_im"] is True and info["user"] == "U1"
    assert [e["kind"] for e in emu.transcript()] == ["dm", "dm"]
    with pytest.raises(SlackApiError) as excinfo:
        client.conversations_open(users="U404")
    assert api_error(excinfo) == "user_not_found"


def test_users_info_with_timezone(client: WebClient) -> None:
    user = client.users_info(user="U1")["user"]
    expected = datetime.now(ZoneInfo("Pacific/Auckland")).utcoffset()
    assert expected is not None
    assert user["tz"] == "Pacific/Auckland" and user["tz_offset"] == int(expected.total_seconds())
    assert user["tz_label"] in {"NZST", "NZDT"}
    assert user["team_id"] == "T0CASE01" and user["profile"]["real_name"] == "Alex Worker"
    assert user["is_bot"] is False and user["deleted"] is False
    assert client.users_info(user="UCASEBOT")["user"]["is_bot"] is True
    with pytest.raises(SlackApiError) as excinfo:
        client.users_info(user="U404")
    assert api_error(excinfo) == "user_not_found"
    ids = [m["id"] for m in client.users_list()["members"]]
    assert {"U1", "U2", "U3", "UCASEBOT"} <= set(ids)


def test_conversations_info_and_members(client: WebClient) -> None:
    info = client.conversations_info(channel="C1")["channel"]
    assert info["name"] == "cases-north" and info["is_private"] is True and info["num_members"] == 3
    assert info["is_ext_shared"] is False and info["is_shared"] is False and info["is_org_shared"] is False
    members = client.conversations_members(channel="C1")
    assert members["members"] == ["U1", "U2", "UCASEBOT"]
    assert members["response_metadata"]["next_cursor"] == ""


# ------------------------------------------------------------------ views


def test_views_open_update_push_and_hash_conflict(emu: SlackEmulator, client: WebClient) -> None:
    trigger = emu.trigger_id_for("U1")
    opened = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "case_note"
    assert opened["private_metadata"] == "case=42" and opened["state"] == {"values": {}}
    assert emu.views[opened["id"]]["hash"] == opened["hash"]

    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view={**MODAL, "blocks": []})[
        "view"
    ]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    with pytest.raises(SlackApiError) as excinfo:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=MODAL)  # stale hash
    assert api_error(excinfo) == "hash_conflict"

    # A trigger opens one view: the push comes from a new interaction inside the modal.
    pushed = client.views_push(trigger_id=emu.trigger_id_for("U1"), view={**MODAL, "callback_id": "confirm"})[
        "view"
    ]
    assert pushed["previous_view_id"] == opened["id"] and pushed["root_view_id"] == opened["id"]
    assert [v["callback_id"] for v in emu.open_views_for("U1")] == ["case_note", "confirm"]
    emu.close_view(pushed["id"])
    assert [v["id"] for v in emu.open_views_for("U1")] == [opened["id"]]

    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id="", view=MODAL)
    assert api_error(excinfo) == "invalid_arguments"


def test_registered_trigger_and_json_string_view(emu: SlackEmulator, client: WebClient) -> None:
    emu.register_trigger("123.456.abc", "U2")
    client.api_call("views.open", params={"trigger_id": "123.456.abc", "view": json.dumps(MODAL)})
    assert [v["callback_id"] for v in emu.open_views_for("U2")] == ["case_note"]


def test_views_publish(emu: SlackEmulator, client: WebClient) -> None:
    first = client.views_publish(user_id="U1", view=HOME)["view"]
    second = client.views_publish(user_id="U1", view=HOME, hash=first["hash"])["view"]
    assert second["id"] == first["id"]  # the home tab keeps its view id, as in Slack
    assert emu.home_views["U1"]["hash"] == second["hash"]
    assert emu.views == {}  # modals only
    with pytest.raises(SlackApiError) as excinfo:
        client.views_publish(user_id="U1", view=HOME, hash=first["hash"])
    assert api_error(excinfo) == "hash_conflict"
    assert [e.get("action") for e in emu.transcript()] == ["publish", "publish"]


# ------------------------------------------------------------------ files


def test_files_upload_v2_round_trip(emu: SlackEmulator, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="case")
    response = client.files_upload_v2(
        channel="C1",
        content="# Note\nbody",
        filename="note.md",
        title="Case note",
        initial_comment="Here is the note",
        thread_ts=parent["ts"],
    )
    file_id = response["file"]["id"]
    assert file_id.startswith("F") and response["file"]["title"] == "Case note"
    [stored] = emu.files
    assert stored["id"] == file_id and stored["content"] == b"# Note\nbody"
    assert stored["filename"] == "note.md" and stored["channel_id"] == "C1"
    assert stored["initial_comment"] == "Here is the note" and stored["user"] is None
    share = emu.thread("C1", parent["ts"])[-1]
    assert share["text"] == "Here is the note" and share["files"][0]["id"] == file_id

    client.files_upload_v2(channel=emu.dm_channel_for("U2"), content=b"\x00\x01", filename="x.bin")
    assert emu.files[-1]["user"] == "U2" and emu.files[-1]["content"] == b"\x00\x01"
    assert [c.method for c in emu.calls[-2:]] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


# ------------------------------------------------------------------ auth, recording, faults


def test_tokens(emu: SlackEmulator, client: WebClient) -> None:
    auth = client.auth_test()
    assert (auth["user_id"], auth["bot_id"], auth["team_id"], auth["team"]) == (
        "UCASEBOT",
        "BCASEBOT",
        "T0CASE01",
        "Casework Team",
    )
    with pytest.raises(SlackApiError) as excinfo:
        WebClient(token="xoxb-wrong", base_url=emu.base_url, retry_handlers=[]).chat_postMessage(
            channel="C1", text="x"
        )
    assert api_error(excinfo) == "invalid_auth"
    app_client = WebClient(token="xapp-casebot-test", base_url=emu.base_url, retry_handlers=[])
    assert (
        app_client.apps_connections_open(app_token="xapp-casebot-test")["url"]
        == "wss://emulator.invalid/link"
    )
    with pytest.raises(SlackApiError) as excinfo:
        client.apps_connections_open(app_token="xoxb-casebot-test")
    assert api_error(excinfo) == "invalid_auth"
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("nope.method")
    assert api_error(excinfo) == "unknown_method"


def test_recorded_calls(emu: SlackEmulator, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="one", blocks=[SECTION])
    client.conversations_info(channel="C1")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C404", text="two")
    calls = emu.calls
    assert [c.method for c in calls] == ["chat.postMessage", "conversations.info", "chat.postMessage"]
    first = calls[0]
    assert isinstance(first, RecordedCall) and first.status == 200 and first.at > 0
    assert first.params == {"channel": "C1", "text": "one", "blocks": [SECTION]}  # decoded, token removed
    assert first.response["ok"] is True
    assert [c.response["ok"] for c in emu.calls_to("chat.postMessage")] == [True, False]
    emu.clear_calls()
    assert emu.calls == []


def test_records_and_transcript_keep_what_was_true_then(emu: SlackEmulator, client: WebClient) -> None:
    """A recorded call and a transcript entry show the message as it was: neither a later chat.update
    nor a test changing what it was handed reaches them."""
    posted = client.chat_postMessage(channel="C1", text="first", blocks=[SECTION])
    client.chat_update(channel="C1", ts=posted["ts"], text="second", blocks=[SECTION])
    post = emu.calls_to("chat.postMessage")[0]
    assert post.response["message"]["text"] == "first"
    post.params["text"] = "changed by a test"
    assert emu.calls_to("chat.postMessage")[0].params["text"] == "first"
    entries = emu.transcript()
    assert [e["kind"] for e in entries] == ["post", "update"] and entries[0]["text"] == "first"
    entries[0]["text"] = "changed by a test"
    assert emu.transcript()[0]["text"] == "first"
    assert emu.transcript(since=1) == [emu.transcript()[1]] and emu.transcript_length() == 2


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived"])
def test_injected_error_surfaces_as_slack_api_error(
    emu: SlackEmulator, client: WebClient, error: str
) -> None:
    emu.inject_error("chat.postMessage", error=error)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="x")
    assert api_error(excinfo) == error and excinfo.value.response.status_code == 200
    assert client.chat_postMessage(channel="C1", text="x")["ok"]  # times=1: the next call succeeds


def test_injected_auth_error(emu: SlackEmulator, client: WebClient) -> None:
    emu.inject_error("auth.test", error="invalid_auth")
    with pytest.raises(SlackApiError) as excinfo:
        client.auth_test()
    assert api_error(excinfo) == "invalid_auth"


def test_rate_limit_is_429_with_retry_after(emu: SlackEmulator, client: WebClient) -> None:
    emu.inject_error("chat.postMessage", error="ratelimited", status=429, retry_after=3, times=1)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="x")
    response = excinfo.value.response
    assert response.status_code == 429 and response.headers["Retry-After"] == "3"
    assert response["error"] == "ratelimited"
    assert emu.calls[-1].status == 429 and emu.messages("C1") == []


def test_http_500(emu: SlackEmulator, client: WebClient) -> None:
    emu.inject_error("chat.postMessage", status=500)
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C1", text="x")
    assert excinfo.value.response.status_code == 500 and api_error(excinfo) == "internal_error"


def test_fault_scoped_to_channel_and_persistent(emu: SlackEmulator, client: WebClient) -> None:
    emu.inject_error("chat.postMessage", error="channel_not_found", channel="C2", times=None)
    assert client.chat_postMessage(channel="C1", text="fine")["ok"]
    for _ in range(2):
        with pytest.raises(SlackApiError):
            client.chat_postMessage(channel="C2", text="x")
    emu.clear_faults()
    assert client.chat_postMessage(channel="C2", text="x")["ok"]


def test_timeout_then_call_still_lands(emu: SlackEmulator) -> None:
    emu.inject_timeout("chat.postMessage", seconds=1.0, times=1)
    impatient = WebClient(token="xoxb-casebot-test", base_url=emu.base_url, retry_handlers=[], timeout=0.5)
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        impatient.chat_postMessage(channel="C1", text="slow")
    # Like a slow Slack, the emulator still carries the call out: a retry would duplicate it.
    deadline = time.monotonic() + 5
    while not emu.calls_to("chat.postMessage") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [m["text"] for m in emu.messages("C1")] == ["slow"]


def test_concurrent_posts_get_unique_increasing_ts(emu: SlackEmulator) -> None:
    results: list[str] = []

    def post(n: int) -> None:
        c = WebClient(token="xoxb-casebot-test", base_url=emu.base_url, retry_handlers=[])
        results.append(c.chat_postMessage(channel="C2", text=str(n))["ts"])

    threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = [m["ts"] for m in emu.messages("C2")]
    assert sorted(results) == stored and len(set(stored)) == 8
