"""Parsing what follows the slash command."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Invocation:
    sub: str
    args: tuple[str, ...]


def parse(text: str | None) -> Invocation:
    words = (text or "").split()
    if not words:
        return Invocation("help", ())
    return Invocation(words[0].lower(), tuple(words[1:]))


# Where Slack's response_urls live (hooks.slack.com; GovSlack's own host). A signed payload's URL is
# Slack's, but casebot never posts an answer, which may name a case, anywhere else.
SLACK_HOOK_HOSTS = ("https://hooks.slack.com/", "https://hooks.slack-gov.com/")


def response_url_allowed(url: str, api_url: str) -> bool:
    """Slack's own hooks; against another Slack API (the emulator), that API's host's /hooks/ path."""
    if url.startswith(SLACK_HOOK_HOSTS):
        return True
    scheme, _, rest = api_url.partition("://")
    host = rest.split("/", 1)[0]
    return bool(host) and not host.endswith("slack.com") and url.startswith(f"{scheme}://{host}/hooks/")
