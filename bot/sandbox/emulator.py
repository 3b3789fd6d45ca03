"""A local Slack Web API emulator: a real HTTP server that a real slack_sdk WebClient can talk to.

Tests, benchmarks and the demo point `WebClient(token=..., base_url=emulator.base_url)` (or a bolt
App's client) at it, so the bot's Slack traffic goes through slack_sdk exactly as in production:
request encoding, error raising, Retry-After headers and timeouts are all the SDK's own. Only the
subset of methods casebot uses is emulated, with Slack's response shapes and error codes.

    with SlackEmulator() as emu:
        emu.add_user("U1", name="alex")
        emu.add_channel("C1", name="cases-north", members=["U1"])
        WebClient(token=emu.bot_token, base_url=emu.base_url).chat_postMessage(channel="C1", text="hi")
        assert emu.messages("C1")[0]["text"] == "hi"

Three layers, each extending the one before so the public API stays one object:
`workspace.Workspace` holds the state and the inspection helpers tests assert on; `WebApi` gives
each Web API method Slack's semantics over that state, with no HTTP; `SlackEmulator` adds the HTTP
server, token checks, call recording and fault injection.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import itertools
import json
import math
import mimetypes
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.kernel import blocks_limits as limits
from bot.sandbox import validation
from bot.sandbox.scopes import CONVERSATION_SCOPES, manifest_scopes, scope_for
from bot.sandbox.workspace import DEFAULT_TS_BASE, Channel, Json, Workspace, is_top_level

# Parameters Slack accepts as JSON-encoded strings inside form bodies.
JSON_FIELDS = ("blocks", "attachments", "view", "metadata", "files")
WORKSPACE_URL = "https://emulator.slack.test"  # .test never resolves, so a permalink can't leak anywhere
SOCKET_MODE_URL = "wss://emulator.invalid/link"  # Socket Mode is driven in-process, not over a websocket
# Answers that mean the request itself was wrong (not a fault, not a state of the workspace): a test
# suite that gets one has found a payload real Slack would refuse. See SlackEmulator.refusals.
MALFORMED = frozenset(
    {
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_arguments",
        "invalid_metadata_format",
        "missing_scope",
        "invalid_trigger_id",
        "exchanged_trigger_id",
        "expired_trigger_id",
        "msg_too_long",
        "invalid_json",
        "invalid_form_data",
    }
)
TRIGGER_TTL = 3.0  # seconds: Slack's trigger_ids expire three seconds after the interaction


@dataclass(frozen=True)
class RecordedCall:
    """One Web API call as the emulator saw it: params are decoded (blocks as lists), token removed."""

    method: str
    params: Json
    response: Json
    status: int
    at: float
    seq: int = 0  # SlackEmulator.tick() when the call arrived: orders it against acks and db writes


class RateLimited(Exception):
    """Answered as Slack does past a rate limit: HTTP 429, error "ratelimited", Retry-After seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("ratelimited")
        self.retry_after = retry_after


class ApiError(Exception):
    """Raised by a method handler to answer {"ok": false, "error": ...} with HTTP 200, as Slack does.

    `extra` goes into the response beside the error, as Slack adds it: `needed`/`provided` for
    missing_scope, `response_metadata.messages` listing what was wrong with a block or view.
    """

    def __init__(self, error: str, *, messages: list[str] | None = None, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra: Json = dict(extra)
        if messages:
            self.extra["response_metadata"] = {"messages": messages}

    def response(self) -> Json:
        return {"ok": False, "error": self.error, **self.extra}


@dataclass
class _Fault:
    method: str
    channel: str | None
    remaining: int | None  # None: until clear_faults()
    error: str | None = None
    status: int = 200
    retry_after: int | None = None
    delay: float = 0.0

    def take(self, method: str, params: Json) -> bool:
        """Consume one use of this fault if it applies to the call."""
        if self.method != method or self.remaining == 0:
            return False
        if self.channel is not None and self.channel != (params.get("channel") or params.get("channel_id")):
            return False
        if self.remaining is not None:
            self.remaining -= 1
        return True


class WebApi(Workspace):
    """Slack's Web API semantics over the workspace: one handler per method, no HTTP.

    Handlers take decoded params, run under the workspace lock, and return the response without
    "ok" or raise ApiError. SlackEmulator adds the transport, auth, recording and faults on top;
    this layer knows nothing of them, so it could move to a module of its own unchanged.
    """

    def __init__(self, **identity: str) -> None:
        super().__init__(**identity)
        self._uploads: dict[str, Json] = {}  # file_id -> {filename, length, content} until completed
        # What the installed app's bot token may do: exactly the manifest's scopes (tests may narrow it).
        self.scopes: set[str] = set(manifest_scopes())
        self.trigger_ttl = TRIGGER_TTL
        # Slack's posting rate per channel; a test about something else may switch it off. `clock` is
        # Slack's sense of time for it (seconds); the sandbox shares its ManualClock so the two agree.
        self.rate_limits = True
        self.clock: Callable[[], float] = time.monotonic
        self._post_buckets: dict[str, tuple[float, float]] = {}  # channel -> (tokens, at monotonic)
        self.methods: dict[str, Callable[[Json], Json]] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "apps.connections.open": self._apps_connections_open,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "chat.delete": self._chat_delete,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.push": self._views_push,
            "views.publish": self._views_publish,
            "reactions.add": self._reactions_add,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "files.delete": self._files_delete,
        }

    @property
    def root_url(self) -> str:
        """Where the transport listens; upload URLs point back at it."""
        raise NotImplementedError

    def _api_test(self, p: Json) -> Json:
        if p.get("error"):
            raise ApiError(str(p["error"]))
        return {"args": p}

    def _auth_test(self, p: Json) -> Json:
        return {
            "url": f"{WORKSPACE_URL}/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _apps_connections_open(self, p: Json) -> Json:
        return {"url": SOCKET_MODE_URL}

    # -- messages
    def _channel(self, channel_id: str) -> Channel:
        channel = self.resolve(channel_id) if channel_id else None
        if channel is None or not self.visible(channel):
            raise ApiError("channel_not_found")
        return channel

    def visible(self, channel: Channel) -> bool:
        """Slack hides a private channel from a bot that is not in it: every method says channel_not_found."""
        return channel.is_im or not channel.is_private or channel.bot_is_member

    def _writable(self, channel_id: str) -> Channel:
        channel = self._channel(channel_id)
        if channel.is_archived:
            raise ApiError("is_archived")
        # Slack says not_in_channel for public channels too (without chat:write.public).
        if not channel.bot_is_member:
            raise ApiError("not_in_channel")
        return channel

    def _readable(self, p: Json) -> Channel:
        channel = self._channel(_str(p, "channel"))
        if not channel.bot_is_member:
            raise ApiError("not_in_channel")
        return channel

    def _own_message(self, channel: Channel, ts: str, refusal: str) -> Json:
        message = self.find_message(channel, ts) if ts else None
        if message is None:
            raise ApiError("message_not_found")
        if message.get("user") != self.bot_user_id:
            raise ApiError(refusal)
        return message

    def _take_post_slot(self, channel: Channel) -> None:
        """chat.postMessage's per-channel limit: a token bucket of POST_BURST, refilled at 1/s."""
        if not self.rate_limits:
            return
        now = self.clock()
        tokens, at = self._post_buckets.get(channel.id, (float(limits.POST_BURST), now))
        tokens = min(float(limits.POST_BURST), tokens + (now - at) * limits.POSTS_PER_SECOND_PER_CHANNEL)
        if tokens < 1:
            self._post_buckets[channel.id] = (tokens, now)
            raise RateLimited(max(1, math.ceil((1 - tokens) / limits.POSTS_PER_SECOND_PER_CHANNEL)))
        self._post_buckets[channel.id] = (tokens - 1, now)

    def _chat_post_message(self, p: Json) -> Json:
        channel = self._writable(_str(p, "channel"))
        text, blocks = _content(p)
        metadata = _metadata(p)
        self._take_post_slot(channel)
        message = self.bot_message(text, blocks, metadata)
        if p.get("attachments"):
            message["attachments"] = p["attachments"]
        self.append_message(
            channel,
            message,
            thread_ts=_str(p, "thread_ts") or None,
            broadcast=_flag(p.get("reply_broadcast")),
        )
        return {"channel": channel.id, "ts": message["ts"], "message": copy.deepcopy(message)}

    def _chat_update(self, p: Json) -> Json:
        channel = self._channel(_str(p, "channel"))
        message = self._own_message(channel, _str(p, "ts"), "cant_update_message")
        if channel.is_archived:
            raise ApiError("is_archived")
        text, blocks = _content(p)
        metadata = _metadata(p)
        # Like Slack, fields left out keep their old value; an explicit [] clears the blocks.
        if p.get("text") is not None:
            message["text"] = text
        if blocks is not None:
            message["blocks"] = blocks
        if metadata is not None:
            message["metadata"] = metadata
        message["edited"] = {"user": self.bot_user_id, "ts": self.next_ts()}
        self.log(
            "update",
            channel=channel.id,
            user=self.bot_user_id,
            ts=message["ts"],
            thread_ts=message.get("thread_ts"),
            text=message["text"],
            blocks=message["blocks"],
        )
        return {
            "channel": channel.id,
            "ts": message["ts"],
            "text": message["text"],
            "message": copy.deepcopy(message),
        }

    def _chat_post_ephemeral(self, p: Json) -> Json:
        channel = self._writable(_str(p, "channel"))
        user = _str(p, "user")
        if user not in channel.member_ids(self.bot_user_id):
            raise ApiError("user_not_in_channel")
        text, blocks = _content(p)
        ts = self.next_ts()
        self.add_ephemeral(
            {
                "channel": channel.id,
                "user": user,
                "text": text,
                "blocks": blocks or [],
                "thread_ts": _str(p, "thread_ts") or None,
                "ts": ts,
            }
        )
        return {"message_ts": ts}

    def _chat_get_permalink(self, p: Json) -> Json:
        channel = self._channel(_str(p, "channel"))
        ts = _str(p, "message_ts")
        message = self.find_message(channel, ts) if ts else None
        if message is None:
            raise ApiError("message_not_found")
        link = f"{WORKSPACE_URL}/archives/{channel.id}/p{ts.replace('.', '')}"
        if message.get("thread_ts") not in (None, ts):
            link += f"?thread_ts={message['thread_ts']}&cid={channel.id}"
        return {"channel": channel.id, "permalink": link}

    def _chat_delete(self, p: Json) -> Json:
        channel = self._channel(_str(p, "channel"))
        message = self._own_message(channel, _str(p, "ts"), "cant_delete_message")
        ts = message["ts"]
        self.remove_message(channel, message)
        self.log("delete", channel=channel.id, ts=ts)
        return {"channel": channel.id, "ts": ts}

    def _reactions_add(self, p: Json) -> Json:
        channel = self._channel(_str(p, "channel"))
        name = _str(p, "name")
        if not name:
            raise ApiError("invalid_name")
        ts = _str(p, "timestamp")
        message = self.find_message(channel, ts) if ts else None
        if message is None:
            raise ApiError("message_not_found")
        reactions: list[Json] = message.setdefault("reactions", [])
        reaction = next((r for r in reactions if r["name"] == name), None)
        if reaction is None:
            reaction = {"name": name, "users": [], "count": 0}
            reactions.append(reaction)
        elif self.bot_user_id in reaction["users"]:
            raise ApiError("already_reacted")
        reaction["users"].append(self.bot_user_id)
        reaction["count"] += 1
        self.log("reaction", channel=channel.id, ts=ts, user=self.bot_user_id, name=name)
        return {}

    # -- conversations and users
    def _conversations_info(self, p: Json) -> Json:
        channel = self._channel(_str(p, "channel"))
        return {"channel": channel.to_json(self.bot_user_id)}

    def _conversations_members(self, p: Json) -> Json:
        channel = self._channel(_str(p, "channel"))
        members, cursor = _page(channel.member_ids(self.bot_user_id), p, default_limit=100)
        return {"members": members, "response_metadata": {"next_cursor": cursor}}

    # What Slack allows an app reading conversations.history / conversations.replies depends on how the
    # app is distributed (docs.slack.dev/reference/methods/conversations.replies, .../apis/web-api/
    # rate-limits; see outbox/delivery.py): "internal" (customer-built, one workspace) and Marketplace apps
    # have Tier 3 (about 50 calls a minute per method) and pages of up to 999 (history) / 1000
    # (replies); "non_marketplace" (commercially distributed outside the Marketplace, since 2025-05-29)
    # has 1 call a minute per method and pages of at most 15, whatever `limit` asks for. Past the rate
    # Slack answers HTTP 429 "ratelimited" with Retry-After. Time is the emulator's `clock`.
    distribution = "internal"
    READ_TERMS: dict[str, tuple[int, dict[str, int]]] = {
        "internal": (50, {"conversations.history": 999, "conversations.replies": 1000}),
        "non_marketplace": (1, {"conversations.history": 15, "conversations.replies": 15}),
    }
    READ_DEFAULT_LIMIT = {"conversations.history": 100, "conversations.replies": 1000}

    def _read_terms(self, method: str, p: Json) -> Json:
        """Take one of the method's calls for this minute (or raise RateLimited) and cap the page size."""
        per_minute, page_max = self.READ_TERMS[self.distribution]
        now = self.clock()
        recent = [at for at in self.__dict__.setdefault("_read_calls", {}).get(method, []) if now - at < 60]
        if len(recent) >= per_minute:
            self._read_calls[method] = recent
            raise RateLimited(max(1, math.ceil(recent[0] + 60 - now)))
        self._read_calls[method] = [*recent, now]
        asked = _int(p, "limit", self.READ_DEFAULT_LIMIT[method]) or page_max[method]
        return {**p, "limit": min(asked, page_max[method])}

    def _conversations_history(self, p: Json) -> Json:
        p = self._read_terms("conversations.history", p)
        channel = self._readable(p)
        in_window = _window(p)
        newest_first = [
            m for m in reversed(channel.messages) if is_top_level(m) and in_window(_ts_value(m["ts"]))
        ]
        page, cursor = _page(newest_first, p, default_limit=100)
        return {
            "messages": _for_reader(page, p),
            "has_more": bool(cursor),
            "pin_count": 0,
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_replies(self, p: Json) -> Json:
        p = self._read_terms("conversations.replies", p)
        channel = self._readable(p)
        ts = _str(p, "ts")
        if not ts or self.find_message(channel, ts) is None:
            raise ApiError("thread_not_found")
        in_window = _window(p)
        thread = [
            m
            for m in channel.messages
            if (m["ts"] == ts or m.get("thread_ts") == ts) and in_window(_ts_value(m["ts"]))
        ]
        page, cursor = _page(thread, p, default_limit=1000)
        return {
            "messages": _for_reader(page, p),
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_open(self, p: Json) -> Json:
        if p.get("channel"):
            channel = self._channel(_str(p, "channel"))
            return {"no_op": True, "already_open": True, "channel": {"id": channel.id}}
        users = [u for u in _str(p, "users").split(",") if u]
        if not users:
            raise ApiError("users_list_not_supplied")
        if len(users) > 1:
            raise ApiError("not_supported")  # group DMs are not emulated
        if users[0] not in self.users:
            raise ApiError("user_not_found")
        existed = users[0] in self._dm_by_user
        channel = self.channels[self.dm_channel_for(users[0])]
        body = channel.to_json(self.bot_user_id) if _flag(p.get("return_im")) else {"id": channel.id}
        return {"no_op": existed, "already_open": existed, "channel": body}

    def _users_info(self, p: Json) -> Json:
        user = self.users.get(_str(p, "user"))
        if user is None:
            raise ApiError("user_not_found")
        return {"user": user.to_json(self.team_id)}

    def _users_list(self, p: Json) -> Json:
        members, cursor = _page([u.to_json(self.team_id) for u in self.users.values()], p, default_limit=0)
        return {
            "members": members,
            "cache_ts": int(DEFAULT_TS_BASE),
            "response_metadata": {"next_cursor": cursor},
        }

    # -- views
    def _exchange_trigger(self, p: Json) -> str:
        """The user whose interaction issued this trigger_id; each one opens one view, within 3 s."""
        trigger_id = _str(p, "trigger_id") or _str(p, "interactivity_pointer")
        if not trigger_id:
            raise ApiError("invalid_arguments")
        issued = self._trigger_issued.get(trigger_id)
        if issued is None:
            raise ApiError("invalid_trigger_id")
        if trigger_id in self._triggers_used:
            raise ApiError("exchanged_trigger_id")
        if time.monotonic() - issued > self.trigger_ttl:
            raise ApiError("expired_trigger_id")
        return trigger_id

    def _views_open(self, p: Json) -> Json:
        trigger_id = self._exchange_trigger(p)
        view = self._build_view(_view_spec(p, "modal"), self.new_id("V"))
        self._triggers_used.add(trigger_id)
        user = self.user_for_trigger(trigger_id)
        self.store_view(view, user=user, open_modal=True)
        self._log_view("open", user, view)
        return {"view": copy.deepcopy(view)}

    def _views_push(self, p: Json) -> Json:
        trigger_id = self._exchange_trigger(p)
        user = self.user_for_trigger(trigger_id)
        stack = [v["id"] for v in self.open_views_for(user)]
        if len(stack) >= limits.MODAL_STACK:
            raise ApiError("push_limit_reached")
        view = self._build_view(
            _view_spec(p, "modal"),
            self.new_id("V"),
            previous=stack[-1] if stack else None,
            root=stack[0] if stack else None,
        )
        self._triggers_used.add(trigger_id)
        self.store_view(view, user=user, push=True)
        self._log_view("push", user, view)
        return {"view": copy.deepcopy(view)}

    def _views_update(self, p: Json) -> Json:
        view_id, external_id = _str(p, "view_id"), _str(p, "external_id")
        if not view_id and not external_id:
            raise ApiError("invalid_arguments")
        current = self.get_view(view_id, external_id)
        if current is None:
            raise ApiError("not_found")
        if p.get("hash") and p["hash"] != current["hash"]:
            raise ApiError("hash_conflict")
        view = self._build_view(
            _view_spec(p, current["type"]),
            current["id"],
            previous=current["previous_view_id"],
            root=current["root_view_id"],
        )
        user = self.view_owner(view["id"])
        self.store_view(view, user=user)
        self._log_view("update", user, view)
        return {"view": copy.deepcopy(view)}

    def _views_publish(self, p: Json) -> Json:
        user = _str(p, "user_id")
        if user not in self.users:
            raise ApiError("user_not_found")
        spec = _view_spec(p, "home")
        current_id = self.home_view_id(user)
        current = self.get_view(current_id) if current_id else None
        if current is not None and p.get("hash") and p["hash"] != current["hash"]:
            raise ApiError("hash_conflict")
        view = self._build_view(spec, current_id or self.new_id("V"))
        self.store_view(view, user=user)
        self._log_view("publish", user, view)
        return {"view": copy.deepcopy(view)}

    def _build_view(
        self, spec: Json, view_id: str, *, previous: str | None = None, root: str | None = None
    ) -> Json:
        external_id = str(spec.get("external_id", ""))
        clash = self.get_view(external_id=external_id) if external_id else None
        if clash is not None and clash["id"] != view_id:
            raise ApiError("duplicate_external_id")
        seq = self.next_seq()
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": spec["type"],
            "title": spec.get("title"),
            "submit": spec.get("submit"),
            "close": spec.get("close"),
            "blocks": spec.get("blocks", []),
            "private_metadata": spec.get("private_metadata", ""),
            "callback_id": spec.get("callback_id", ""),
            "external_id": external_id,
            "state": {"values": {}},
            "hash": f"{int(DEFAULT_TS_BASE) + seq}.{seq:08x}",
            "clear_on_close": bool(spec.get("clear_on_close", False)),
            "notify_on_close": bool(spec.get("notify_on_close", False)),
            "previous_view_id": previous,
            "root_view_id": root or view_id,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    def _log_view(self, action: str, user: str, view: Json) -> None:
        self.log(
            "view",
            action=action,
            user=user,
            view_id=view["id"],
            type=view["type"],
            callback_id=view["callback_id"],
            title=(view.get("title") or {}).get("text", ""),
            blocks=view["blocks"],
        )

    # -- files
    def _files_get_upload_url(self, p: Json) -> Json:
        filename = _str(p, "filename")
        length = _int(p, "length", 0)
        if not filename or length <= 0:
            raise ApiError("invalid_arguments")
        file_id = self.new_id("F")
        self._uploads[file_id] = {"filename": filename, "length": length, "content": None}
        return {"upload_url": f"{self.root_url}upload/v1/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, p: Json) -> Json:
        items = p.get("files")
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            raise ApiError("invalid_arguments")
        channel_ids = [c for c in [_str(p, "channel_id"), *_str(p, "channels").split(",")] if c]
        channels = [self._writable(c) for c in channel_ids]
        for item in items:
            upload = self._uploads.get(str(item.get("id")))
            if upload is None or upload["content"] is None:
                raise ApiError("file_not_found")
            if len(upload["content"]) != upload["length"]:
                raise ApiError(
                    "invalid_arguments",
                    messages=[
                        f"[ERROR] uploaded {len(upload['content'])} bytes, declared {upload['length']}"
                    ],
                )
        comment, thread_ts = _str(p, "initial_comment"), _str(p, "thread_ts") or None
        uploads = [
            (str(item["id"]), str(item.get("title") or ""), self._uploads.pop(str(item["id"])))
            for item in items
        ]
        objects = [
            self._file_object(file_id, upload, title or upload["filename"])
            for file_id, title, upload in uploads
        ]
        shared_ts = None
        for channel in channels:
            # Sharing posts one message carrying the files and the comment, as Slack shows it.
            message = self.bot_message(comment, None)
            message.update(files=copy.deepcopy(objects), upload=True)
            shared_ts = (
                shared_ts or self.append_message(channel, message, thread_ts=thread_ts, kind=None)["ts"]
            )
        target = channels[0] if channels else None
        for (file_id, _, upload), obj in zip(uploads, objects, strict=True):
            self.add_file(
                {
                    "id": file_id,
                    "title": obj["title"],
                    "filename": upload["filename"],
                    "content": upload["content"],
                    "channel_id": target.id if target else None,
                    "user": target.dm_user if target else None,  # set when shared in a DM
                    "initial_comment": comment,
                    "thread_ts": thread_ts,
                    "ts": shared_ts,  # the share message's ts, None if not shared
                }
            )
        return {"files": objects}

    def _file_object(self, file_id: str, upload: Json, title: str) -> Json:
        filename = upload["filename"]
        filetype = filename.rsplit(".", 1)[-1].lower() if "." in filename else "binary"
        return {
            "id": file_id,
            "created": int(DEFAULT_TS_BASE),
            "timestamp": int(DEFAULT_TS_BASE),
            "name": filename,
            "title": title,
            "mimetype": mimetypes.guess_type(filename)[0] or "application/octet-stream",
            "filetype": filetype,
            "pretty_type": filetype.upper(),
            "user": self.bot_user_id,
            "user_team": self.team_id,
            "size": len(upload["content"]),
            "mode": "hosted",
            "is_external": False,
            "is_public": False,
            "url_private": f"{WORKSPACE_URL}/files-pri/{self.team_id}-{file_id}/{filename}",
            "permalink": f"{WORKSPACE_URL}/files/{self.bot_user_id}/{file_id}/{filename}",
            "channels": [],
            "groups": [],
            "ims": [],
            "shares": {},
            "comments_count": 0,
        }

    def _files_delete(self, p: Json) -> Json:
        """A bot may delete the files it uploaded; the share message then shows the file as deleted."""
        file_id = _str(p, "file")
        record = next((f for f in self._files if f["id"] == file_id), None)
        if record is None:
            raise ApiError("file_not_found")
        if record.get("deleted"):
            raise ApiError("file_deleted")
        record.update(deleted=True, content=b"")
        for channel in self.channels.values():
            for message in channel.messages:
                for shared in message.get("files", []):
                    if shared.get("id") == file_id:
                        shared.clear()
                        shared.update(id=file_id, mode="tombstone")
        self.log("file_deleted", id=file_id)
        return {}

    def receive_upload(self, file_id: str, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        """The upload URL handed out by files.getUploadURLExternal: store the POSTed bytes."""
        with self.lock:
            upload = self._uploads.get(file_id)
            if upload is None:
                return 404, b"upload not found", {"Content-Type": "text/plain"}
            upload["content"] = body
        return 200, f"OK - {len(body)}".encode(), {"Content-Type": "text/plain; charset=utf-8"}


class SlackEmulator(WebApi):
    """The emulated workspace plus the HTTP server that exposes it as Slack's Web API."""

    def __init__(
        self,
        *,
        team_id: str = "T0CASE01",
        team_name: str = "Casework Team",
        bot_user_id: str = "UCASEBOT",
        bot_id: str = "BCASEBOT",
        bot_token: str = "xoxb-casebot-test",  # noqa: S107 - fake; only this emulator accepts it
        app_token: str = "xapp-casebot-test",  # noqa: S107 - fake; only this emulator accepts it
        app_id: str = "ACASEBOT",
        bot_name: str = "casebot",
    ) -> None:
        super().__init__(
            team_id=team_id,
            team_name=team_name,
            bot_user_id=bot_user_id,
            bot_id=bot_id,
            app_id=app_id,
            bot_name=bot_name,
        )
        self.bot_token, self.app_token = bot_token, app_token
        self._calls: list[RecordedCall] = []
        self._refusals: list[RecordedCall] = []
        self._sequence = itertools.count(1)
        self._faults: list[_Fault] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # ------------------------------------------------------------ lifecycle
    def start(self) -> SlackEmulator:
        if self._server is not None:
            raise RuntimeError("emulator already started")
        self._stopping = threading.Event()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="slack-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes handlers sleeping in an injected timeout
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server, self._thread = None, None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        if self._server is None:
            raise RuntimeError("emulator not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def base_url(self) -> str:
        """What WebClient(base_url=...) needs; slack_sdk appends the method name."""
        return f"{self.root_url}api/"

    # ------------------------------------------------------------ recording
    @property
    def calls(self) -> list[RecordedCall]:
        with self.lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[RecordedCall]:
        with self.lock:
            return [c for c in self._calls if c.method == method]

    def tick(self) -> int:
        """The next number of the sequence calls are recorded with (thread-safe; shared by the sandbox).

        The sandbox stamps acknowledgements and database writes from the same sequence, so a test can
        tell by order, not by a stopwatch, whether a call came before or after the ack.
        """
        return next(self._sequence)

    @property
    def refusals(self) -> list[RecordedCall]:
        """Calls the emulator refused as malformed (MALFORMED), injected faults excluded: the Slack-level
        suite fails any test that leaves one behind, so every payload it produces is one Slack accepts."""
        with self.lock:
            return list(self._refusals)

    def clear_calls(self) -> None:
        with self.lock:
            self._calls.clear()

    # ------------------------------------------------------ fault injection
    def inject_error(
        self,
        method: str,
        error: str | None = None,
        *,
        status: int | None = None,
        retry_after: int | None = None,
        times: int | None = 1,
        channel: str | None = None,
    ) -> None:
        """Make the next `times` calls of `method` (None: every call) fail instead of running.

        Defaults follow Slack: "ratelimited" is HTTP 429 with Retry-After (1 s unless given); a bare
        5xx status answers {"ok": false, "error": "internal_error"}; any other error is HTTP 200.
        `channel` limits the fault to calls whose channel (or channel_id) param matches.
        """
        if status is None:
            status = 429 if error == "ratelimited" else 200 if error else 500
        if error is None:
            if status == 200:
                raise ValueError("an injected HTTP 200 failure needs an error code")
            error = "ratelimited" if status == 429 else "internal_error"
        if status == 429 and retry_after is None:
            retry_after = 1
        with self.lock:
            self._faults.append(_Fault(method, channel, times, error, status, retry_after))

    def inject_timeout(
        self, method: str, seconds: float = 2.0, *, times: int | None = 1, channel: str | None = None
    ) -> None:
        """Delay the answer to the next `times` calls so a client with a shorter timeout gives up.

        The call is still carried out after the delay, as a slow Slack would: a message posted by a
        "timed out" call exists, which is what makes retries risk duplicates in real life.
        """
        with self.lock:
            self._faults.append(_Fault(method, channel, times, delay=seconds))

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def _take_faults(self, method: str, params: Json) -> tuple[float, _Fault | None]:
        with self.lock:
            delay = next((f.delay for f in self._faults if f.delay and f.take(method, params)), 0.0)
            error = next((f for f in self._faults if f.error and f.take(method, params)), None)
            return delay, error

    # ------------------------------------------------------------- requests
    def _route(
        self, path: str, query: str, content_type: str, authorization: str, body: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        if path.startswith("/upload/v1/"):
            return self.receive_upload(path.removeprefix("/upload/v1/"), body)
        if not path.startswith("/api/"):
            return 404, b"not found", {"Content-Type": "text/plain"}
        status, response, headers = self._handle_api(
            path.removeprefix("/api/"), query, content_type, authorization, body
        )
        headers["Content-Type"] = "application/json; charset=utf-8"
        return status, json.dumps(response).encode("utf-8"), headers

    def _handle_api(
        self, method: str, query: str, content_type: str, authorization: str, body: bytes
    ) -> tuple[int, Json, dict[str, str]]:
        status, headers, seq = 200, {}, self.tick()
        try:
            params, token = _parse_request(query, content_type, authorization, body)
        except ApiError as exc:
            params, token, parse_error = {}, None, exc.error
        else:
            parse_error = None
        delay, fault = self._take_faults(method, params)
        if delay:
            self._stopping.wait(delay)  # outside the lock, so other calls keep flowing meanwhile
        if parse_error is not None:
            response: Json = {"ok": False, "error": parse_error}
        elif fault is not None:
            status, response = fault.status, {"ok": False, "error": fault.error}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
        else:
            try:
                response = self._call(method, params, token)
            except ApiError as exc:
                response = exc.response()
                if exc.error in MALFORMED:
                    with self.lock:
                        self._refusals.append(
                            RecordedCall(method, copy.deepcopy(params), response, status, 0.0, seq)
                        )
            except RateLimited as exc:
                status, response = 429, {"ok": False, "error": "ratelimited"}
                headers["Retry-After"] = str(exc.retry_after)
        with self.lock:
            self._calls.append(
                RecordedCall(method, copy.deepcopy(params), copy.deepcopy(response), status, time.time(), seq)
            )
        return status, response, headers

    def _call(self, method: str, params: Json, token: str | None) -> Json:
        handler = self.methods.get(method)
        if handler is None:
            raise ApiError("unknown_method")
        if method != "api.test":  # the one method Slack serves without a token
            expected = self.app_token if method == "apps.connections.open" else self.bot_token
            if not token:
                raise ApiError("not_authed")
            if token != expected:
                raise ApiError("invalid_auth")
        with self.lock:  # one call at a time mutates the workspace, like a single Slack shard
            if method != "apps.connections.open":
                self._check_scope(method, params)
            return {"ok": True, **handler(params)}

    def _check_scope(self, method: str, params: Json) -> None:
        kind = None
        if method in CONVERSATION_SCOPES:
            channel = self.resolve(_str(params, "channel"))
            if channel is not None:
                kind = "im" if channel.is_im else "private" if channel.is_private else "public"
        needed = scope_for(method, kind)
        if needed is not None and needed not in self.scopes:
            raise ApiError("missing_scope", needed=needed, provided=",".join(sorted(self.scopes)))


def _parse_request(query: str, content_type: str, authorization: str, body: bytes) -> tuple[Json, str | None]:
    """Merge query, form or JSON body into one dict; decode JSON-string fields; extract the token."""
    params: Json = dict(parse_qsl(query, keep_blank_values=True))
    if body:
        if content_type.startswith("application/json"):
            try:
                payload = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                raise ApiError("invalid_json") from None
            if not isinstance(payload, dict):
                raise ApiError("invalid_json")
            params.update(payload)
        elif content_type.startswith("multipart/"):
            raise ApiError("invalid_form_data")  # only files.upload (v1) sends multipart; not emulated
        else:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    token = params.pop("token", None)
    if authorization.startswith("Bearer "):
        token = authorization.removeprefix("Bearer ").strip()
    for key in JSON_FIELDS:
        if isinstance(params.get(key), str):
            # Left as a string if it isn't JSON: the handler answers with the method's own error code.
            with contextlib.suppress(ValueError):
                params[key] = json.loads(params[key])
    return params, token


def _str(p: Json, key: str) -> str:
    value = p.get(key)
    return "" if value is None else str(value)


def _int(p: Json, key: str, default: int) -> int:
    try:
        return int(p.get(key) or default)
    except (TypeError, ValueError):
        raise ApiError("invalid_arguments") from None


def _flag(value: Any) -> bool:
    # slack_sdk turns True into "1" for form bodies; JSON bodies keep real booleans.
    return value in (True, 1, "1", "true", "True")


def _content(p: Json) -> tuple[str, list[Json] | None]:
    """Validated text and blocks of a message, with chat.postMessage's error codes."""
    text, blocks = _str(p, "text"), p.get("blocks")
    if blocks is not None:
        if not isinstance(blocks, list):
            raise ApiError("invalid_blocks_format")
        problems = validation.message_errors(blocks)
        if problems:
            raise ApiError("invalid_blocks", messages=problems)
    if len(text) > limits.MESSAGE_TEXT:
        raise ApiError("msg_too_long")
    if not text and not blocks and not p.get("attachments"):
        raise ApiError("no_text")
    return text, blocks


def _metadata(p: Json) -> Json | None:
    metadata = p.get("metadata")
    if metadata is None:
        return None
    problems = validation.metadata_errors(metadata)
    if problems:
        raise ApiError("invalid_metadata_format", messages=problems)
    return metadata


def _view_spec(p: Json, view_type: str) -> Json:
    spec = p.get("view")
    if not isinstance(spec, dict) or spec.get("type") != view_type:
        raise ApiError(
            "invalid_arguments", messages=[f"[ERROR] must be a {view_type} view [json-pointer:/view]"]
        )
    problems = validation.view_errors(spec)
    if problems:
        raise ApiError("invalid_arguments", messages=problems)
    return spec


def _window(p: Json) -> Callable[[Decimal], bool]:
    """history/replies' oldest, latest and inclusive: which ts fall inside the range asked for."""
    oldest, latest = _ts_value(_str(p, "oldest") or "0"), _str(p, "latest")
    inclusive = _flag(p.get("inclusive"))

    def in_window(ts: Decimal) -> bool:
        above = ts >= oldest if inclusive else ts > oldest
        below = not latest or (ts <= _ts_value(latest) if inclusive else ts < _ts_value(latest))
        return above and below

    return in_window


def _for_reader(messages: list[Json], p: Json) -> list[Json]:
    """Copies as history/replies return them: metadata only when include_all_metadata is set."""
    shown = copy.deepcopy(messages)
    if not _flag(p.get("include_all_metadata")):
        for message in shown:
            message.pop("metadata", None)
    return shown


def _page(items: list[Any], p: Json, *, default_limit: int) -> tuple[list[Any], str]:
    """Slack's cursor pagination: an opaque next_cursor, "" on the last page; limit 0 means all."""
    start = _decode_cursor(_str(p, "cursor"))
    limit = _int(p, "limit", default_limit) or len(items)
    end = start + limit
    return items[start:end], _encode_cursor(end) if end < len(items) else ""


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _decode_cursor(cursor: str) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode().removeprefix("offset:"))
    except ValueError:
        raise ApiError("invalid_cursor") from None


def _ts_value(ts: str) -> Decimal:
    """A ts as an exact number; floats would round microseconds near 1.7e9."""
    try:
        return Decimal(ts)
    except InvalidOperation:
        raise ApiError("invalid_ts_latest") from None


class _Server(ThreadingHTTPServer):
    # Daemon handler threads: one sleeping in an injected timeout must not hold up stop().
    daemon_threads = True

    def __init__(self, emulator: SlackEmulator) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.emulator = emulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out hangs up before our deliberately late answer; that is expected.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, payload, headers = self.server.emulator._route(
            url.path,
            url.query,
            self.headers.get("Content-Type", ""),
            self.headers.get("Authorization", ""),
            body,
        )
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST  # Slack serves every method on both verbs; handy for curl

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request stderr log: the emulator records calls itself."""
