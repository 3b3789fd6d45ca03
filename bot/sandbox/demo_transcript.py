"""Prints what people would see in Slack, from the emulator's transcript (for `casebot demo`)."""

from __future__ import annotations

import re
import textwrap
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.sandbox.emulator import SlackEmulator

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>")
_DATE = re.compile(r"<!date\^(\d+)\^[^|>]*\|[^>]*>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")


class Printer:
    def __init__(self, emu: SlackEmulator, out=print, tz: str = "Pacific/Auckland") -> None:
        self.emu = emu
        self.out = out
        self.seen = 0
        self.tz = ZoneInfo(tz)  # Slack shows <!date> tokens in each reader's zone; the demo team's is this

    def narrate(self, text: str) -> None:
        self.out(f"\n>>> {text}")

    def ephemeral_reply(self, user_id: str, channel: str, text: str | None) -> None:
        if text:
            self._say(
                f"[#{self._channel(channel)}] (only visible to @{self._name(user_id)})", "casebot", text
            )

    def flush(self) -> None:
        """Print everything Slack showed since the last flush."""
        entries = self.emu.transcript()[self.seen :]
        self.seen += len(entries)
        for entry in entries:
            self._entry(entry)

    def _entry(self, entry: dict[str, Any]) -> None:
        kind = entry["kind"]
        author = (
            "casebot" if entry.get("user") == self.emu.bot_user_id else self._name(entry.get("user") or "")
        )
        body = _render(entry.get("blocks"), entry.get("text", ""))
        if kind == "post":
            where = f"#{self._channel(entry['channel'])}" + (
                " › thread" if entry.get("thread_ts") and entry["thread_ts"] != entry["ts"] else ""
            )
            self._say(f"[{where}]", author, body)
        elif kind == "user_post":
            where = f"#{self._channel(entry['channel'])}" + (" › thread" if entry.get("thread_ts") else "")
            self._say(f"[{where}]", author, body)
        elif kind == "dm":
            self._say("[DM]", author, body)
        elif kind == "update":
            self._say(f"[#{self._channel(entry['channel'])}] (message updated in place)", author, body)
        elif kind == "ephemeral":
            self._say(
                f"[#{self._channel(entry['channel'])}] (only visible to @{self._name(entry['user'])})",
                "casebot",
                body,
            )
        elif kind == "view":
            self._say(
                f"[modal {entry['action']} for @{self._name(entry['user'])}]",
                "casebot",
                f"« {entry['title']} »",
            )

    def _say(self, where: str, author: str, body: str) -> None:
        self.out(f"{where} {author}:")
        self.out(textwrap.indent(self._humanise(body), "    "))

    def _humanise(self, text: str) -> str:
        text = _MENTION.sub(lambda m: "@" + self._name(m.group(1)), text)
        text = _CHANNEL.sub(lambda m: "#" + self._channel(m.group(1)), text)
        text = _DATE.sub(lambda m: self._date(int(m.group(1))), text)
        text = _LINK.sub(lambda m: f"{m.group(2)} ↗", text)
        return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    def _date(self, epoch: int) -> str:
        return datetime.fromtimestamp(epoch, self.tz).strftime("%a %-d %b %H:%M")

    def _name(self, user_id: str) -> str:
        user = self.emu.users.get(user_id)
        return user.name if user else user_id

    def _channel(self, channel_id: str) -> str:
        channel = self.emu.channels.get(channel_id)
        return channel.name if channel else channel_id


def _render(blocks: list[dict[str, Any]] | None, fallback: str) -> str:
    if not blocks:
        return fallback
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"== {block['text']['text']} ==")
        elif kind == "section":
            line = block.get("text", {}).get("text", "")
            if accessory := block.get("accessory"):
                line += f"  [{accessory.get('text', {}).get('text', '')}]"
            lines.append(line)
        elif kind == "context":
            lines.append(" ".join(e.get("text", "") for e in block.get("elements", [])))
        elif kind == "actions":
            lines.append(
                "  ".join(
                    f"[{(e.get('text') or e.get('placeholder') or {}).get('text', '')}]"
                    for e in block.get("elements", [])
                )
            )
        elif kind == "divider":
            lines.append("—" * 20)
    return "\n".join(lines)
