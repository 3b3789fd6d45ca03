"""Block Kit pieces measure text as Slack does (UTF-16 units) and never cut it silently."""

from __future__ import annotations

from bot.cases.blocks_modals import notice_modal
from bot.kernel import blocks as elements
from bot.kernel.blocks_limits import slack_length
from bot.sandbox.validation import message_errors, view_errors

EMOJI = "\U0001f9d2"  # a child emoji: one character, two UTF-16 units


def test_long_emoji_text_is_split_into_sections_slack_accepts():
    text = EMOJI * 2000  # 2,000 characters, 4,000 units: over one section as Slack counts
    blocks = elements.sections(text)
    assert len(blocks) == 2
    assert "".join(b["text"]["text"] for b in blocks) == text
    assert all(slack_length(b["text"]["text"]) <= 3000 for b in blocks)
    assert message_errors(blocks) == []


def test_a_button_label_of_emoji_is_shortened_visibly_within_75_units():
    label = elements.button(EMOJI * 60, "a", "1")["text"]["text"]
    assert label.endswith(elements.ELLIPSIS) and slack_length(label) <= 75


def test_fit_never_cuts_an_emoji_in_half():
    fitted = elements.fit("a" + EMOJI * 10, 6)
    assert fitted == "a" + EMOJI * 2 + elements.ELLIPSIS


def test_a_notice_longer_than_one_section_is_shown_whole():
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(60))  # about 6,000 characters
    view = notice_modal(title="Can't open the form", text=text)
    assert view_errors(view) == []
    assert "\n".join(b["text"]["text"] for b in view["blocks"]) == text
