"""The late-summary DM: kind wording per rung, the case reference and deadline, a Write the summary button."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.content import Content
from bot.ids import ActionId
from bot.notes.blocks_timeliness import RecordReminderView, record_reminder

DUE = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
VIEW = RecordReminderView(
    discussion_id=7,
    level=0,
    audience="recorders",
    reference="CASE-2026-014",
    channel_id="CCASES01",
    due_at=DUE,
    recipient_id="UALEX001",
    recorder_ids=("UALEX001",),
    member_ids=("UALEX001", "USAM0001"),
)


@pytest.fixture(scope="module")
def content() -> Content:
    return Content()


def text_of(blocks: list[dict]) -> str:
    return blocks[0]["text"]["text"]


def test_the_recorder_is_nudged_kindly_with_the_reference_the_deadline_and_the_button(content):
    fallback, blocks = record_reminder(VIEW, content)
    said = text_of(blocks)
    assert said.startswith("Hi <@UALEX001>, a gentle nudge")
    assert "case CASE-2026-014" in said and f"<!date^{int(DUE.timestamp())}^" in said
    assert "CASE-2026-014" in fallback
    (button,) = blocks[1]["elements"]
    assert button["action_id"] == ActionId.SUMMARY_OPEN and button["value"] == "7"
    assert button["text"]["text"] == "Write the summary"


def test_the_coworker_is_told_who_was_down_to_write_it(content):
    view = replace(VIEW, level=1, audience="coworkers", recipient_id="USAM0001")
    said = text_of(record_reminder(view, content)[1])
    assert said.startswith("Hi <@USAM0001>") and "<@UALEX001> was down to write it" in said
    # 22.6: co-workers are not asked to chase each other
    assert "If it helps, agree between you who finishes it." in said
    assert "check in with them" not in said and "write it yourself" not in said


def test_the_manager_is_offered_support_with_a_link_to_the_thread(content):
    view = replace(
        VIEW, level=2, audience="manager", recipient_id="UMERE001", permalink="https://x/p?a=1&b=2"
    )
    said = text_of(record_reminder(view, content)[1])
    assert "the work is stretched rather than anything being wrong" in said
    assert "<@UALEX001> and <@USAM0001>" in said
    assert "<https://x/p?a=1&amp;b=2|Open the case thread>" in said
    assert "The case card lists the summary until it's recorded." in said


def test_a_cover_is_told_whose_reminder_it_carries_and_not_asked_to_check_in_with_them(content):
    view = replace(
        VIEW, level=1, audience="coworkers", recipient_id="UKIRI001", for_others=(("UALEX001", "cover"),)
    )
    said = text_of(record_reminder(view, content)[1])
    assert "You're covering for <@UALEX001>" in said and "was down to write it" not in said


def test_the_reference_is_escaped(content):
    view = replace(VIEW, reference="<!channel>")
    fallback, blocks = record_reminder(view, content)
    assert "<!channel>" not in text_of(blocks) and "<!channel>" not in fallback
