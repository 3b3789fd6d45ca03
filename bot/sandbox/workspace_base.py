"""The emulated workspace's state and its plumbing: users and channels set up, ids and ts issued,
conversations resolved, files kept, and the transcript of everything visible (see workspace.py)."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from bot.sandbox.workspace_objects import DEFAULT_TS_BASE, TS_STEP_US, Channel, Json, User


class WorkspaceBase:
    """One team's worth of Slack state and the bot's identity in it: setup, ids, conversations, files
    and the transcript. Workspace adds messages and views."""

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
        self._triggers_expired: set[str] = set()  # refused with expired_trigger_id
        self._files: list[Json] = []
        self._transcript: list[str] = []  # JSON text, one entry each
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
        guest: str | None = None,
    ) -> None:
        """`guest`: None for a member, "multi" or "single" for Slack's multi- or single-channel guest."""
        ZoneInfo(tz)  # fail at setup time, not inside a request handler, on a mistyped zone
        with self.lock:
            self.users[user_id] = User(
                user_id,
                name,
                real_name or name,
                tz,
                is_bot,
                deleted,
                is_admin,
                display_name,
                is_restricted=guest is not None,
                is_ultra_restricted=guest == "single",
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
        # Kept as JSON text, as the emulator's call records are: the workspace's later changes cannot
        # reach it, and it costs a fraction of a deep copy on every post the bot makes.
        entry = json.dumps({"kind": kind, **fields})
        with self.lock:
            self._transcript.append(entry)

    def transcript(self, since: int = 0) -> list[Json]:
        """Everything visible that happened, in order (from entry `since`): kind is one of post, dm,
        user_post, update, delete, ephemeral, view (with action open/update/push/publish), file,
        reaction."""
        with self.lock:
            kept = self._transcript[since:]
        return [json.loads(entry) for entry in kept]

    def transcript_length(self) -> int:
        with self.lock:
            return len(self._transcript)
