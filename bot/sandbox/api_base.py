"""What every Web API area shares: the channels a method may see, write to and read, as Slack decides."""

from __future__ import annotations

from bot.sandbox.api_errors import ApiError
from bot.sandbox.api_params import str_arg
from bot.sandbox.workspace import Channel, Json, Workspace

WORKSPACE_URL = "https://emulator.slack.test"  # .test never resolves, so a permalink can't leak anywhere


class ApiBase(Workspace):
    """The workspace as the Web API's handlers see it; WebApi composes the areas built on it."""

    @property
    def root_url(self) -> str:
        """Where the transport listens; upload URLs point back at it."""
        raise NotImplementedError

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
        channel = self._channel(str_arg(p, "channel"))
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
