"""Inbound Slack payloads for the sandbox, shaped like the captures in ../shared/slack/payloads/.

Pure builders: dicts in, dicts out, no I/O. Ids are fresh per call (trigger ids, event ids, envelope
ids) so that code which dedupes on them sees what it would see from Slack. How a payload travels
(form fields, ``payload=<json>``, raw JSON, Socket Mode envelope) is decided by `http_request_for`
and `socket_envelope`, so every builder serves both transports.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import string
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Literal
from urllib.parse import urlencode

# The three envelope types of Socket Mode; HTTP delivery uses the same names to pick an encoding.
Kind = Literal["slash_commands", "interactive", "events_api"]

API_APP_ID = "A0CASEBOT"
BOT_USER_ID = "UCASEBOT"
HOOKS_BASE = "https://hooks.slack.test"  # .test never resolves, so a stray response_url can't reach Slack
# Deprecated by Slack but still sent in every payload; not a secret.
VERIFICATION_TOKEN = "sandbox-verification-token"  # noqa: S105

INTERACTIVE_TYPES = frozenset(
    {"block_actions", "view_submission", "view_closed", "shortcut", "message_action", "block_suggestion"}
)
_ACK_PAYLOAD_TYPES = frozenset({"view_submission", "block_suggestion"})
_ID_CHARS = string.ascii_uppercase + string.digits


# ---------------------------------------------------------------- ids and clock-ish values


def _now_ts() -> str:
    # Slack timestamps are strings with microseconds; time.time() is looked up per call so freezegun applies.
    return f"{time.time():.6f}"


def new_trigger_id() -> str:
    return f"{secrets.randbelow(10**11)}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"


def new_event_id() -> str:
    return "Ev0" + "".join(secrets.choice(_ID_CHARS) for _ in range(9))


def _hook_url(kind: str, team_id: str) -> str:
    return f"{HOOKS_BASE}/{kind}/{team_id}/{secrets.randbelow(10**12)}/{secrets.token_hex(12)}"


def _team(team_id: str, team_domain: str) -> dict[str, Any]:
    return {"id": team_id, "domain": team_domain}


def _user(user_id: str, team_id: str, user_name: str | None) -> dict[str, Any]:
    name = user_name or user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


# ---------------------------------------------------------------- slash commands


def slash_command(
    *,
    command: str = "/case",
    text: str,
    user_id: str,
    user_name: str,
    channel_id: str,
    channel_name: str,
    team_id: str,
    team_domain: str = "casework",
    trigger_id: str | None = None,
    api_app_id: str = API_APP_ID,
    response_url: str | None = None,
) -> dict[str, str]:
    """The form fields of a slash command (all strings, as Slack form-encodes them)."""
    # No enterprise_id/enterprise_name: the sandbox workspace is not part of an Enterprise Grid org.
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url or _hook_url("commands", team_id),
        "trigger_id": trigger_id or new_trigger_id(),
    }


# ---------------------------------------------------------------- block_actions


def _iter_elements(blocks: Iterable[Mapping[str, Any]]) -> Iterable[tuple[str, Mapping[str, Any]]]:
    for block in blocks:
        block_id = block.get("block_id", "")
        for element in [block.get("accessory"), block.get("element"), *block.get("elements", [])]:
            if isinstance(element, Mapping) and "action_id" in element:
                yield block_id, element


def find_element(blocks: Iterable[Mapping[str, Any]], action_id: str) -> tuple[str, Mapping[str, Any]] | None:
    """(block_id, element) of the first interactive element with this action_id, or None."""
    return next(((b, e) for b, e in _iter_elements(blocks) if e["action_id"] == action_id), None)


def _options_of(element: Mapping[str, Any]) -> list[dict[str, Any]]:
    groups = element.get("option_groups") or []
    return list(element.get("options") or []) + [o for g in groups for o in g.get("options", [])]


def _option(element: Mapping[str, Any], value: str) -> dict[str, Any]:
    for option in _options_of(element):
        if option.get("value") == value:
            return dict(option)
    raise ValueError(f"no option with value {value!r} in element {element.get('action_id')!r}")


def _action(
    *,
    action_id: str,
    block_id: str,
    action_type: str,
    value: str | None,
    element: Mapping[str, Any] | None,
    selected_date: str | None,
    selected_option: str | Mapping[str, Any] | None,
    extra: Mapping[str, Any] | None,
) -> dict[str, Any]:
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "type": action_type}
    if element is not None and "text" in element:
        action["text"] = element["text"]
    if value is not None:
        action["value"] = value
    if selected_date is not None:
        action["selected_date"] = selected_date
    if isinstance(selected_option, str):
        action["selected_option"] = _option(element or {}, selected_option)
    elif selected_option is not None:
        action["selected_option"] = dict(selected_option)
    action.update(extra or {})
    action["action_ts"] = _now_ts()
    return action


def block_actions(
    *,
    user_id: str,
    team_id: str,
    action_id: str,
    value: str | None = None,
    block_id: str | None = None,
    channel_id: str | None = None,
    message: Mapping[str, Any] | None = None,
    view: Mapping[str, Any] | None = None,
    selected_date: str | None = None,
    selected_option: str | Mapping[str, Any] | None = None,
    trigger_id: str | None = None,
    action_type: str | None = None,
    user_name: str | None = None,
    team_domain: str = "casework",
    channel_name: str = "cases",
    response_url: str | None = None,
    api_app_id: str = API_APP_ID,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A click (or select/datepick) on an element in a message (`message=`) or a view (`view=`).

    The element is looked up by action_id in the message's or view's blocks so that block_id, text,
    value and type default to what is really there; a missing element falls back to a bare button in
    block "b" so tests can still click on things the bot never rendered.
    """
    if (message is None) == (view is None):
        raise ValueError("give exactly one of message= or view=")
    blocks = (message or view or {}).get("blocks", [])
    found = find_element(blocks, action_id)
    element = found[1] if found else None
    if value is None and element is not None and action_type in (None, "button"):
        value = element.get("value")
    action = _action(
        action_id=action_id,
        block_id=block_id or (found[0] if found else "b"),
        action_type=action_type or (element.get("type") if element else None) or "button",
        value=value,
        element=element,
        selected_date=selected_date,
        selected_option=selected_option,
        extra=extra,
    )
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id, user_name),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": _team(team_id, team_domain),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if message is not None:
        payload.update(_message_container(message, channel_id, channel_name, team_id, response_url))
    else:
        payload.update(_view_container(view or {}, team_id, api_app_id))
    payload["actions"] = [action]
    return payload


def _message_container(
    message: Mapping[str, Any],
    channel_id: str | None,
    channel_name: str,
    team_id: str,
    response_url: str | None,
) -> dict[str, Any]:
    # A message dict from chat.postMessage carries no channel of its own, so callers usually pass it.
    channel = channel_id or message.get("channel")
    if not channel:
        raise ValueError("channel_id is needed for a message that does not name its channel")
    return {
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "channel": {"id": channel, "name": channel_name},
        "message": dict(message),
        "state": {"values": {}},
        "response_url": response_url or _hook_url("actions", team_id),
    }


def _view_container(view: Mapping[str, Any], team_id: str, api_app_id: str) -> dict[str, Any]:
    full = full_view(view, team_id=team_id, api_app_id=api_app_id)
    return {"container": {"type": "view", "view_id": full["id"]}, "view": full}


# ---------------------------------------------------------------- views


def full_view(view: Mapping[str, Any], *, team_id: str, api_app_id: str = API_APP_ID) -> dict[str, Any]:
    """The view as Slack echoes it back: every field it always carries, defaulted where missing."""
    view_id = view.get("id") or "V0" + "".join(secrets.choice(_ID_CHARS) for _ in range(9))
    defaults: dict[str, Any] = {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "blocks": [],
        "private_metadata": "",
        "callback_id": "",
        "state": {"values": {}},
        "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
        "clear_on_close": False,
        "notify_on_close": False,
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": api_app_id,
        "external_id": "",
        "app_installed_team_id": team_id,
        "bot_id": "BCASEBOT",
    }
    if view.get("type", "modal") == "modal":
        # Slack echoes a modal's close/submit as null when the app gave none; a modal always has a title.
        defaults.update(close=None, submit=None)
    return {**defaults, **view}


def view_submission(
    *,
    user_id: str,
    team_id: str,
    view: Mapping[str, Any],
    values: Mapping[str, Any],
    trigger_id: str | None = None,
    user_name: str | None = None,
    team_domain: str = "casework",
    api_app_id: str = API_APP_ID,
) -> dict[str, Any]:
    """A modal submission; `values` becomes view.state.values."""
    return {
        "type": "view_submission",
        "team": _team(team_id, team_domain),
        "user": _user(user_id, team_id, user_name),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": {**full_view(view, team_id=team_id, api_app_id=api_app_id), "state": {"values": {**values}}},
        "response_urls": [],
        "enterprise": None,
        "is_enterprise_install": False,
    }


# element type -> (state field, field of the element holding its initial value, empty value)
_STATE_FIELDS: dict[str, tuple[str, str, Any]] = {
    "plain_text_input": ("value", "initial_value", None),
    "email_text_input": ("value", "initial_value", None),
    "url_text_input": ("value", "initial_value", None),
    "number_input": ("value", "initial_value", None),
    "users_select": ("selected_user", "initial_user", None),
    "multi_users_select": ("selected_users", "initial_users", []),
    "conversations_select": ("selected_conversation", "initial_conversation", None),
    "multi_conversations_select": ("selected_conversations", "initial_conversations", []),
    "channels_select": ("selected_channel", "initial_channel", None),
    "multi_channels_select": ("selected_channels", "initial_channels", []),
    "static_select": ("selected_option", "initial_option", None),
    "external_select": ("selected_option", "initial_option", None),
    "radio_buttons": ("selected_option", "initial_option", None),
    "multi_static_select": ("selected_options", "initial_options", []),
    "checkboxes": ("selected_options", "initial_options", []),
    "datepicker": ("selected_date", "initial_date", None),
    "timepicker": ("selected_time", "initial_time", None),
    "datetimepicker": ("selected_date_time", "initial_date_time", None),
}


def _state_value(element: Mapping[str, Any], answer: Any, answered: bool) -> Any:
    field, initial_field, empty = _STATE_FIELDS[element["type"]]
    if not answered:
        # Slack submits an untouched element with its initial value, or the empty form if it has none.
        return element.get(initial_field, list(empty) if isinstance(empty, list) else empty)
    if answer is None:
        return list(empty) if isinstance(empty, list) else empty
    if field == "selected_option":
        return _option(element, answer)
    if field == "selected_options":
        return [_option(element, v) for v in answer]
    return list(answer) if isinstance(empty, list) else answer


def state_values_from_inputs(view_blocks: Iterable[Mapping[str, Any]], answers: Mapping[str, Any]) -> dict:
    """view.state.values for every input block; `answers` maps block_id -> a plain Python answer.

    str for text inputs, users_select, static_select/radio_buttons (the option value), "YYYY-MM-DD",
    "HH:MM"; list[str] for multi selects and checkboxes; None to clear a field that has an initial value.
    """
    values: dict[str, Any] = {}
    for block in view_blocks:
        if block.get("type") != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        if element["type"] not in _STATE_FIELDS:
            raise ValueError(f"sandbox cannot fill a {element['type']!r} element (block {block_id!r})")
        field = _STATE_FIELDS[element["type"]][0]
        value = _state_value(element, answers.get(block_id), block_id in answers)
        values[block_id] = {element["action_id"]: {"type": element["type"], field: value}}
    unknown = set(answers) - set(values)
    if unknown:
        raise KeyError(f"answers for blocks that are not input blocks of this view: {sorted(unknown)}")
    return values


# ---------------------------------------------------------------- shortcuts


def message_action(
    *,
    user_id: str,
    team_id: str,
    channel_id: str,
    message: Mapping[str, Any],
    callback_id: str,
    trigger_id: str | None = None,
    user_name: str | None = None,
    team_domain: str = "casework",
    channel_name: str = "cases",
) -> dict[str, Any]:
    """A message shortcut ("More actions" on a message)."""
    return {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": _now_ts(),
        "team": _team(team_id, team_domain),
        "user": {"id": user_id, "name": user_name or user_id.lower()},
        "channel": {"id": channel_id, "name": channel_name},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id or new_trigger_id(),
        "message_ts": message["ts"],
        "message": dict(message),
        "response_url": _hook_url("app", team_id),
    }


# ---------------------------------------------------------------- events


def _event_context(event: Mapping[str, Any], team_id: str, api_app_id: str) -> str:
    # Slack's event_context is an opaque "4-" + base64 JSON token; code must not parse it, only pass it on.
    data = {"et": event.get("type"), "tid": team_id, "aid": api_app_id, "cid": event.get("channel")}
    return "4-" + base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def event_callback(
    *,
    team_id: str,
    event: Mapping[str, Any],
    event_id: str | None = None,
    event_time: int | None = None,
    api_app_id: str = API_APP_ID,
    authorizations_user_id: str = BOT_USER_ID,
) -> dict[str, Any]:
    """The Events API envelope around one event."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": api_app_id,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": event_time if event_time is not None else int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": authorizations_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": _event_context(event, team_id, api_app_id),
    }


def _rich_text(text: str) -> list[dict[str, Any]]:
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
    return [{"type": "rich_text", "block_id": secrets.token_hex(2), "elements": [section]}]


def _message_body(*, user_id: str, text: str, ts: str, team_id: str, bot_id: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "message", "text": text, "user": user_id, "ts": ts, "team": team_id}
    if bot_id is not None:
        body["bot_id"] = bot_id
    else:
        # People's messages carry a client id and rich_text blocks; bots' carry whatever blocks they posted.
        body["client_msg_id"] = str(uuid.uuid4())
        body["blocks"] = _rich_text(text)
    return body


def message_event(
    *,
    user_id: str,
    channel_id: str,
    text: str,
    ts: str,
    thread_ts: str | None = None,
    team_id: str,
    bot_id: str | None = None,
    subtype: str | None = None,
    channel_type: str = "group",
    parent_user_id: str | None = None,
    user_name: str | None = None,
) -> dict[str, Any]:
    """A `message` event; channel_type "group" is a private channel, "channel" public, "im" a DM."""
    event = _message_body(user_id=user_id, text=text, ts=ts, team_id=team_id, bot_id=bot_id)
    if subtype is not None:
        event["subtype"] = subtype
    if bot_id is None:
        name = user_name or user_id.lower()
        event.update(user_team=team_id, source_team=team_id)
        event["user_profile"] = {"name": name, "display_name": name, "real_name": name, "team": team_id}
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = parent_user_id or user_id
    event.update(channel=channel_id, event_ts=ts, channel_type=channel_type)
    return event


def message_changed_event(
    *,
    user_id: str,
    channel_id: str,
    ts: str,
    text: str,
    previous_text: str,
    team_id: str,
    thread_ts: str | None = None,
    edit_ts: str | None = None,
    channel_type: str = "group",
) -> dict[str, Any]:
    """An edit of message `ts`: the event has its own ts; the edited message keeps the original one."""
    edit_ts = edit_ts or _now_ts()
    message = _message_body(user_id=user_id, text=text, ts=ts, team_id=team_id, bot_id=None)
    previous = _message_body(user_id=user_id, text=previous_text, ts=ts, team_id=team_id, bot_id=None)
    previous["client_msg_id"] = message["client_msg_id"]
    message["edited"] = {"user": user_id, "ts": edit_ts}
    if thread_ts is not None:
        message["thread_ts"] = previous["thread_ts"] = thread_ts
    return {
        "type": "message",
        "subtype": "message_changed",
        "message": message,
        "previous_message": previous,
        "channel": channel_id,
        "hidden": True,
        "ts": edit_ts,
        "event_ts": edit_ts,
        "channel_type": channel_type,
    }


def message_deleted_event(
    *,
    channel_id: str,
    deleted_ts: str,
    previous_message: Mapping[str, Any] | None = None,
    delete_ts: str | None = None,
    channel_type: str = "group",
) -> dict[str, Any]:
    """A deletion of message `deleted_ts`; Slack includes the message as it was when it still has it."""
    delete_ts = delete_ts or _now_ts()
    event: dict[str, Any] = {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "deleted_ts": deleted_ts,
        "channel": channel_id,
        "ts": delete_ts,
        "event_ts": delete_ts,
        "channel_type": channel_type,
    }
    if previous_message is not None:
        event["previous_message"] = dict(previous_message)
    return event


def reaction_added_event(
    *, user_id: str, reaction: str, channel_id: str, item_ts: str, item_user: str, event_ts: str | None = None
) -> dict[str, Any]:
    return {
        "type": "reaction_added",
        "user": user_id,
        "reaction": reaction,
        "item_user": item_user,
        "item": {"type": "message", "channel": channel_id, "ts": item_ts},
        "event_ts": event_ts or _now_ts(),
    }


def app_home_opened_event(
    *, user_id: str, channel_id: str, tab: str = "home", view: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """`view` is the published Home view, absent the first time a person opens the tab."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": channel_id,
        "tab": tab,
        "event_ts": _now_ts(),
    }
    if view is not None:
        event["view"] = dict(view)
    return event


# ---------------------------------------------------------------- transport encodings


def kind_of(payload: Mapping[str, Any]) -> Kind:
    """Which Slack delivery channel a payload travels on."""
    if payload.get("type") == "event_callback":
        return "events_api"
    if payload.get("type") in INTERACTIVE_TYPES:
        return "interactive"
    if "command" in payload:
        return "slash_commands"
    raise ValueError(f"cannot tell how Slack would deliver a payload of type {payload.get('type')!r}")


def sign(signing_secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(signing_secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return "v0=" + digest


def http_request_for(kind: Kind, payload: Mapping[str, Any]) -> tuple[str, str]:
    """(raw body, Content-Type) of the HTTP POST Slack makes for this payload."""
    if kind == "slash_commands":
        return urlencode(payload), "application/x-www-form-urlencoded"
    if kind == "interactive":
        return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    if kind == "events_api":
        return json.dumps(payload), "application/json"
    raise ValueError(f"unknown kind {kind!r}")


def socket_envelope(
    kind: Kind,
    payload: Mapping[str, Any],
    envelope_id: str | None = None,
    retry_attempt: int = 0,
    retry_reason: str = "",
) -> dict[str, Any]:
    """The Socket Mode frame, with Slack's retry fields on Events API frames only."""
    envelope: dict[str, Any] = {
        "envelope_id": envelope_id or str(uuid.uuid4()),
        "payload": dict(payload),
        "type": kind,
        # Slack sets this where the ack body means something: command replies, modal errors, option lists.
        "accepts_response_payload": kind == "slash_commands" or payload.get("type") in _ACK_PAYLOAD_TYPES,
    }
    if kind == "events_api":
        envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
    return envelope
