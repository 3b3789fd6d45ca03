"""The case card, the agreement post and the agreement form, driven at the extremes: ten co-workers and
every free-text field at the form's 3,000 characters, full of characters that grow when escaped."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.cases import rules_agreements as terms
from bot.cases.blocks import HELP, AgreementView, CaseView, MemberView, agreement_post, case_card
from bot.cases.blocks_modals import agreement_modal
from bot.cases.blocks_schedule import DUE_NOW, MISSED, NOT_HELD, UNDER_WAY, DueItem, ScheduleView
from bot.cases.rules_agreements import AgreementForm
from bot.content import Content
from bot.follow_ups.blocks_card import CardNotes, OpenAction, OverdueAction, SummaryDue
from bot.ids import ActionId, Sub
from bot.kernel.rules_text import slack_escape
from bot.sandbox.validation import message_errors, view_errors

AT = datetime(2026, 12, 3, 23, 0, tzinfo=UTC)
GROWS = "Tell school & <the GP> only "  # every & < > becomes a five- or four-character escape
TEAM = tuple(f"U{n:07d}" for n in range(10))


@pytest.fixture(scope="module")
def content() -> Content:
    return Content()


def full_case(**changes) -> CaseView:
    agreement = AgreementView(
        agreement_id=1,
        version=3,
        reasons=tuple(terms.REASONS),
        responsibilities={key: "joint" for key in terms.RESPONSIBILITIES},
        discussion_frequency="custom",
        discussion_custom="FREQ=WEEKLY;BYDAY=" + ",".join(["MO"] * 700),
        discussion_weekday=2,
        discussion_time="10:00",
        recorder="rotating",
        supervision_frequency="monthly",
        learning_goals=(GROWS * 200)[:3000],
        information_sharing=(GROWS * 200)[:3000],
        review_date=date(2027, 2, 24),
    )
    members = tuple(
        MemberView(u, "lead" if n == 0 else "co_worker", n % 2 == 1, n % 3 == 0) for n, u in enumerate(TEAM)
    )
    due = tuple(DueItem("review", AT, NOT_HELD) for _ in range(30))
    missed = tuple(DueItem("discussion", AT, MISSED) for _ in range(30))
    notes = CardNotes(
        next_recorders=TEAM,
        summaries=tuple(SummaryDue(n, TEAM, AT, True) for n in range(20)),
        overdue_actions=tuple(OverdueAction(u, date(2026, 12, 4), AT) for u in TEAM * 20),
        open_actions=tuple(OpenAction(u, date(2026, 12, 24), AT) for u in TEAM * 20),
    )
    view = CaseView(
        1,
        "CASE-2026-014",
        "open",
        "UMANAGER",
        members,
        agreement,
        ScheduleView(AT, AT, (), due, missed),
        notes,
    )
    return replace(view, **changes)


def section_texts(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def test_an_agreement_with_3000_character_goals_and_limits_is_split_over_blocks_not_cut(content):
    _, blocks = agreement_post(full_case(), content)
    assert message_errors(blocks) == []
    joined = "".join(section_texts(blocks))
    assert slack_escape((GROWS * 200)[:3000]) in joined.replace("\n", "")
    for text in section_texts(blocks):
        assert "&" not in re.sub(r"&(amp|lt|gt);", "", text)  # no escape cut in half
    agree = [e for b in blocks if "accessory" in b for e in [b["accessory"]]]
    assert [e["value"] for e in agree] == [f"1:{u}" for n, u in enumerate(TEAM) if n % 3 != 0]
    assert all(e["action_id"] == ActionId.AGREE for e in agree)


def test_the_card_of_a_full_case_is_one_slack_accepts():
    _, blocks = case_card(full_case())
    assert message_errors(blocks) == []
    assert "…" in section_texts(blocks)[1]  # a 2,000-character custom cadence is shortened, visibly
    schedule = section_texts(blocks)[2]
    assert schedule.count("*Agreement review:*") == 10  # 30 not held yet: ten named
    assert "*Not held:* 27 earlier and reflective discussion planned for" in schedule  # the latest 3 named


def test_the_agreement_form_filled_to_its_limits_is_one_slack_accepts():
    form = AgreementForm(
        reference="CASE-2026-014",
        coworkers=TEAM,
        lead=TEAM[0],
        developing=TEAM[1:],
        reasons=tuple(terms.REASONS),
        discussion_frequency="custom",
        discussion_custom="FREQ=WEEKLY;BYDAY=" + ",".join(["MO"] * 700),
        learning_goals="x" * 3000,
        information_sharing="&" * 3000,
        review_date=date(2027, 2, 24),
    )
    view = agreement_modal(channel_id="C1", today=date(2026, 11, 24), form=form)
    assert view_errors(view) == []
    custom = next(b for b in view["blocks"] if b["block_id"] == "discussion_custom")["element"]
    assert custom["initial_value"] == form.discussion_custom  # never shortened by the form itself


def test_a_new_agreement_form_limits_a_custom_cadence():
    view = agreement_modal(channel_id="C1", today=date(2026, 11, 24))
    custom = next(b for b in view["blocks"] if b["block_id"] == "discussion_custom")["element"]
    assert custom["max_length"] == 200


def test_the_card_says_discussions_come_weekly_through_induction_then_as_agreed():
    fortnightly = replace(
        full_case().agreement,
        discussion_frequency="fortnightly",
        discussion_custom=None,
        discussion_weekday=2,
    )
    _, blocks = case_card(full_case(agreement=fortnightly, induction_until=date(2027, 1, 6)))
    terms_line = section_texts(blocks)[1]
    assert "Discussions: weekly until 6 Jan 2027 (induction), then fortnightly on Wednesdays at 10:00" in (
        terms_line
    )
    _, after = case_card(full_case(agreement=fortnightly))
    assert "Discussions: fortnightly on Wednesdays at 10:00" in section_texts(after)[1]
    assert "induction" not in section_texts(after)[1]


def test_nothing_on_a_busy_card_reads_as_an_alarm_to_the_channel():
    """Due, under way, not held, missed, late summaries and past-due actions: facts, no warning sign."""
    due = (
        DueItem("discussion", AT, DUE_NOW),
        DueItem("supervision", AT, UNDER_WAY),
        DueItem("review", AT, NOT_HELD),
    )
    schedule = ScheduleView(AT, AT, (), due, (DueItem("discussion", AT, MISSED),))
    _, blocks = case_card(full_case(schedule=schedule))
    text = json.dumps(blocks)
    assert "Due now" in text and "Under way" in text and "Not held yet" in text and "*Not held:*" in text
    assert ":warning:" not in text and "Overdue" not in text and "Late" not in text


def test_the_help_names_every_subcommand():
    """A subcommand the help leaves out is one nobody finds (supervision and review were, once)."""
    named = {usage.split()[0] for usage, _what in HELP}
    assert named == {sub.value for sub in Sub}
