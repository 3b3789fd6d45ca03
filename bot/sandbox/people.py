"""People typing in the sandbox: each act changes the emulator's workspace as Slack would, then
delivers the event Slack would send, so the bot sees exactly what it would see in a real workspace."""

from __future__ import annotations

from typing import Any

from bot.sandbox import payloads
from bot.sandbox.driver import Delivered, Driver
from bot.sandbox.emulator import SlackEmulator

Json = dict[str, Any]


class People:
    def __init__(self, emu: SlackEmulator, driver: Driver) -> None:
        self.emu = emu
        self.driver = driver

    def reply(self, user_id: str, channel_id: str, thread_ts: str, text: str) -> Json:
        """A reply in a thread; returns the message as the channel holds it."""
        message = self.emu.post_user_message(channel_id, user=user_id, text=text, thread_ts=thread_ts)
        self.deliver_message(message, channel_id)
        return message

    def deliver_message(self, message: Json, channel_id: str, *, event_id: str | None = None) -> Delivered:
        event = payloads.message_event(
            user_id=message["user"],
            channel_id=channel_id,
            text=message["text"],
            ts=message["ts"],
            thread_ts=message.get("thread_ts"),
            team_id=self.driver.team_id,
            parent_user_id=message.get("parent_user_id"),
        )
        return self.driver.event(event, event_id=event_id)

    def edit(self, user_id: str, channel_id: str, message: Json, text: str) -> Json:
        with self.emu.lock:
            stored = self.emu.find_message(self.emu.channels[channel_id], message["ts"])
            assert stored is not None, "edit a message that exists"
            previous = stored["text"]
            stored["text"] = text
        self.driver.event(
            payloads.message_changed_event(
                user_id=user_id,
                channel_id=channel_id,
                ts=message["ts"],
                text=text,
                previous_text=previous,
                team_id=self.driver.team_id,
                thread_ts=message.get("thread_ts"),
            )
        )
        return {**message, "text": text}

    def delete(self, channel_id: str, message: Json) -> None:
        with self.emu.lock:
            channel = self.emu.channels[channel_id]
            stored = self.emu.find_message(channel, message["ts"])
            if stored is not None:
                self.emu.remove_message(channel, stored)
        self.driver.event(payloads.message_deleted_event(channel_id=channel_id, deleted_ts=message["ts"]))

    def react(
        self, user_id: str, channel_id: str, message: Json, reaction: str, *, removed: bool = False
    ) -> None:
        event = payloads.reaction_added_event(
            user_id=user_id,
            reaction=reaction,
            channel_id=channel_id,
            item_ts=message["ts"],
            item_user=message["user"],
        )
        if removed:
            event["type"] = "reaction_removed"
        self.driver.event(event)
