"""casebot's own wording says child, teacher and family in the organisation's words where its banks set
a [vocabulary] (issue 22): the help, the supervision and review reminders, and the draft's prompts.
What people wrote is never changed."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bot.content import Content
from bot.reminders.blocks import ReminderView, reminder_message


def shown(blocks: list[dict]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.fixture
def content(tmp_path):
    (tmp_path / "words.toml").write_text('[vocabulary]\nchild = "mokopuna"\nfamily = "whānau"\n')
    return Content(bank_folders=[tmp_path])


def test_the_help_says_the_organisations_word(content):
    text = content.render("help.j2", command="/case", commands=[])
    assert "never a mokopuna's name" in text
    assert "child" not in text


def test_the_supervision_agenda_and_the_review_say_it_too(content):
    due = datetime(2026, 12, 22, 21, 0, tzinfo=UTC)
    common = {
        "level": 0,
        "audience": "manager",
        "reference": "CASE-1",
        "channel_id": "CCASES01",
        "due_at": due,
        "due_day": date(2026, 12, 23),
        "coworker_ids": ("UALEX001", "USAM0001"),
        "manager_id": "UMERE001",
        "item_value": "1:0",
        "recipient_id": "UMERE001",
    }
    agenda = shown(reminder_message(ReminderView(kind="supervision", **common), content)[1])
    review = shown(reminder_message(ReminderView(kind="review", **common), content)[1])
    assert "progressing the mokopuna's plan" in agenda
    assert "progressing the mokopuna's plan" in review


def test_without_a_vocabulary_the_words_are_casebots_own():
    text = Content().render("help.j2", command="/case", commands=[])
    assert "never a child's name" in text
