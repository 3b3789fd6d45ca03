"""The Web API's messages: chat.* and reactions.add, with Slack's posting rate per channel."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable

from bot.kernel import blocks_limits as limits
from bot.sandbox.api_base import WORKSPACE_URL, ApiBase
from bot.sandbox.api_errors import ApiError, RateLimited
from bot.sandbox.api_params import flag, message_content, message_metadata, str_arg
from bot.sandbox.workspace import Channel, Json


class MessagesApi(ApiBase):
    rate_limits: bool
    clock: Callable[[], float]
    _post_buckets: dict[str, tuple[float, float]]

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
        channel = self._writable(str_arg(p, "channel"))
        text, blocks = message_content(p)
        metadata = message_metadata(p)
        self._take_post_slot(channel)
        message = self.bot_message(text, blocks, metadata)
        if p.get("attachments"):
            message["attachments"] = p["attachments"]
        self.append_message(
            channel,
            message,
            thread_ts=str_arg(p, "thread_ts") or None,
            broadcast=flag(p.get("reply_broadcast")),
        )
        return {"channel": channel.id, "ts": message["ts"], "message": copy.deepcopy(message)}

    def _chat_update(self, p: Json) -> Json:
        channel = self._channel(str_arg(p, "channel"))
        message = self._own_message(channel, str_arg(p, "ts"), "cant_update_message")
        if channel.is_archived:
            raise ApiError("is_archived")
        text, blocks = message_content(p)
        metadata = message_metadata(p)
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
        channel = self._writable(str_arg(p, "channel"))
        user = str_arg(p, "user")
        if user not in channel.member_ids(self.bot_user_id):
            raise ApiError("user_not_in_channel")
        text, blocks = message_content(p)
        ts = self.next_ts()
        self.add_ephemeral(
            {
                "channel": channel.id,
                "user": user,
                "text": text,
                "blocks": blocks or [],
                "thread_ts": str_arg(p, "thread_ts") or None,
                "ts": ts,
            }
        )
        return {"message_ts": ts}

    def _chat_get_permalink(self, p: Json) -> Json:
        channel = self._channel(str_arg(p, "channel"))
        ts = str_arg(p, "message_ts")
        message = self.find_message(channel, ts) if ts else None
        if message is None:
            raise ApiError("message_not_found")
        link = f"{WORKSPACE_URL}/archives/{channel.id}/p{ts.replace('.', '')}"
        if message.get("thread_ts") not in (None, ts):
            link += f"?thread_ts={message['thread_ts']}&cid={channel.id}"
        return {"channel": channel.id, "permalink": link}

    def _chat_delete(self, p: Json) -> Json:
        channel = self._channel(str_arg(p, "channel"))
        message = self._own_message(channel, str_arg(p, "ts"), "cant_delete_message")
        ts = message["ts"]
        self.remove_message(channel, message)
        self.log("delete", channel=channel.id, ts=ts)
        return {"channel": channel.id, "ts": ts}

    def _reactions_add(self, p: Json) -> Json:
        channel = self._channel(str_arg(p, "channel"))
        name = str_arg(p, "name")
        if not name:
            raise ApiError("invalid_name")
        ts = str_arg(p, "timestamp")
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
