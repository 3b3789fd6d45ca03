"""The emulated workspace's people and conversations as objects (User, Channel), with Slack's JSON shapes."""

from __future__ import annotations

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
    is_restricted: bool = False  # a multi-channel guest, as Slack reports one
    is_ultra_restricted: bool = False  # a single-channel guest (Slack sets is_restricted too)

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
            "is_restricted": self.is_restricted or self.is_ultra_restricted,
            "is_ultra_restricted": self.is_ultra_restricted,
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
