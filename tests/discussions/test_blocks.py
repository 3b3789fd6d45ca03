"""Reminders, thread notes and discussion questions as pure Block Kit, driven at the extremes: ten
co-workers, each carrying for someone, and agreed text at the form's 3,000 characters."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.content import Content
from bot.discussions.blocks import (
    PromptView,
    StartContext,
    kind_modal,
    question_message,
    start_modal,
    started_text,
)
from bot.discussions.rules_banks import NAME_MAX, ROLES_MAX, TEXT_MAX, TITLE_MAX
from bot.kernel.blocks import sections
from bot.kernel.rules_text import slack_escape
from bot.notes.blocks_timeliness import RecordReminderView, record_reminder
from bot.reminders.blocks import ReminderView, reminder_message
from bot.sandbox.validation import message_errors, view_errors

AT = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
TEAM = tuple(f"U{n:07d}" for n in range(10))
CARRIED = tuple((u, "cover") for u in TEAM[1:])
GOALS = ("Chair the core group & <lead> the plan " * 80)[:3000]


@pytest.fixture(scope="module")
def content() -> Content:
    return Content()


def joined(blocks: list[dict]) -> str:
    return "".join(b["text"]["text"] for b in blocks if b["type"] == "section")


@pytest.mark.parametrize("level", [0, 2])
@pytest.mark.parametrize("kind", ["discussion", "supervision", "review"])
@pytest.mark.parametrize("audience", ["thread", "coworkers", "manager"])
def test_every_reminder_with_a_full_agenda_and_ten_coworkers_is_one_slack_accepts(
    content, kind, audience, level
):
    view = ReminderView(
        kind=kind,
        level=level,
        audience=audience,
        reference="CASE-2026-014",
        channel_id="CCASES01",
        due_at=AT,
        due_day=date(2026, 11, 26),
        coworker_ids=TEAM,
        manager_id="UMANAGER",
        item_value="12:3",
        recipient_id=TEAM[0],
        for_others=CARRIED,
        permalink="https://example.slack.com/archives/CCASES01/p1790000000000100",
        agenda=("Overdue: " + ", ".join(["discussion due 03 Dec"] * 100), f"Learning goals agreed: {GOALS}"),
        has_developing=True,
    )
    _, blocks = reminder_message(view, content)
    assert message_errors(blocks) == []
    if kind == "supervision" and audience == "manager" and level == 0:
        assert slack_escape(GOALS) in joined(blocks)  # the goals in full, split over sections


def test_a_late_summary_reminder_carried_for_nine_is_one_slack_accepts(content):
    for audience in ("recorders", "coworkers", "manager"):
        view = RecordReminderView(
            discussion_id=7,
            level=2,
            audience=audience,
            reference="CASE-2026-014",
            channel_id="CCASES01",
            due_at=AT,
            recipient_id=TEAM[0],
            recorder_ids=TEAM,
            member_ids=TEAM,
            for_others=CARRIED,
        )
        assert message_errors(record_reminder(view, content)[1]) == []


def test_a_long_thread_note_is_split_not_refused():
    text = started_text(TEAM[0], "x" * NAME_MAX, "&" * 300, tuple("r" * NAME_MAX for _ in range(ROLES_MAX)))
    assert message_errors(sections(text)) == []
    blocks = sections("& " * 4000)
    assert message_errors(blocks) == [] and len(blocks) > 1


def test_the_longest_question_a_bank_may_hold_is_one_slack_accepts():
    view = PromptView(
        discussion_id=3,
        prompt_id=9,
        number=12,
        text="&" * TEXT_MAX,
        heading="<" * TITLE_MAX,
        coworker_ids=TEAM,
        first=True,
        scaling=True,
    )
    _, blocks = question_message(view)
    assert message_errors(blocks) == []
    assert slack_escape("&" * TEXT_MAX) in joined(blocks).replace("\n", "")


def test_the_discussion_modals_are_ones_slack_accepts():
    frameworks = {f"fw_{n}": "x" * NAME_MAX for n in range(100)}
    start = start_modal(
        reference="CASE-2026-014", frameworks=frameworks, chosen="fw_0", context_=StartContext(1)
    )
    assert view_errors(start) == []
    assert view_errors(kind_modal(message_id=5, preselected="action")) == []
