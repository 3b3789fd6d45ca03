"""Differences of view: what resolving or escalating needs, and which are still open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.capture import rules_differences as rules
from bot.capture.rules_differences import DifferenceForm, Marked

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def test_resolved_needs_how_and_escalated_needs_whom():
    assert rules.problems(DifferenceForm(None, "", None)) == {"outcome": rules.NEED_OUTCOME}
    assert rules.problems(DifferenceForm("resolved", " ", None)) == {"how": rules.NEED_HOW}
    assert rules.problems(DifferenceForm("escalated", "why", None)) == {"to": rules.NEED_WHOM}
    assert rules.problems(DifferenceForm("resolved", "Agreed a stepped plan", None)) == {}
    assert rules.problems(DifferenceForm("escalated", "", "U9")) == {}
    assert rules.problems(DifferenceForm("resolved", "x" * (rules.MAX_HOW + 1), None)) == {
        "how": rules.TOO_LONG
    }


def test_open_means_neither_resolved_nor_escalated_and_the_newest_mark_wins():
    marks = [
        Marked(2, "escalated", T0),
        Marked(2, "resolved", T0 + timedelta(days=1)),
        Marked(3, "resolved", T0),
    ]
    assert rules.open_ids([1, 2, 3, 4], marks) == [1, 4]
    assert rules.latest(marks)[2].outcome == "resolved"


def test_the_thread_line_names_who_and_whom_but_never_the_words():
    assert (
        rules.thread_line("C-1", "UA", "resolved", None)
        == "<@UA> marked a difference of view on case C-1 resolved."
    )
    assert "<@U9>" in rules.thread_line("C-1", "UA", "escalated", "U9")
