"""Whatever a person types, casebot never sends it back to Slack as a live mention, broadcast or link.

Slack reads `<!channel>`, `<!here>`, `<@U…>`, `<#C…>` and `<url|label>` in mrkdwn as control sequences;
every reply that echoes what was typed must escape it (`&lt;!channel&gt;`). The corpus goes in every
argument position of every registered subcommand, and every Slack output that follows is scanned.
"""

from __future__ import annotations

import json

import pytest

from bot.ids import Sub
from bot.sandbox.harness import CASE_CHANNEL, LEAD, MANAGER
from tests.security.conftest import REFERENCE

CORPUS = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^SEVIL0001|@evil>",
    "<#CEVIL0001|evil>",
    "<@UEVIL0001>",
    "<https://evil.example/login|Open the case>",
    "<mailto:x@evil.example|mail>",
)
# What a live sequence from the corpus looks like in an output: its opening `<` and the first characters.
# A user mention is left out: casebot renders the people it names with mention(), which takes only an id,
# so `<@UEVIL0001>` in an output is casebot naming that id, not text passed through.
LIVE = tuple(
    entry[: entry.index("|")] if "|" in entry else entry[:-1]
    for entry in CORPUS
    if not entry.startswith("<@")
)


def _arguments(entry: str) -> list[str]:
    """The entry in every position a subcommand reads text from."""
    return [
        entry,
        f"{REFERENCE} {entry}",
        f"{entry} {entry}",
        f"2026-12-24 {entry}",
        f"{entry} {REFERENCE}",
        f"manager add {entry}",
        f"{REFERENCE} md {entry}",
    ]


def _outputs(box, replies) -> str:
    texts = [reply.body for reply in replies]
    texts += [json.dumps(call.params, ensure_ascii=False) for call in box.emu.calls]
    return "\n".join(texts)


def live_in(text: str) -> list[str]:
    return [marker for marker in LIVE if marker in text]


def test_the_scan_finds_a_live_sequence():
    assert live_in('{"text": "I can\'t read \'<!channel>\' as a date"}') == ["<!channel"]
    assert live_in('{"text": "I can\'t read \'&lt;!channel&gt;\' as a date"}') == []


@pytest.mark.parametrize("entry", CORPUS)
@pytest.mark.parametrize("sub", [s.value for s in Sub])
def test_no_echo_is_live(case_box, sub, entry):
    case_box.emu.clear_calls()
    replies = []
    for person in (MANAGER, LEAD):
        for words in _arguments(entry):
            replies.append(case_box.driver.slash(person, f"{sub} {words}", CASE_CHANNEL))
    assert all(reply.status == 200 for reply in replies)
    out = _outputs(case_box, replies)
    hits = [out[max(0, out.index(m) - 80) : out.index(m) + 40] for m in live_in(out)]
    assert hits == []
