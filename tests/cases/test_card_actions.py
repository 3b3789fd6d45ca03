"""The case card lists every open action with its owner and date (those past their date first, the rest
after), and offers *Write the summary* for every summary waiting, in Slack and as pure Block Kit."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.follow_ups.blocks_card import (
    CARD_OPEN_ACTIONS,
    CARD_SUMMARIES,
    CardNotes,
    OpenAction,
    OverdueAction,
    SummaryDue,
    card_lines,
)
from bot.ids import ActionId
from bot.outbox import delivery
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD
from storage import repository as repo
from storage.models import Case
from tests.follow_up_builder import Wanted, add_actions
from tests.journey import open_case
from tests.reminder_steps import body

NOON = datetime(2026, 12, 16, 23, 0, tzinfo=UTC)  # Thu 17 Dec, midday in Auckland


def texts(blocks: list[dict]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section"]


def test_actions_not_yet_due_and_undated_ones_are_listed_after_the_overdue_ones():
    notes = CardNotes(
        overdue_actions=(OverdueAction("UALEX001", date(2026, 12, 4), NOON),),
        open_actions=(OpenAction("USAM0001", date(2026, 12, 17), NOON), OpenAction(None, None, None)),
    )
    overdue, rest = texts(card_lines(notes))
    assert overdue.startswith(":pushpin: *Actions past their due date:*\n• <@UALEX001>, due <!date^")
    assert rest == (
        ":ballot_box_with_check: *Open actions, not yet due:*\n"
        f"• <@USAM0001>, due <!date^{int(NOON.timestamp())}^{{date_short_pretty}}|2026-12-17>\n"
        "• no owner, no due date"
    )


def test_with_nothing_overdue_the_open_actions_are_listed_alone():
    (line,) = texts(card_lines(CardNotes(open_actions=(OpenAction("USAM0001", None, None),))))
    assert line == ":ballot_box_with_check: *Open actions, not yet due:*\n• <@USAM0001>, no due date"
    assert card_lines(CardNotes()) == []


def test_past_the_cap_the_rest_are_counted_and_pointed_at_never_dropped():
    for count in (CARD_OPEN_ACTIONS, CARD_OPEN_ACTIONS + 1):
        (line,) = texts(card_lines(CardNotes(open_actions=(OpenAction("U1", None, None),) * count)))
        assert line.count("• ") == CARD_OPEN_ACTIONS
        assert ("+ 1 more: `/case notes` has every action" in line) == (count > CARD_OPEN_ACTIONS)


def test_every_summary_waiting_has_a_button_or_a_line_saying_how_to_record_it():
    for count in (1, CARD_SUMMARIES, CARD_SUMMARIES + 1):
        notes = CardNotes(summaries=tuple(SummaryDue(n, ("U1",), None, late=False) for n in range(count)))
        blocks = card_lines(notes)
        buttons = [b["accessory"]["action_id"] for b in blocks if "accessory" in b]
        assert buttons == [ActionId.SUMMARY_OPEN] * min(count, CARD_SUMMARIES)
        more = [b for b in blocks if b["type"] == "context"]
        assert len(more) == (count > CARD_SUMMARIES)
        if more:
            assert (
                more[0]["elements"][0]["text"]
                == "+ 1 more summary to record: `/case record` in this channel."
            )


def test_the_card_in_slack_lists_each_open_action_with_its_owner_and_date(http_sandbox):
    box = http_sandbox
    open_case(box)  # Wed 25 Nov 2026
    add_actions(
        box,
        Wanted(LEAD, due=date(2026, 11, 20)),  # past its date
        Wanted(DEVELOPING, due=date(2026, 12, 18)),
        Wanted(LEAD, due=None),
    )
    with box.deps.sessions.begin() as session:
        case = session.scalars(select(Case)).one()
        repo.enqueue_card_update(session, case=case, now=box.deps.clock())
    delivery.deliver_due(box.deps)
    (card,) = box.emu.messages(CASE_CHANNEL)
    shown = body(card)
    assert f":pushpin: *Actions past their due date:*\n• <@{LEAD}>, due <!date^" in shown
    assert "|2026-11-20>" in shown
    assert (
        f"*Open actions, not yet due:*\n• <@{DEVELOPING}>, due <!date^" in shown and "|2026-12-18>" in shown
    )
    assert f"• <@{LEAD}>, no due date" in shown
    assert "Ring the school" not in shown  # owners and dates only: the text stays in the note
