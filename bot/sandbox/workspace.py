"""The state model behind the Slack emulator: users, conversations, messages, views and files.

Plain in-memory data with no HTTP: `emulator.py` turns Web API calls into operations on this model,
and tests read the model directly to assert what the bot did. Message and view dicts are stored in
the shape Slack returns them, so a test can compare them with what a listener receives.

Every public method takes `self.lock` (re-entrant, so the emulator can hold it across several
operations) because bolt calls the emulator from worker threads while the test thread inspects it.
Readers get deep copies so a test can never mutate the workspace behind the emulator's back.

The objects are in workspace_objects.py (User, Channel; re-exported here), the state and its plumbing
in workspace_base.py; this module adds messages and views.
"""

from __future__ import annotations

import copy

from bot.sandbox.workspace_base import WorkspaceBase
from bot.sandbox.workspace_objects import DEFAULT_TS_BASE, TS_STEP_US, Channel, Json, User, is_top_level

__all__ = ["DEFAULT_TS_BASE", "TS_STEP_US", "Channel", "Json", "User", "Workspace", "is_top_level"]


class Workspace(WorkspaceBase):
    """One team's worth of Slack state, plus the bot's identity in it."""

    # ------------------------------------------------------------- messages
    def bot_message(self, text: str, blocks: list[Json] | None, metadata: Json | None = None) -> Json:
        message: Json = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": text,
            "blocks": blocks or [],
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": self.bot_name,
                "team_id": self.team_id,
                "deleted": False,
            },
        }
        if metadata is not None:
            message["metadata"] = metadata
        return message

    def find_message(self, channel: Channel, ts: str) -> Json | None:
        with self.lock:
            return next((m for m in channel.messages if m["ts"] == ts), None)

    def append_message(
        self,
        channel: Channel,
        message: Json,
        *,
        thread_ts: str | None = None,
        broadcast: bool = False,
        kind: str | None = "post",
    ) -> Json:
        """Store `message` with a fresh ts, keeping the parent's thread summary the way Slack does."""
        with self.lock:
            message["ts"] = self.next_ts()
            parent = self.find_message(channel, thread_ts) if thread_ts else None
            if parent is not None and parent.get("thread_ts") not in (None, parent["ts"]):
                parent = self.find_message(channel, parent["thread_ts"])  # a reply's ts names its thread
            # Slack accepts a thread_ts that matches no message and shows the post top-level.
            if parent is not None:
                message["thread_ts"] = parent["ts"]
                message["parent_user_id"] = parent.get("user", "")
                if broadcast:
                    message["subtype"] = "thread_broadcast"
                reply_users = [u for u in parent.get("reply_users", []) if u != message.get("user")]
                parent.update(
                    thread_ts=parent["ts"],
                    reply_count=parent.get("reply_count", 0) + 1,
                    reply_users=[*reply_users, message.get("user", "")],
                    reply_users_count=len(reply_users) + 1,
                    latest_reply=message["ts"],
                )
            channel.messages.append(message)
            if kind is None:  # the caller logs a more specific event (e.g. a file share)
                return message
            if kind == "post" and channel.is_im:
                kind = "dm"
            self.log(
                kind,
                channel=channel.id,
                user=message.get("user"),
                ts=message["ts"],
                thread_ts=message.get("thread_ts"),
                text=message.get("text", ""),
                blocks=message.get("blocks"),
            )
            return message

    def remove_message(self, channel: Channel, message: Json) -> None:
        with self.lock:
            parent_ts = message.get("thread_ts")
            if message.get("reply_count"):
                # Slack keeps a tombstone so the thread's replies stay reachable.
                message.clear()
                message.update(
                    type="message",
                    subtype="tombstone",
                    text="This message was deleted.",
                    ts=parent_ts,
                    thread_ts=parent_ts,
                    user="USLACKBOT",
                    hidden=True,
                )
            else:
                channel.messages.remove(message)
                parent = self.find_message(channel, parent_ts) if parent_ts else None
                if parent is not None and parent is not message and parent.get("reply_count"):
                    parent["reply_count"] -= 1

    def post_user_message(
        self,
        channel_id: str,
        *,
        user: str,
        text: str,
        thread_ts: str | None = None,
        blocks: list[Json] | None = None,
    ) -> Json:
        """Store a message written by a human, e.g. before delivering the matching event to the bot."""
        with self.lock:
            message: Json = {
                "type": "message",
                "user": user,
                "text": text,
                "blocks": blocks or [],
                "team": self.team_id,
                "client_msg_id": f"cmsg-{self.next_seq():08d}",
            }
            self.append_message(self.channels[channel_id], message, thread_ts=thread_ts, kind="user_post")
            return copy.deepcopy(message)

    def messages(self, channel_id: str) -> list[Json]:
        with self.lock:
            return copy.deepcopy([m for m in self.channels[channel_id].messages if is_top_level(m)])

    def thread(self, channel_id: str, ts: str) -> list[Json]:
        with self.lock:
            messages = self.channels[channel_id].messages
            return copy.deepcopy([m for m in messages if m["ts"] == ts or m.get("thread_ts") == ts])

    def message(self, channel_id: str, ts: str) -> Json | None:
        with self.lock:
            channel = self.channels.get(channel_id)
            found = self.find_message(channel, ts) if channel else None
            return copy.deepcopy(found)

    def dms(self, user_id: str) -> list[Json]:
        with self.lock:
            channel = self.channels[self.dm_channel_for(user_id)]
            return copy.deepcopy([m for m in channel.messages if m.get("user") == self.bot_user_id])

    def add_ephemeral(self, record: Json) -> None:
        with self.lock:
            self._ephemerals.append(record)
            self.log("ephemeral", **record)

    @property
    def ephemerals(self) -> list[Json]:
        with self.lock:
            return copy.deepcopy(self._ephemerals)

    # ---------------------------------------------------------------- views
    def store_view(self, view: Json, *, user: str, push: bool = False, open_modal: bool = False) -> None:
        with self.lock:
            self._views[view["id"]] = view
            self._view_owner[view["id"]] = user
            if view["type"] == "home":
                self._home[user] = view["id"]
            elif open_modal:
                self._stacks[user] = [view["id"]]
            elif push:
                self._stacks.setdefault(user, []).append(view["id"])

    def get_view(self, view_id: str = "", external_id: str = "") -> Json | None:
        with self.lock:
            if view_id:
                return self._views.get(view_id)
            return next(
                (v for v in self._views.values() if external_id and v["external_id"] == external_id), None
            )

    def view_owner(self, view_id: str) -> str:
        with self.lock:
            return self._view_owner.get(view_id, "")

    def home_view_id(self, user_id: str) -> str | None:
        with self.lock:
            return self._home.get(user_id)

    def open_views_for(self, user_id: str) -> list[Json]:
        with self.lock:
            return copy.deepcopy([self._views[v] for v in self._stacks.get(user_id, [])])

    def close_view(self, view_id: str) -> None:
        """Pop `view_id` and anything pushed above it, as a submission that clears the modal does."""
        with self.lock:
            for stack in self._stacks.values():
                if view_id in stack:
                    del stack[stack.index(view_id) :]

    @property
    def views(self) -> dict[str, Json]:
        with self.lock:
            return copy.deepcopy({k: v for k, v in self._views.items() if v["type"] != "home"})

    @property
    def home_views(self) -> dict[str, Json]:
        with self.lock:
            return copy.deepcopy({user: self._views[v] for user, v in self._home.items()})
