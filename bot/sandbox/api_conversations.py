"""The Web API's conversations.* and users.*: channel facts, members, history and replies (with the
read terms of the app's distribution), direct messages, and the people."""

from __future__ import annotations

import math
from collections.abc import Callable

from bot.sandbox.api_base import ApiBase
from bot.sandbox.api_errors import ApiError, RateLimited
from bot.sandbox.api_params import flag, for_reader, int_arg, paginate, str_arg, ts_value, ts_window
from bot.sandbox.workspace import DEFAULT_TS_BASE, Json, is_top_level


class ConversationsApi(ApiBase):
    clock: Callable[[], float]
    _read_calls: dict[str, list[float]]  # per method, this minute's calls; made on first use

    def _conversations_info(self, p: Json) -> Json:
        channel = self._channel(str_arg(p, "channel"))
        return {"channel": channel.to_json(self.bot_user_id)}

    def _conversations_members(self, p: Json) -> Json:
        channel = self._channel(str_arg(p, "channel"))
        members, cursor = paginate(channel.member_ids(self.bot_user_id), p, default_limit=100)
        return {"members": members, "response_metadata": {"next_cursor": cursor}}

    # What Slack allows an app reading conversations.history / conversations.replies depends on how the
    # app is distributed (docs.slack.dev/reference/methods/conversations.replies, .../apis/web-api/
    # rate-limits; see outbox/recovery.py): "internal" (customer-built, one workspace) and Marketplace apps
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
        asked = int_arg(p, "limit", self.READ_DEFAULT_LIMIT[method]) or page_max[method]
        return {**p, "limit": min(asked, page_max[method])}

    def _conversations_history(self, p: Json) -> Json:
        p = self._read_terms("conversations.history", p)
        channel = self._readable(p)
        in_window = ts_window(p)
        newest_first = [
            m for m in reversed(channel.messages) if is_top_level(m) and in_window(ts_value(m["ts"]))
        ]
        page, cursor = paginate(newest_first, p, default_limit=100)
        return {
            "messages": for_reader(page, p),
            "has_more": bool(cursor),
            "pin_count": 0,
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_replies(self, p: Json) -> Json:
        p = self._read_terms("conversations.replies", p)
        channel = self._readable(p)
        ts = str_arg(p, "ts")
        if not ts or self.find_message(channel, ts) is None:
            raise ApiError("thread_not_found")
        in_window = ts_window(p)
        thread = [
            m
            for m in channel.messages
            if (m["ts"] == ts or m.get("thread_ts") == ts) and in_window(ts_value(m["ts"]))
        ]
        page, cursor = paginate(thread, p, default_limit=1000)
        return {
            "messages": for_reader(page, p),
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_open(self, p: Json) -> Json:
        if p.get("channel"):
            channel = self._channel(str_arg(p, "channel"))
            return {"no_op": True, "already_open": True, "channel": {"id": channel.id}}
        users = [u for u in str_arg(p, "users").split(",") if u]
        if not users:
            raise ApiError("users_list_not_supplied")
        if len(users) > 1:
            raise ApiError("not_supported")  # group DMs are not emulated
        if users[0] not in self.users:
            raise ApiError("user_not_found")
        existed = users[0] in self._dm_by_user
        channel = self.channels[self.dm_channel_for(users[0])]
        body = channel.to_json(self.bot_user_id) if flag(p.get("return_im")) else {"id": channel.id}
        return {"no_op": existed, "already_open": existed, "channel": body}

    def _users_info(self, p: Json) -> Json:
        user = self.users.get(str_arg(p, "user"))
        if user is None:
            raise ApiError("user_not_found")
        return {"user": user.to_json(self.team_id)}

    def _users_list(self, p: Json) -> Json:
        members, cursor = paginate([u.to_json(self.team_id) for u in self.users.values()], p, default_limit=0)
        return {
            "members": members,
            "cache_ts": int(DEFAULT_TS_BASE),
            "response_metadata": {"next_cursor": cursor},
        }
