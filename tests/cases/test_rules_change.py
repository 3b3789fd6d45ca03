"""Pure rules and blocks of changing the agreement: who leaves and joins, what changed, what must be
answered, the decision note's text, and the change form as Slack accepts it."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bot.cases import rules_change as rules
from bot.cases.blocks_change import agreement_answer, change_modal, read_change, read_metadata
from bot.cases.rules_agreements import AgreementForm
from bot.ids import ActionId, Block, CallbackId
from bot.sandbox.validation import message_errors, view_errors

A, B, C, M = "UA000001", "UB000001", "UC000001", "UMANAGER"
FORM = AgreementForm(
    reference="CASE-1",
    coworkers=(A, B),
    lead=A,
    developing=(B,),
    reasons=("learning",),
    discussion_frequency="fortnightly",
    review_date=date(2027, 3, 1),
)


def _membership(coworkers, lead=None, developing=()):
    return rules.Membership(tuple(coworkers), lead, tuple(developing))


def test_moves_name_who_leaves_and_who_joins_in_order():
    moved = rules.moves(_membership([A, B]), _membership([A, C]))
    assert moved == rules.Moves(leaving=(B,), joining=(C,))
    assert rules.moves(_membership([A, B]), _membership([B, A])) == rules.Moves((), ())


@given(
    st.lists(st.sampled_from([A, B, C, M]), unique=True), st.lists(st.sampled_from([A, B, C, M]), unique=True)
)
def test_moves_partition_the_difference(before, after):
    moved = rules.moves(_membership(before), _membership(after))
    assert set(moved.leaving) == set(before) - set(after)
    assert set(moved.joining) == set(after) - set(before)


def test_changed_lists_what_differs_and_ignores_order():
    before = rules.as_terms(FORM)
    assert rules.changed(before, rules.as_terms(FORM)) == ()
    reordered = AgreementForm(**{**FORM.__dict__, "coworkers": (B, A)})
    assert rules.changed(before, rules.as_terms(reordered)) == ()
    weekly = AgreementForm(**{**FORM.__dict__, "discussion_frequency": "weekly", "coworkers": (A, C)})
    assert rules.changed(before, rules.as_terms(weekly)) == ("coworkers", "discussion_frequency")


def test_a_change_needs_a_reason_something_changed_and_an_owner_for_the_leavers_actions():
    problems = rules.change_problems(
        reason=" ",
        reassign_to=None,
        leaving_with_items={B: 2},
        coworkers=[A, C],
        manager_id=M,
        what_changed=("coworkers",),
    )
    assert problems[rules.REASON_BLOCK] == rules.NO_REASON
    assert f"<@{B}> (2)" in problems[rules.REASSIGN_BLOCK]
    assert rules.change_problems(
        reason="Why", reassign_to=None, leaving_with_items={}, coworkers=[A], manager_id=M, what_changed=()
    ) == {rules.REASON_BLOCK: rules.NO_CHANGE}
    stray = rules.change_problems(
        reason="Why",
        reassign_to=B,
        leaving_with_items={B: 1},
        coworkers=[A, C],
        manager_id=M,
        what_changed=("x",),
    )
    assert "who stay" in stray[rules.REASSIGN_BLOCK]
    for taker in (A, M):  # a co-worker who stays, or the manager
        assert not rules.change_problems(
            reason="Why",
            reassign_to=taker,
            leaving_with_items={B: 1},
            coworkers=[A, C],
            manager_id=M,
            what_changed=("coworkers",),
        )
    # a leaver without open actions needs nobody to take over
    assert not rules.change_problems(
        reason="Why",
        reassign_to=None,
        leaving_with_items={B: 0},
        coworkers=[A, C],
        manager_id=M,
        what_changed=("x",),
    )


def test_the_note_gives_the_reason_what_changed_and_the_terms_without_slack_ids():
    moved = rules.Moves(leaving=(B,), joining=(C,))
    sections = rules.note_sections(
        FORM,
        version=2,
        reason="Court phase",
        what_changed=("discussion_frequency",),
        moved=moved,
        reassigned_to=A,
    )
    keys = [key for key, _title, _text in sections]
    assert keys == ["reason", "changed", "membership", "terms"]
    text = json.dumps(sections)
    assert "Court phase" in text and "Reflective discussions" in text and "Leaving the case: 1" in text
    assert "Agreement, version 2" in text and "Review on: 01 March 2027" in text
    assert A not in text and B not in text and C not in text
    first = rules.note_sections(FORM, version=1, reason=rules.FIRST_REASON)
    assert [key for key, _t, _x in first] == ["reason", "terms"]


def test_the_thread_line_says_what_changed_and_asks_for_confirmation():
    line = rules.summary(
        version=3, what_changed=("supervision_frequency",), moved=rules.Moves((B,), ()), reassigned_to=A
    )
    assert line.startswith("The co-working agreement is now version 3.")
    assert "Joint supervision" in line and f"Leaving the case: <@{B}>" in line and f"<@{A}>" in line
    assert line.endswith("please read the new version below and confirm it.")


def test_the_change_form_is_the_agreement_form_with_a_reason_and_a_taker_and_slack_accepts_it():
    view = change_modal(reference="CASE-1 & <x>", case_id=7, version=2, form=FORM, today=date(2026, 12, 1))
    assert view_errors(view) == []
    assert view["callback_id"] == CallbackId.AGREEMENT_CHANGE
    assert read_metadata(view["private_metadata"]) == (7, 2)
    ids = [b.get("block_id") for b in view["blocks"]]
    assert Block.REFERENCE not in ids and rules.REASON_BLOCK in ids and rules.REASSIGN_BLOCK in ids
    assert "CASE-1 &amp; &lt;x&gt;" in json.dumps(view["blocks"])  # escaped
    coworkers = next(b for b in view["blocks"] if b.get("block_id") == Block.COWORKERS)
    assert coworkers["element"]["initial_users"] == [A, B]


def test_reading_the_change_and_a_form_we_did_not_build():
    values = {
        rules.REASON_BLOCK: {rules.REASON_BLOCK: {"type": "plain_text_input", "value": "  Court  "}},
        rules.REASSIGN_BLOCK: {rules.REASSIGN_BLOCK: {"type": "users_select", "selected_user": A}},
    }
    assert read_change(values) == ("Court", A)
    assert read_change({}) == ("", None)
    for raw in (None, "", "{}", '{"case_id": "x", "version": 1}', "[1]"):
        assert read_metadata(raw) is None


def test_the_answer_shows_who_confirmed_and_change_only_when_allowed():
    shown = agreement_answer([], case_id=3, confirmed=[A], waiting=[B], may_change=False)
    assert message_errors(shown) == []
    assert f"<@{A}> :white_check_mark:" in json.dumps(shown) and f"<@{B}> not yet" in json.dumps(shown)
    assert ActionId.AGREEMENT_CHANGE not in json.dumps(shown)
    assert ActionId.AGREEMENT_CHANGE in json.dumps(
        agreement_answer([], case_id=3, confirmed=[], waiting=[], may_change=True)
    )
