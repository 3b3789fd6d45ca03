"""The state model behind the Slack emulator: users, conversations, messages, views and files.

Plain in-memory data with no HTTP: `emulator.py` turns Web API calls into operations on this model,
and tests read the model directly to assert what the bot did. Message and view dicts are stored in
the shape Slack returns them, so a test can compare them with what a listener receives.

Every public method takes `self.lock` (re-entrant, so the emulator can hold it across several
operations) because bolt calls the emulator from worker threads while the test thread inspects it.
Readers get deep copies so a test can never mutate the workspace behind the emulator's back.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

Json = dict[str, Any]

# One tick of the fake clock, in microseconds. Using a counter rather than the wall clock makes every
# ts deterministic across runs, and 100 µs gives the familiar "1700000000.000100" shape.
TS_STEP_US = 100
DEFAULT_TS_BASE = 1_700_000_000.0


@dataclass
class User:
    id: str
    name: str
    real_name: str
    tz: str = "UTC"
    is_bot: bool = False
    deleted: bool = False
    is_admin: bool = False
    display_name: str = ""

    def to_json(self, team_id: str) -> Json:
        # The offset is computed "now" so DST changes show up exactly as Slack reports them.
        now = datetime.now(ZoneInfo(self.tz))
        offset = now.utcoffset() or timedelta(0)
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            "tz": self.tz,
            # Slack uses long names ("New Zealand Daylight Time"); stdlib only knows abbreviations.
            "tz_label": now.tzname() or self.tz,
            "tz_offset": int(offset.total_seconds()),
            "is_admin": self.is_admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": int(DEFAULT_TS_BASE),
            "profile": {
                "real_name": self.real_name,
                "real_name_normalized": self.real_name,
                "display_name": self.display_name,
                "display_name_normalized": self.display_name,
                "team": team_id,
            },
        }


@dataclass
class Channel:
    id: str
    name: str = ""
    is_private: bool = False
    is_ext_shared: bool = False
    members: list[str] = field(default_factory=list)  # human members; the bot is tracked separately
    bot_is_member: bool = True
    is_archived: bool = False
    dm_user: str | None = None  # set only for the bot's IM with one user
    messages: list[Json] = field(default_factory=list)  # every message incl. replies, oldest first

    @property
    def is_im(self) -> bool:
        return self.dm_user is not None

    def member_ids(self, bot_user_id: str) -> list[str]:
        ids = [self.dm_user] if self.dm_user else list(self.members)
        if self.bot_is_member and bot_user_id not in ids:
            ids.append(bot_user_id)
        return ids

    def to_json(self, bot_user_id: str) -> Json:
        data: Json = {
            "id": self.id,
            "created": int(DEFAULT_TS_BASE),
            "is_channel": not self.is_im,
            "is_group": False,
            "is_im": self.is_im,
            "is_mpim": False,
            "is_private": self.is_private or self.is_im,
            "is_archived": self.is_archived,
            "is_general": False,
            "is_member": self.bot_is_member,
            "is_ext_shared": self.is_ext_shared,
            "is_shared": self.is_ext_shared,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "num_members": len(self.member_ids(bot_user_id)),
        }
        if self.is_im:
            data["user"] = self.dm_user
        else:
            data.update(
                name=self.name,
                name_normalized=self.name,
                topic={"value": "", "creator": "", "last_set": 0},
                purpose={"value": "", "creator": "", "last_set": 0},
            )
        return data


def is_top_level(message: Json) -> bool:
    """True for messages shown in the channel itself: plain posts, thread parents and broadcasts."""
    thread_ts = message.get("thread_ts")
    return thread_ts is None or thread_ts == message["ts"] or message.get("subtype") == "thread_broadcast"


class Workspace:
    """One team's worth of Slack state, plus the bot's identity in it."""

    def __init__(
        self, *, team_id: str, team_name: str, bot_user_id: str, bot_id: str, app_id: str, bot_name: str
    ) -> None:
        self.lock = threading.RLock()
        self.team_id, self.team_name = team_id, team_name
        self.bot_user_id, self.bot_id, self.app_id, self.bot_name = bot_user_id, bot_id, app_id, bot_name
        self._ts_us = round(DEFAULT_TS_BASE * 1_000_000)
        # None: ts count up from DEFAULT_TS_BASE (deterministic); set to an epoch-seconds clock and
        # each ts is that clock's time, as Slack's are (the sandbox shares its clock this way).
        self.ts_clock: Callable[[], float] | None = None
        self._ts_issued = False
        self._seq = 0
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self._dm_by_user: dict[str, str] = {}
        self._ephemerals: list[Json] = []
        self._views: dict[str, Json] = {}  # every view by id, modal and home
        self._view_owner: dict[str, str] = {}
        self._stacks: dict[str, list[str]] = {}  # user -> open modal view ids, top last
        self._home: dict[str, str] = {}  # user -> home view id (stable across publishes, as in Slack)
        self._triggers: dict[str, str] = {}  # trigger_id -> user it was issued for
        self._trigger_issued: dict[str, float] = {}  # trigger_id -> time.monotonic() when issued
        self._triggers_used: set[str] = set()
        self._files: list[Json] = []
        self._transcript: list[Json] = []
        # The bot is a user of the workspace too, so users.info on it works like in Slack.
        self.add_user(bot_user_id, name=bot_name, real_name=bot_name, is_bot=True)

    # ----------------------------------------------------------------- setup
    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        real_name: str = "",
        tz: str = "UTC",
        is_bot: bool = False,
        deleted: bool = False,
        is_admin: bool = False,
        display_name: str = "",
    ) -> None:
        ZoneInfo(tz)  # fail at setup time, not inside a request handler, on a mistyped zone
        with self.lock:
            self.users[user_id] = User(
                user_id, name, real_name or name, tz, is_bot, deleted, is_admin, display_name
            )

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str,
        is_private: bool = False,
        is_ext_shared: bool = False,
        members: list[str] | None = None,
        bot_is_member: bool = True,
    ) -> None:
        with self.lock:
            self.channels[channel_id] = Channel(
                channel_id, name, is_private, is_ext_shared, list(members or []), bot_is_member
            )

    def set_bot_membership(self, channel_id: str, is_member: bool) -> None:
        with self.lock:
            self.channels[channel_id].bot_is_member = is_member

    def archive_channel(self, channel_id: str, archived: bool = True) -> None:
        with self.lock:
            self.channels[channel_id].is_archived = archived

    def set_ts_base(self, base: float) -> None:
        """Make the next ts `base` + one tick. Refuses to go backwards once a ts was handed out."""
        with self.lock:
            base_us = round(base * 1_000_000)
            if self._ts_issued and base_us < self._ts_us:
                raise ValueError("ts values must stay strictly increasing; base is behind the last ts")
            self._ts_us = base_us

    def trigger_id_for(self, user_id: str) -> str:
        """A trigger_id as Slack would put in an interaction payload for `user_id`.

        views.open/push attribute the modal to this user, which is what open_views_for() reads.
        """
        with self.lock:
            trigger_id = f"{self.next_seq()}.{user_id}.{self.next_seq():08x}"
            self.register_trigger(trigger_id, user_id)
            return trigger_id

    def register_trigger(self, trigger_id: str, user_id: str) -> None:
        """Tell the emulator whose interaction a trigger_id (minted elsewhere, e.g. by a payload
        builder) came from, so views opened with it count as that user's modals."""
        with self.lock:
            self._triggers[trigger_id] = user_id
            self._trigger_issued[trigger_id] = time.monotonic()

    # -------------------------------------------------------- id generation
    def next_seq(self) -> int:
        with self.lock:
            self._seq += 1
            return self._seq

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{self.next_seq():08d}"

    def next_ts(self) -> str:
        with self.lock:
            self._ts_us += TS_STEP_US
            if self.ts_clock is not None:  # Slack's ts is its clock's time: never behind it
                self._ts_us = max(self._ts_us, round(self.ts_clock() * 1_000_000))
            self._ts_issued = True
            return f"{self._ts_us // 1_000_000}.{self._ts_us % 1_000_000:06d}"

    # ------------------------------------------------------- conversations
    def dm_channel_for(self, user_id: str) -> str:
        """The bot's IM channel id with `user_id`, created on first use (as conversations.open does)."""
        with self.lock:
            if user_id not in self._dm_by_user:
                channel_id = f"D{user_id}"
                if channel_id in self.channels:  # only if a test reused the id by hand
                    channel_id = self.new_id("D")
                self.channels[channel_id] = Channel(channel_id, dm_user=user_id)
                self._dm_by_user[user_id] = channel_id
            return self._dm_by_user[user_id]

    def resolve(self, channel: str) -> Channel | None:
        """A channel by id; a user id means the bot's DM with that user, as chat.postMessage allows."""
        with self.lock:
            if channel.startswith(("U", "W")) and channel in self.users:
                return self.channels[self.dm_channel_for(channel)]
            return self.channels.get(channel)

    def user_for_trigger(self, trigger_id: str) -> str:
        with self.lock:
            return self._triggers.get(trigger_id, "")

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

    # ---------------------------------------------------------------- files
    def add_file(self, record: Json) -> None:
        with self.lock:
            self._files.append(record)
            self.log("file", **{k: v for k, v in record.items() if k != "content"})

    @property
    def files(self) -> list[Json]:
        with self.lock:
            return copy.deepcopy(self._files)

    # ----------------------------------------------------------- transcript
    def log(self, kind: str, **fields: Any) -> None:
        with self.lock:
            self._transcript.append({"kind": kind, **copy.deepcopy(fields)})

    def transcript(self) -> list[Json]:
        """Everything visible that happened, in order: kind is one of post, dm, user_post, update,
        delete, ephemeral, view (with action open/update/push/publish), file, reaction."""
        with self.lock:
            return copy.deepcopy(self._transcript)
