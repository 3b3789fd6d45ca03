"""The follow-up DM, its modals, the co-worker's notice and the card's record lines, as pure Block Kit."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime

from bot.cases.blocks import AgreementView, CaseView, MemberView, case_card
from bot.follow_ups.blocks import (
    DONE_SHOWN,
    TEXT_SHOWN,
    AnswerContext,
    FollowUpView,
    cannot_modal,
    cannot_notice,
    cannot_text,
    extend_modal,
    follow_up_message,
    read_due,
    read_reason,
)
from bot.follow_ups.blocks_card import (
    CARD_ACTIONS,
    CARD_OPEN_ACTIONS,
    CARD_SUMMARIES,
    CardNotes,
    OpenAction,
    OverdueAction,
    SummaryDue,
    card_lines,
)
from bot.follow_ups.rules import REASON_MAX
from bot.ids import ActionId, Block, CallbackId
from bot.kernel.rules_text import slack_escape
from bot.sandbox.validation import message_errors, view_errors

NOON = datetime(2026, 12, 3, 23, 0, tzinfo=UTC)  # Fri 4 Dec 12:00 in Auckland
HOSTILE = "Ring <!channel> & tell <@U0BAD> about <https://evil.example|this>"
VIEW = FollowUpView(
    action_id=7,
    round=2,
    reference="CASE-1",
    channel_id="CCASES01",
    note_number=3,
    number=1,
    text=HOSTILE,
    done_looks_like="School <confirms> attendance",
    due=date(2026, 12, 4),
    due_noon=NOON,
    overdue=False,
    recipient_id="UALEX001",
    owner_id="UALEX001",
)


def texts(blocks: list[dict]) -> str:
    found = []
    for block in blocks:
        if "text" in block:
            found.append(block["text"]["text"])
        found += [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return "\n".join(found)


def buttons(blocks: list[dict]) -> list[tuple[str, str]]:
    return [(e["action_id"], e["value"]) for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_the_dm_names_the_case_quotes_the_action_says_what_done_looks_like_and_when_it_is_due():
    fallback, blocks = follow_up_message(VIEW)
    body = texts(blocks)
    assert fallback == "An action on case CASE-1 is due"
    assert "Your action 1 of note 3 on case *CASE-1* is due today:" in body
    assert ">Ring &lt;!channel&gt; &amp; tell &lt;@U0BAD&gt; about &lt;https://evil.example|this&gt;" in body
    assert "*Done looks like:* School &lt;confirms&gt; attendance" in body
    assert "<#CCASES01>" in body


def test_nothing_a_person_typed_becomes_a_mention_a_link_or_a_channel_ping():
    blocks = follow_up_message(VIEW)[1] + cannot_notice(VIEW, actor_id="UALEX001", reason=HOSTILE)[1]
    raw = json.dumps(blocks)
    assert "<!channel>" not in raw and "<@U0BAD>" not in raw and "<https://" not in raw


def test_the_dm_buttons_carry_the_action_and_its_round():
    assert buttons(follow_up_message(VIEW)[1]) == [
        (ActionId.ACTION_DONE, "7:2"),
        (ActionId.ACTION_EXTEND, "7:2"),
        (ActionId.ACTION_CANNOT, "7:2"),
    ]


def test_a_late_dm_says_when_it_was_due_with_a_slack_date_that_falls_back_to_the_date():
    body = texts(follow_up_message(replace(VIEW, overdue=True))[1])
    assert f"was due <!date^{int(NOON.timestamp())}^{{date_short_pretty}}|2026-12-04>:" in body


def test_a_dm_carried_for_someone_says_whose_it_is():
    cover = replace(VIEW, recipient_id="UKIRI001", for_others=(("UALEX001", "cover"),))
    body = texts(follow_up_message(cover)[1])
    assert "You're covering for <@UALEX001> while they're away, so their action comes to you." in body
    assert "<@UALEX001>'s action 1 of note 3" in body
    gone = replace(VIEW, recipient_id="UMERE001", for_others=(("UALEX001", "deactivated"),))
    assert "Slack account is deactivated, so their action comes to you" in texts(follow_up_message(gone)[1])


def test_a_very_long_action_is_shortened_to_fit_a_section():
    long = replace(VIEW, text="word " * 2000, done_looks_like="done " * 1000)
    for block in follow_up_message(long)[1]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000


def test_need_more_time_is_a_modal_with_a_date_picker_and_ids_only_in_its_metadata():
    answer = AnswerContext(7, 2, "D123", "1.2")
    modal = extend_modal(VIEW, answer, initial=date(2026, 12, 11))
    assert modal["callback_id"] == CallbackId.ACTION_EXTEND
    (picker,) = [b for b in modal["blocks"] if b["type"] == "input"]
    assert picker["block_id"] == Block.ACTION_DUE
    assert picker["element"] == {
        "type": "datepicker",
        "initial_date": "2026-12-11",
        "placeholder": {"type": "plain_text", "text": "New due date", "emoji": True},
        "action_id": Block.ACTION_DUE,
    }
    assert AnswerContext.loads(modal["private_metadata"]) == answer
    assert HOSTILE not in modal["private_metadata"]


def test_cant_do_it_is_a_modal_with_a_required_reason_of_limited_length():
    modal = cannot_modal(VIEW, AnswerContext(7, 2))
    (reason,) = [b for b in modal["blocks"] if b["type"] == "input"]
    assert modal["callback_id"] == CallbackId.ACTION_CANNOT
    assert reason["block_id"] == Block.ACTION_REASON and reason["optional"] is False
    assert reason["element"]["max_length"] == REASON_MAX


def test_the_modal_answers_are_read_back():
    values = {
        Block.ACTION_DUE: {Block.ACTION_DUE: {"type": "datepicker", "selected_date": "2026-12-18"}},
        Block.ACTION_REASON: {Block.ACTION_REASON: {"type": "plain_text_input", "value": "  closed  "}},
    }
    assert read_due(values) == date(2026, 12, 18) and read_reason(values) == "closed"
    assert read_due({}) is None and read_reason({}) == ""
    assert AnswerContext.loads("not json") is None


def test_the_coworker_is_told_who_cant_do_which_action_and_why():
    fallback, blocks = cannot_notice(VIEW, actor_id="UALEX001", reason="The school is closed")
    body = texts(blocks)
    assert fallback == "An action on case CASE-1 can't be done"
    assert "<@UALEX001> can't do their action 1 of note 3 on case *CASE-1*" in body
    assert "*Why:* The school is closed" in body


def test_the_thread_note_names_who_was_told_and_never_the_reason():
    text = cannot_text("UALEX001", 1, 3, ("USAM0001",))
    assert text == ":raised_hand: <@UALEX001> can't do action 1 of note 3. <@USAM0001> has been told why."


# ---------------------------------------------------------------- the card

DUE = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)  # Thu 3 Dec 17:00 in Auckland


def test_the_card_says_who_records_next_and_each_summary_waiting_with_its_deadline_and_button():
    notes = CardNotes(
        next_recorders=("UALEX001",),
        summaries=(SummaryDue(4, ("USAM0001",), DUE, late=False),),
    )
    blocks = card_lines(notes)
    assert texts(blocks[:1]) == "Next discussion to be recorded by <@UALEX001>."
    assert blocks[1]["text"]["text"].startswith(":memo: *Summary to record:* <@USAM0001>, due by <!date^")
    assert blocks[1]["accessory"]["action_id"] == ActionId.SUMMARY_OPEN
    assert blocks[1]["accessory"]["value"] == "4"


def test_a_summary_past_its_deadline_says_when_it_was_due_without_a_threat():
    (line,) = card_lines(CardNotes(summaries=(SummaryDue(4, ("USAM0001", "UALEX001"), DUE, late=True),)))
    text = line["text"]["text"]
    assert text.startswith(":memo: *Summary to record:* <@USAM0001> or <@UALEX001>, was due by <!date^")
    assert "It stays on this card until it's recorded." in text
    assert "Late" not in text and "for the manager" not in text and ":warning:" not in text


def test_overdue_actions_show_owner_and_date_only():
    notes = CardNotes(
        overdue_actions=(
            OverdueAction("UALEX001", date(2026, 12, 4), NOON),
            OverdueAction(None, date(2026, 12, 5), NOON),
        )
    )
    (line,) = card_lines(notes)
    assert line["text"]["text"] == (
        ":pushpin: *Actions past their due date:*\n"
        f"• <@UALEX001>, due <!date^{int(NOON.timestamp())}^{{date_short_pretty}}|2026-12-04>\n"
        f"• no owner, due <!date^{int(NOON.timestamp())}^{{date_short_pretty}}|2026-12-05>"
    )


def test_many_summaries_and_actions_stay_within_the_cards_limits():
    notes = CardNotes(
        next_recorders=("UALEX001",),
        summaries=tuple(SummaryDue(i, ("USAM0001",), DUE, late=True) for i in range(20)),
        overdue_actions=tuple(OverdueAction("UALEX001", date(2026, 12, 4), NOON) for _ in range(200)),
        open_actions=tuple(OpenAction("USAM0001", date(2026, 12, 24), NOON) for _ in range(150)),
    )
    blocks = card_lines(notes)
    assert len(blocks) == 1 + CARD_SUMMARIES + 3
    assert texts(blocks[1 + CARD_SUMMARIES : 2 + CARD_SUMMARIES]) == (
        "+ 17 more summaries to record: `/case record` in this channel."
    )
    overdue = blocks[-2]["text"]["text"]
    assert overdue.count("• ") == CARD_ACTIONS
    assert overdue.endswith(f"+ {200 - CARD_ACTIONS} more: `/case overdue` lists them")
    upcoming = blocks[-1]["text"]["text"]
    assert upcoming.startswith(":ballot_box_with_check: *Open actions, not yet due:*\n")
    assert upcoming.count("• ") == CARD_OPEN_ACTIONS
    assert upcoming.endswith(f"+ {150 - CARD_OPEN_ACTIONS} more: `/case notes` has every action")
    card = case_card(card_view(notes))[1]
    assert len(card) <= 50 and all(len(b.get("text", {}).get("text", "")) <= 3000 for b in card)


def card_view(notes: CardNotes) -> CaseView:
    agreement = AgreementView(
        agreement_id=1,
        version=1,
        reasons=(),
        responsibilities={},
        discussion_frequency="weekly",
        discussion_custom=None,
        discussion_weekday=2,
        discussion_time="10:00",
        recorder="rotating",
        supervision_frequency="monthly",
        learning_goals=None,
        information_sharing=None,
        review_date=date(2027, 2, 24),
    )
    members = (MemberView("UALEX001", "lead", False, True), MemberView("USAM0001", "co_worker", True, True))
    return CaseView(1, "CASE-1", "open", "UMERE001", members, agreement, notes=notes)


def test_the_card_places_the_record_lines_before_its_buttons():
    blocks = case_card(card_view(CardNotes(next_recorders=("USAM0001",))))[1]
    assert texts([blocks[-2]]).startswith("Case status")
    assert texts([blocks[-3]]) == "Next discussion to be recorded by <@USAM0001>."
    assert texts(case_card(card_view(CardNotes()))[1]).count("recorded by") == 0


GROWING = "Ring <school> & <GP> && check " * 100  # 3,000 characters, about 6,000 once escaped
TEN_CARRIED = tuple((f"U{n:07d}", "cover" if n % 2 else "deactivated") for n in range(10))


def whole_escapes(text: str) -> bool:
    rest = re.sub(r"&(amp|lt|gt);", "", text)
    return "&" not in rest and "<" not in rest.replace("<!date^", "").replace("<@", "").replace("<#", "")


def test_an_action_full_of_ampersands_is_escaped_then_shortened_and_slack_accepts_the_dm():
    view = replace(VIEW, text=GROWING, done_looks_like=GROWING[: DONE_SHOWN * 2], for_others=TEN_CARRIED)
    _, blocks = follow_up_message(view)
    assert message_errors(blocks) == []
    body = texts([b for b in blocks if b["type"] == "section"])
    quoted = "\n".join(line for line in body.splitlines() if line.startswith(">"))
    assert len(quoted) <= TEXT_SHOWN and quoted.endswith("…") and whole_escapes(quoted)
    assert quoted.startswith(">Ring &lt;school&gt; &amp; &lt;GP&gt; &amp;&amp; check")
    done = next(line for line in body.splitlines() if line.startswith("*Done looks like:*"))
    assert len(done.removeprefix("*Done looks like:* ")) <= DONE_SHOWN and whole_escapes(done)


def test_an_action_of_many_lines_stays_within_its_share_of_the_dm():
    _, blocks = follow_up_message(replace(VIEW, text="&\n" * 1500))
    assert message_errors(blocks) == []
    quoted = [line for line in texts(blocks).splitlines() if line.startswith(">")]
    assert len("\n".join(quoted)) <= TEXT_SHOWN and quoted[-1].endswith("…")


def test_the_modals_and_the_coworkers_notice_fit_slack_at_the_extremes():
    view = replace(VIEW, text=GROWING, done_looks_like=GROWING, for_others=TEN_CARRIED)
    answer = AnswerContext(7, 2, "D123", "1.2")
    assert view_errors(extend_modal(view, answer, initial=date(2026, 12, 11))) == []
    assert view_errors(cannot_modal(view, answer)) == []
    reason = ("& <" * REASON_MAX)[:REASON_MAX]
    _, blocks = cannot_notice(view, actor_id="UALEX001", reason=reason, for_others=TEN_CARRIED)
    assert message_errors(blocks) == []
    assert slack_escape(reason) in texts(blocks).replace("\n", "")  # the reason in full, never cut
