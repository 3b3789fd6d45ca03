"""Prints what people would see in Slack, from the emulator's transcript (for `casebot demo`).

A message is printed in full the first time; when the bot edits it in place, only what changed is
printed, so a card updated ten times reads as ten short changes rather than ten copies.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.sandbox.demo_render import changes, emoji, form_lines, home_lines, message_lines, repeated, title
from bot.sandbox.emulator import SlackEmulator

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|[^>]*)?>")
_DATE = re.compile(r"<!date\^(\d+)\^[^|>]*\|[^>]*>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")

LEGEND = "A message the bot edits in place shows only what changed: + added or reworded, − removed."
# The lines of a long message shown: its beginning and its end (a note read in a modal, a bit more).
HEAD_MESSAGE, TAIL_MESSAGE = 2, 1
HEAD, TAIL = 3, 2
EDIT_LINE, EDIT_CHANGES = 340, 5  # an edit's few short changes share one line up to this width
LIKE, LIKE_LINES = 0.7, 6  # a message of this many lines, this much like an earlier one, prints changes
TITLE_LINE = 80  # a two-line message whose first line is this short is printed on one line


def one_line(changed: list[str]) -> list[str]:
    """An edit's changes on one line when they are few and short ("+ a; − b"), else one a line."""
    joined = "; ".join(changed)
    return [joined] if len(changed) <= EDIT_CHANGES and len(joined) <= EDIT_LINE else changed


class Printer:
    def __init__(self, emu: SlackEmulator, out=print, tz: str = "Pacific/Auckland") -> None:
        self.emu = emu
        self.out = out
        self.seen = 0
        self.tz = ZoneInfo(tz)  # Slack shows <!date> tokens in each reader's zone; the demo team's is this
        self._shown: dict[tuple[str, str], list[str]] = {}  # (channel or view id, ts): lines last printed
        self._posted: dict[tuple[str, str], list[list[str]]] = {}  # per thread, channel or "DMs": messages
        self._whole = False  # print long messages uncut (a Home tab, the digest)
        self._versions: list[list[str]] = []  # every long message as printed, each version of it

    def scene(self, text: str) -> None:
        self.out(f"\n=== {text} ===")

    def narrate(self, text: str) -> None:
        self.out(f">>> {self.humanise(text)}")

    def ephemeral_reply(self, user_id: str, channel: str, text: str | None) -> None:
        if text:
            self._say(
                f"[#{self._channel(channel)}] (only visible to @{self._name(user_id)})", "casebot", [text]
            )

    def user_edit(self, message: dict[str, Any], channel: str) -> None:
        """A person's own edit: Slack sends the bot an event but shows the people the new text."""
        where = self._where(channel, message.get("thread_ts"), message["ts"])
        self._say(where, f"{self._name(message['user'])} (edited)", [message["text"]])

    def flush(self, *, whole: bool = False) -> None:
        """Print everything Slack showed since the last flush (`whole`: long messages uncut)."""
        entries = self.emu.transcript(since=self.seen)
        self.seen += len(entries)
        self._whole = whole
        try:
            for entry in entries:
                self._entry(entry)
        finally:
            self._whole = False

    def _entry(self, entry: dict[str, Any]) -> None:
        kind = entry["kind"]
        author = (
            "casebot" if entry.get("user") == self.emu.bot_user_id else self._name(entry.get("user") or "")
        )
        if kind in ("post", "user_post", "dm", "update"):
            lines = [
                self.humanise(line) for line in message_lines(entry.get("blocks"), entry.get("text", ""))
            ]
            key = (entry["channel"], entry["ts"])
            like = self._like(lines) if kind != "update" else None
            if kind == "update" and len(lines) >= LIKE_LINES:
                self._versions.append(lines)
            before, self._shown[key] = self._shown.get(key), lines
            where = self._where(entry["channel"], entry.get("thread_ts"), entry["ts"])
            if like is not None:
                self._say(
                    where, f"{author}: «{title(like)}» again, with changes", one_line(changes(like, lines))
                )
            elif kind != "update" and (again := self._again(entry, lines)):
                if again[1]:
                    self._say(where, f"{author} again «{title(again[0])}»", again[1])
                else:
                    self.out(f"{where} {author}: the same message as above")
            elif kind != "update" or before is None:
                self._say(where, author, lines)
            elif changed := changes(before, lines):
                through = changed == ["+ " + line for line in lines]  # rewritten through: as it reads now
                self._say(
                    where, f"{author} edited «{title(before)}»", changed if through else one_line(changed)
                )
        elif kind == "ephemeral":
            where = f"[#{self._channel(entry['channel'])}] (only visible to @{self._name(entry['user'])})"
            lines = [
                self.humanise(line) for line in message_lines(entry.get("blocks"), entry.get("text", ""))
            ]
            if (like := self._like(lines)) is not None:
                self._say(
                    where, f"casebot: «{title(like)}» again, with changes", one_line(changes(like, lines))
                )
            else:
                self._say(where, "casebot", lines)
        elif kind == "view":
            self._view(entry)
        elif kind == "file":
            where = self._where(entry.get("channel_id") or "", entry.get("thread_ts"), entry.get("ts") or "")
            comment = [line for line in (entry.get("initial_comment") or "").splitlines() if line.strip()]
            self._say(where, "casebot", [*comment, f"📎 {entry['filename']} ({entry['title']})"])
        elif kind == "delete":
            gone = self._shown.pop((entry["channel"], entry["ts"]), [])
            self.out(f"[#{self._channel(entry['channel'])}] casebot deleted «{title(gone)}»")

    def _like(self, lines: list[str]) -> list[str] | None:
        """A long message much like one printed before, anywhere (the agreement shown again, or its next
        version): the earlier one, so that only what differs is printed."""
        if len(lines) < LIKE_LINES:
            return None
        found = [
            (difflib.SequenceMatcher(a=old, b=lines, autojunk=False).ratio(), n, old)
            for n, old in enumerate(self._versions)
        ]
        self._versions.append(lines)
        ratio, _, old = max(found, default=(0.0, 0, []))  # the most alike; of those, the latest
        return old if ratio >= LIKE else None

    def _again(self, entry: dict[str, Any], lines: list[str]) -> tuple[list[str], list[str]] | None:
        """A message posted before in the same place (a thread, a channel, or anyone's DMs), now for
        another person or date: the earlier message and what is new, so the demo prints only that."""
        dm = bool(getattr(self.emu.channels.get(entry["channel"]), "dm_user", None))
        place = ("DMs", "") if dm else (entry["channel"], entry.get("thread_ts") or "")
        earlier = self._posted.setdefault(place, [])
        found = repeated(earlier, lines) if len(lines) > 1 or dm else None
        earlier.append(lines)
        return found

    def _view(self, entry: dict[str, Any]) -> None:
        render = home_lines if entry["action"] == "publish" else form_lines
        lines = [self.humanise(line) for line in render(entry.get("blocks") or [])]
        key = (entry["view_id"], "")
        before, self._shown[key] = self._shown.get(key), lines
        who = f"@{self._name(entry['user'])}"
        if entry["action"] == "publish":
            where = f"[Home tab of {who}]"
        else:
            where = f"[form «{entry['title']}» {'opens' if before is None else 'changes'} for {who}]"
        if before is None:
            self._say(where, "casebot", lines)
        elif changed := changes(before, lines):
            self._say(where, "casebot", changed)

    def _where(self, channel_id: str, thread_ts: str | None, ts: str) -> str:
        dm_user = getattr(self.emu.channels.get(channel_id), "dm_user", None)
        if dm_user:
            return f"[DM to @{self._name(dm_user)}]"
        thread = " › thread" if thread_ts and thread_ts != ts else ""
        return f"[#{self._channel(channel_id)}{thread}]"

    def _say(self, where: str, author: str, lines: list[str]) -> None:
        """A one-line message on the line of who wrote it, a longer one indented below; a long one shows
        its beginning and its end, and says how much is left out, so the story stays readable."""
        body = [self.humanise(line) for line in lines]
        head, tail = (HEAD, TAIL) if where.startswith("[form") else (HEAD_MESSAGE, TAIL_MESSAGE)
        whole = self._whole or where.startswith("[Home tab")
        if len(body) > head + 1 + tail and not whole:
            body = [*body[:head], f"… {len(body) - head - tail} more lines …", *body[-tail:]]
        if len(body) == 2 and len(body[0]) <= TITLE_LINE and not (whole or where.startswith("[form")):
            body = [f"{body[0]} — {body[1]}"]  # a title and its text ("*Question 2* · Clarifying — …")
        if len(body) == 1:
            self.out(f"{where} {author}: {body[0]}")
        else:
            self.out(f"{where} {author}:")
            self.out(textwrap.indent("\n".join(body), "    "))

    def humanise(self, text: str) -> str:
        text = _MENTION.sub(lambda m: "@" + self._name(m.group(1)), text)
        text = _CHANNEL.sub(lambda m: "#" + self._channel(m.group(1)), text)
        text = _DATE.sub(lambda m: self._date(int(m.group(1))), text)
        text = _LINK.sub(lambda m: f"{m.group(2)} ↗", text)
        return emoji(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))

    def _date(self, epoch: int) -> str:
        return datetime.fromtimestamp(epoch, self.tz).strftime("%a %-d %b %H:%M")

    def _name(self, user_id: str) -> str:
        user = self.emu.users.get(user_id)
        return user.name if user else user_id

    def _channel(self, channel_id: str) -> str:
        channel = self.emu.channels.get(channel_id)
        return channel.name if channel else channel_id
