"""The summary form and the thread's confirmation, as pure Block Kit."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.kernel.blocks import section
from bot.notes.blocks import (
    ACTION_ROWS,
    DONE_MAX,
    KEEP,
    KEEP_LABEL,
    ActionRow,
    SavedView,
    SummaryContext,
    read_summary,
    saved_text,
    summary_modal,
)
from bot.notes.blocks_sharing import sharing_block
from bot.notes.rules import ActionText
from bot.notes.rules_drafting import Item, QuestionAsked, Reply, draft
from bot.notes.rules_sharing import parse_shared
from bot.sandbox.validation import message_errors, view_errors
from tests.notes.test_rules_drafting import AUCKLAND, NAMES, RENDER, facts

NEXT = datetime(2026, 12, 16, 21, 0, tzinfo=UTC)


def view(decisions=(), actions=()) -> SavedView:
    return SavedView(3, "UALEX001", tuple(decisions), tuple(actions), NEXT)


def action(n: int, text: str = "Ring the school") -> ActionText:
    return ActionText(n, text, "USAM0001", date(2026, 12, 4), None)


def test_the_confirmation_names_the_note_decisions_actions_and_next_discussion():
    text = saved_text(view(["Keep the weekend plan"], [action(1)]))
    assert "*note 3*" in text and "Keep the weekend plan" in text
    assert "Ring the school (<@USAM0001>, by Fri 4 Dec 2026)" in text
    assert "Next discussion: <!date^" in text


def test_user_text_in_the_confirmation_is_escaped():
    text = saved_text(view(["Tell <!channel> & mum"], [action(1, "<@U999> call")]))
    assert "<!channel>" not in text and "&lt;!channel&gt; &amp; mum" in text
    assert "<@U999>" not in text


@given(
    st.lists(st.text(alphabet="&<>ab ", min_size=1, max_size=400), max_size=30),
    st.lists(st.text(alphabet="&<>ab ", min_size=1, max_size=400), max_size=30),
)
def test_the_confirmation_always_fits_one_section_block(decisions, actions):
    text = saved_text(view(decisions, [action(n, t) for n, t in enumerate(actions, start=1)]))
    assert len(text) <= 3000
    assert text.endswith("`/case notes`.")


def test_many_long_actions_are_counted_not_dropped_silently():
    text = saved_text(view([], [action(n, "&" * 150) for n in range(1, 21)]))
    assert len(text) <= 3000 and "more in the note" in text


def test_the_form_context_round_trips_and_refuses_garbage():
    assert SummaryContext.loads(SummaryContext(4, 9).dumps()) == SummaryContext(4, 9)
    assert SummaryContext.loads(SummaryContext(4, None).dumps()) == SummaryContext(4, None)
    assert SummaryContext.loads("not json") is None and SummaryContext.loads(None) is None


def test_reading_the_form_drops_empty_action_rows_and_keeps_everything_typed():
    values = {
        "sec_happened": {"sec_happened": {"type": "plain_text_input", "value": "  We met.  "}},
        "act_1_text": {"act_1_text": {"type": "plain_text_input", "value": "Ring the school"}},
        "act_1_owner": {"act_1_owner": {"type": "users_select", "selected_user": "USAM0001"}},
        "act_1_due": {"act_1_due": {"type": "datepicker", "selected_date": "2026-12-04"}},
        "act_2_text": {"act_2_text": {"type": "plain_text_input", "value": None}},
        "act_2_owner": {"act_2_owner": {"type": "users_select", "selected_user": None}},
        "keep_checked": {"keep_checked": {"type": "checkboxes", "selected_options": [{"value": "keep"}]}},
    }
    form = read_summary(values)
    assert form.sections == {"happened": "We met."}
    assert [(n, r.text, r.owner_id, r.due) for n, r in form.actions] == [
        (1, "Ring the school", "USAM0001", date(2026, 12, 4))
    ]
    assert form.keep is True


def test_the_keep_option_fits_slacks_75_characters_and_reads_kindly():
    assert len(KEEP_LABEL) <= 75
    assert KEEP_LABEL.startswith("Keep the wording a check warned about")


def test_the_summary_form_of_a_10000_message_discussion_with_200_actions_is_one_slack_accepts():
    replies = tuple(Reply("U1SAM", f"Reply {n}: mum & dad <both> agreed " * 3) for n in range(10_000))
    asked = (QuestionAsked("Clarifying", "What did we each see?", replies),)
    items = tuple(
        Item("action", "Ring the school & <the GP> " * 100, "U1SAM", ("U2ALEX",), date(2026, 12, 18))
        for _ in range(200)
    )
    drafted = draft(facts(questions=asked, items=items), names=NAMES, tz=AUCKLAND, render=RENDER)
    rows = [ActionRow("x" * 3000, "U2ALEX", date(2026, 12, 18), "y" * DONE_MAX) for _ in range(200)]
    long_names = {f"U{n:07d}": "Someone with a long name (a long role) " * 3 for n in range(60)}
    sharing = [parse_shared("records with the school, so they can plan, consent given " * 30)] * 50
    view = summary_modal(
        reference="CASE-2026-014",
        draft=drafted,
        actions=rows,
        more_actions=200 - ACTION_ROWS,
        context_=SummaryContext(4, 9, long_names),
        offline_day=date(2026, 12, 15),
        retention_days=90,
        sharing=sharing,
    )
    assert view_errors(view) == []
    assert len(view["blocks"]) <= 100
    keep = view["blocks"][-1]["element"]["options"][0]
    assert keep == {"text": {"type": "plain_text", "text": KEEP_LABEL, "emoji": True}, "value": KEEP}


def test_the_confirmation_of_200_long_actions_and_decisions_is_a_message_slack_accepts():
    text = saved_text(view(["& <" * 1000] * 200, [action(n, "& <" * 1000) for n in range(1, 201)]))
    assert message_errors([section(text)]) == []
    assert "• … and 195 more in the note" in text and text.count("more in the note") == 2


def test_each_marked_sharing_decision_is_a_row_of_fields_read_back_as_typed():
    drafted = draft(facts(), names=NAMES, tz=AUCKLAND, render=RENDER)
    entry = parse_shared("the plan with the school, so they can support her, consent given, decided by @Mere")
    view = summary_modal(
        reference="CASE-2026-014",
        draft=drafted,
        actions=[],
        more_actions=0,
        context_=SummaryContext(4, 9, {"U1SAM": "Sam Taylor"}),
        offline_day=None,
        retention_days=90,
        sharing=[entry],
    )
    assert view_errors(view) == []
    ids = [b.get("block_id") for b in view["blocks"]]
    # the rows follow the Information sharing box: the marked decision, then a blank one
    assert ids.index(sharing_block(1, "what")) == ids.index("sec_sharing") + 1
    assert sharing_block(2, "decided_by") in ids and sharing_block(3, "what") not in ids
    consent = next(b for b in view["blocks"] if b.get("block_id") == sharing_block(1, "consent"))
    assert consent["element"]["initial_option"]["value"] == "given"
    values = {
        sharing_block(1, "what"): {sharing_block(1, "what"): {"value": " the plan "}},
        sharing_block(1, "with_whom"): {sharing_block(1, "with_whom"): {"value": "the school"}},
        sharing_block(1, "consent"): {
            sharing_block(1, "consent"): {"selected_option": {"value": "not_sought"}}
        },
        sharing_block(2, "what"): {sharing_block(2, "what"): {"value": ""}},
    }
    submitted = read_summary(values)
    assert submitted.sharing == (
        (
            1,
            {
                "what": "the plan",
                "with_whom": "the school",
                "why": "",
                "basis": "",
                "consent": "not_sought",
                "decided_by": "",
            },
        ),
    )
    assert SummaryContext.loads(view["private_metadata"]) == SummaryContext(4, 9, {"U1SAM": "Sam Taylor"})
