"""manifest.yml is valid for Slack and matches what the App registers."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.ids import CallbackId
from bot.sandbox import payloads
from bot.sandbox.harness import CASE_CHANNEL, LEAD, Sandbox

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())
ALLOWED_SCOPES = {
    "chat:write",
    "commands",
    "groups:read",
    "channels:read",
    "groups:history",
    "channels:history",
    "users:read",
}


@pytest.mark.skipif(
    not SCHEMA.exists(), reason="../shared/slack/manifest.schema.1.0.0.json is not beside the repo"
)
def test_manifest_validates_against_slacks_schema():
    jsonschema.validate(MANIFEST, json.loads(SCHEMA.read_text()))


def test_manifest_asks_only_for_known_scopes_and_uses_socket_mode():
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) <= ALLOWED_SCOPES
    assert MANIFEST["settings"]["socket_mode_enabled"] is True
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True


def _registered(app) -> dict[str, set[str]]:
    """What bolt will route, read from the closures of its built-in listener matchers."""
    found: dict[str, set[str]] = {"command": set(), "event": set(), "callback": set(), "action": set()}
    for listener in app._listeners:
        for matcher in listener.matchers:
            func = getattr(matcher, "func", None)
            if func is None or not func.__closure__:
                continue
            cells = dict(
                zip(func.__code__.co_freevars, (c.cell_contents for c in func.__closure__), strict=True)
            )
            if "command" in cells:
                found["command"].add(cells["command"])
            elif "event_type" in cells:
                found["event"].add(cells["event_type"])
            elif "callback_id" in cells:
                found["callback"].add(str(cells["callback_id"]))
            elif "constraints" in cells and isinstance(cells["constraints"], str):
                found["callback"].add(cells["constraints"])
    return found


@pytest.fixture
def box(tmp_path):
    with Sandbox(database_url=f"sqlite:///{tmp_path / 'm.db'}", mode="http") as sandbox:
        yield sandbox


def test_app_registers_exactly_the_manifests_command_shortcut_and_events(box):
    registered = _registered(box.app)
    assert registered["command"] == {c["command"] for c in MANIFEST["features"]["slash_commands"]}
    assert set(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == registered["event"]
    shortcut_ids = {s["callback_id"] for s in MANIFEST["features"]["shortcuts"]}
    assert shortcut_ids <= registered["callback"]
    assert CallbackId.ADD_TO_RECORD in shortcut_ids


def test_everything_in_the_manifest_is_handled(box):
    for command in MANIFEST["features"]["slash_commands"]:
        assert box.driver.slash(LEAD, "help", CASE_CHANNEL, command=command["command"]).status == 200
    for shortcut in MANIFEST["features"]["shortcuts"]:
        message = box.emu.post_user_message(CASE_CHANNEL, user=LEAD, text="hello")
        assert (
            box.driver.shortcut_on_message(LEAD, CASE_CHANNEL, message, shortcut["callback_id"]).status == 200
        )
    home = payloads.app_home_opened_event(user_id=LEAD, channel_id="D0LEAD")
    assert box.driver.event(home).status == 200
    assert LEAD in box.emu.home_views
