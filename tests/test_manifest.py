"""manifest.yml is valid for Slack, asks only for documented scopes, and matches what the App handles.

Two views of "matches": what bolt has registered (read from its listener matchers), and what bolt
actually does when Slack delivers each command, shortcut and event the manifest promises (no 404).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.sandbox import payloads
from bot.sandbox.harness import CASE_CHANNEL, LEAD, TEAM_ID, Sandbox

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCHEMA = SHARED / "slack" / "manifest.schema.1.0.0.json"
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())
# For CASEBOT_ALLOW_PUBLIC_CHANNELS=true: manifest.yml plus what only public case channels need.
PUBLIC_MANIFEST = yaml.safe_load((ROOT / "manifest.public-channels.yml").read_text())
PUBLIC_ONLY_SCOPES = {"channels:history"}
PUBLIC_ONLY_EVENTS = {"message.channels"}

# Every bot scope casebot may ask for, and why. Adding one to manifest.yml means adding it here too.
DOCUMENTED_SCOPES = {
    "chat:write": "post the case card, thread messages, ephemeral replies and DMs",
    "commands": "the /case command and the message shortcut",
    "groups:read": "conversations.info on private case channels (membership, privacy, sharing)",
    "channels:read": "conversations.info, to refuse public channels",
    "groups:history": "message.groups: replies in case threads; find a post whose sender crashed mid-send",
    "channels:history": "public case channels only (manifest.public-channels.yml): message.channels and "
    "conversations.replies there",
    "reactions:read": "reaction_added/removed: the configured reactions mark a reply for the record",
    "users:read": "users.info: time zones, deactivated users, bots picked by mistake",
    "im:write": "conversations.open: the DM conversation id of a reminder DM, to check it after a crash",
    "im:history": "find a reminder DM whose sender crashed mid-send, so it is not sent twice",
    "files:write": "files upload v2: /case export sends the case's notes to the person by DM",
}

# bolt's built-in matchers are closures named after the builder that made them
# (slack_bolt/listener_matcher/builtins.py); the closure variable holds what they match.
MATCHER_KINDS = {
    "command": ("command", "command"),
    "event": ("event", "event_type"),
    "shortcut": ("shortcut", "callback_id"),
    "message_shortcut": ("shortcut", "callback_id"),
    "global_shortcut": ("shortcut", "callback_id"),
}


def manifest_commands() -> set[str]:
    return {c["command"] for c in MANIFEST["features"].get("slash_commands", [])}


def manifest_shortcuts() -> set[str]:
    return {s["callback_id"] for s in MANIFEST["features"].get("shortcuts", [])}


def manifest_events() -> set[str]:
    return set(MANIFEST["settings"].get("event_subscriptions", {}).get("bot_events", []))


def registered(app) -> dict[str, set[str]]:
    """Commands, shortcut callback ids and event types the App's listeners match, by kind."""
    found: dict[str, set[str]] = {"command": set(), "event": set(), "shortcut": set()}
    for listener in app._listeners:
        for matcher in listener.matchers:
            func = getattr(matcher, "func", None)
            if func is None or not func.__closure__:
                continue
            builder = func.__qualname__.split(".<locals>")[0]
            if builder not in MATCHER_KINDS:
                continue  # actions, views, options: not declared in the manifest
            kind, variable = MATCHER_KINDS[builder]
            cells = dict(zip(func.__code__.co_freevars, func.__closure__, strict=True))
            found[kind].add(str(cells[variable].cell_contents))
    return found


@pytest.fixture(scope="module", params=["http", "socket"])
def box(request, tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('manifest') / 'casebot.db'}"
    with Sandbox(database_url=url, mode=request.param, rate_limits=False) as sandbox:
        yield sandbox


# ---------------------------------------------------------------- the file itself
BOTH = pytest.mark.parametrize("manifest", [MANIFEST, PUBLIC_MANIFEST], ids=["private", "public"])


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} (Slack's manifest schema) is not beside the repo")
@BOTH
def test_manifest_validates_against_slacks_schema(manifest):
    jsonschema.validate(manifest, json.loads(SCHEMA.read_text()))


@BOTH
def test_manifest_asks_only_for_documented_scopes(manifest):
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    undocumented = set(scopes) - DOCUMENTED_SCOPES.keys()
    assert not undocumented, f"document why casebot needs {sorted(undocumented)} in DOCUMENTED_SCOPES"
    assert len(scopes) == len(set(scopes)), "a scope is listed twice"
    assert "user" not in manifest["oauth_config"]["scopes"], "casebot acts as its bot user only"


def test_the_default_manifest_is_for_private_channels_only():
    assert PUBLIC_ONLY_SCOPES.isdisjoint(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert PUBLIC_ONLY_EVENTS.isdisjoint(manifest_events())


def test_the_public_channels_manifest_adds_exactly_what_public_channels_need():
    def without(manifest: dict) -> dict:
        copy = json.loads(json.dumps(manifest))
        scopes = copy["oauth_config"]["scopes"]["bot"]
        copy["oauth_config"]["scopes"]["bot"] = sorted(set(scopes) - PUBLIC_ONLY_SCOPES)
        events = copy["settings"]["event_subscriptions"]["bot_events"]
        copy["settings"]["event_subscriptions"]["bot_events"] = sorted(set(events) - PUBLIC_ONLY_EVENTS)
        return copy

    assert set(PUBLIC_MANIFEST["oauth_config"]["scopes"]["bot"]) >= PUBLIC_ONLY_SCOPES
    assert set(PUBLIC_MANIFEST["settings"]["event_subscriptions"]["bot_events"]) >= PUBLIC_ONLY_EVENTS
    assert without(PUBLIC_MANIFEST) == without(MANIFEST)


def test_no_manifest_asks_to_read_dms_or_group_dms():
    """/case open in a DM is refused before any call, so conversations.info never needs these."""
    for manifest in (MANIFEST, PUBLIC_MANIFEST):
        assert {"im:read", "mpim:read", "mpim:history"}.isdisjoint(manifest["oauth_config"]["scopes"]["bot"])


def test_manifest_uses_socket_mode_with_interactivity_and_the_home_tab():
    settings = MANIFEST["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


def test_manifest_shortcuts_are_message_shortcuts():
    assert {s["type"] for s in MANIFEST["features"]["shortcuts"]} == {"message"}


# ---------------------------------------------------- what the App registers
def test_app_registers_exactly_the_manifests_commands(box):
    assert registered(box.app)["command"] == manifest_commands()


def test_app_registers_exactly_the_manifests_shortcuts(box):
    assert registered(box.app)["shortcut"] == manifest_shortcuts()


def test_app_registers_exactly_the_manifests_bot_events(box):
    # message.groups and message.channels both arrive as `message` events (channel_type tells them apart).
    assert registered(box.app)["event"] == {event.split(".")[0] for event in manifest_events()}


# ------------------------------------------- what bolt does with each delivery
UNHANDLED = 404  # bolt's answer when no listener matches


def test_an_unknown_command_is_what_unhandled_looks_like(box):
    """Control for the tests below: bolt really does answer 404 for something nobody handles."""
    assert box.driver.slash(LEAD, "help", CASE_CHANNEL, command="/not-casebot").status == UNHANDLED


@pytest.mark.parametrize("command", sorted(manifest_commands()))
def test_each_manifest_command_is_handled(box, command):
    assert box.driver.slash(LEAD, "help", CASE_CHANNEL, command=command).status != UNHANDLED


@pytest.mark.parametrize("callback_id", sorted(manifest_shortcuts()))
def test_each_manifest_shortcut_is_handled(box, callback_id):
    message = box.emu.post_user_message(CASE_CHANNEL, user=LEAD, text="we agreed to visit on Friday")
    delivered = box.driver.shortcut_on_message(LEAD, CASE_CHANNEL, message, callback_id)
    assert delivered.status != UNHANDLED


def _message(channel_type: str) -> dict:
    return payloads.message_event(
        user_id=LEAD,
        channel_id=CASE_CHANNEL,
        text="hello",
        ts="1790000000.000200",
        team_id=TEAM_ID,
        thread_ts="1790000000.000100",
        channel_type=channel_type,
    )


def _reaction(kind: str) -> dict:
    event = payloads.reaction_added_event(
        user_id=LEAD, reaction="pushpin", channel_id=CASE_CHANNEL, item_ts="1790000000.000200", item_user=LEAD
    )
    return {**event, "type": kind}


EVENT_BUILDERS = {
    "app_home_opened": lambda: payloads.app_home_opened_event(user_id=LEAD, channel_id="DLEAD001"),
    "message.groups": lambda: _message("group"),
    "message.channels": lambda: _message("channel"),
    "reaction_added": lambda: _reaction("reaction_added"),
    "reaction_removed": lambda: _reaction("reaction_removed"),
    "app_uninstalled": lambda: {"type": "app_uninstalled"},
    "tokens_revoked": lambda: {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UCASEBOT"]}},
    "member_joined_channel": lambda: {
        "type": "member_joined_channel",
        "user": LEAD,
        "channel": "CCASES01",
        "channel_type": "G",
        "team": "T0CASE01",
    },
}


@pytest.mark.parametrize("event_type", sorted(manifest_events() | PUBLIC_ONLY_EVENTS))
def test_each_manifest_event_is_handled(box, event_type):
    assert event_type in EVENT_BUILDERS, f"add a payload builder for {event_type} to EVENT_BUILDERS"
    assert box.driver.event(EVENT_BUILDERS[event_type]()).status != UNHANDLED
