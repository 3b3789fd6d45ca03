"""The closing review's rules: what must be answered, each open action settled, and stale forms."""

from __future__ import annotations

from datetime import date

from bot.closing import rules
from bot.closing.rules import ActionChoice, CloseForm, OpenAction

ANSWERS = {"changed": "Settled at school.", "learned": "Joint visits early.", "continues": "School support."}


def form(**actions: ActionChoice) -> CloseForm:
    return CloseForm(answers=ANSWERS, holder=None, actions={int(k[1:]): v for k, v in actions.items()})


def test_a_complete_form_has_no_problems():
    done = form(a1=ActionChoice("completed"), a2=ActionChoice("handed_over", to="U2"))
    assert rules.problems(done, [1, 2]) == {}


def test_each_question_must_be_answered():
    empty = CloseForm(answers={"changed": " ", "learned": "", "continues": "x"}, holder=None)
    assert rules.problems(empty, []) == {"changed": rules.NEED_ANSWER, "learned": rules.NEED_ANSWER}


def test_every_open_action_needs_an_outcome_whom_or_reason_field_by_field():
    found = rules.problems(
        form(a1=ActionChoice(None), a2=ActionChoice("handed_over"), a3=ActionChoice("dropped", reason=" ")),
        [1, 2, 3, 4],
    )
    assert found == {
        "a1_outcome": rules.NEED_OUTCOME,
        "a2_to": rules.NEED_WHOM,
        "a3_reason": rules.NEED_REASON,
        "a4_outcome": rules.NEED_OUTCOME,
    }


def test_over_long_text_is_refused_not_cut():
    long = CloseForm(answers={**ANSWERS, "learned": "x" * (rules.MAX_TEXT + 1)}, holder=None)
    assert rules.problems(long, []) == {"learned": rules.TOO_LONG}


def test_the_stamp_changes_with_any_open_action_or_the_agreement_version():
    base = rules.stamp([(1, 1), (2, 1)], 1)
    assert base == rules.stamp([(2, 1), (1, 1)], 1), "order does not matter"
    assert base != rules.stamp([(1, 1), (2, 2)], 1)
    assert base != rules.stamp([(1, 1)], 1)
    assert base != rules.stamp([(1, 1), (2, 1)], 2)


def test_each_action_s_end_is_worded_for_the_note_and_its_status():
    action = OpenAction(7, 3, 1, "Ring the school", "U1", date(2026, 12, 4))
    assert rules.action_line(action, ActionChoice("completed")) == "• 3.1 Ring the school: completed"
    handed = ActionChoice("handed_over", to="U9")
    assert rules.action_line(action, handed) == "• 3.1 Ring the school: handed over to <@U9>"
    assert rules.status_reason(handed) == "Handed over to <@U9> at the case's close"
    dropped = ActionChoice("dropped", reason="no longer needed")
    assert rules.action_line(action, dropped).endswith("dropped, no longer needed")
    assert rules.status_reason(dropped) == "Dropped at the case's close: no longer needed"
    assert rules.STATUS == {"completed": "done", "handed_over": "handed_over", "dropped": "dropped"}


def test_the_thread_summary_names_the_note_and_what_was_cancelled():
    line = rules.thread_summary("CASE-1", "UM", 4, 3)
    assert "note 4" in line and "3 planned reminders cancelled" in line and "<@UM>" in line
    assert "cancelled" not in rules.thread_summary("CASE-1", "UM", 4, 0)
