"""The `/case overdue` text: grouped by case, a member's own items only, the rest counted past the limit."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.drift.blocks import NOTHING_MANAGER, NOTHING_MEMBER, heading, overdue_text
from bot.drift.rules import CaseDrift
from bot.drift.rules_facts import CaseFacts, Signal

NOW = datetime(2026, 12, 2, tzinfo=UTC)


def drift(n: int, *signals: Signal, link: str | None = None) -> CaseDrift:
    facts = CaseFacts(n, f"CASE-<{n}>", "C1", link, "UM", ("UA", "UB"), (), NOW, date(2027, 1, 1))
    return CaseDrift(facts, signals)


ACTION_A = Signal("action_overdue", 2, "Action 1 of note 1 (<@UA>) overdue by 2 days", owner_id="UA")
ACTION_B = Signal("action_overdue", 2, "Action 2 of note 1 (<@UB>) overdue by 2 days", owner_id="UB")
REVIEW = Signal("review_past", 2, "Agreement review 3 days past its date")


def test_heading_escapes_the_reference_and_links_the_thread():
    assert heading(drift(1, link="https://x/p1").facts) == "*CASE-&lt;1&gt;* in <#C1> (<https://x/p1|thread>)"
    assert heading(drift(1).facts) == "*CASE-&lt;1&gt;* in <#C1>"


def test_a_manager_sees_every_signal_and_a_member_only_their_own():
    found = [drift(1, ACTION_A, ACTION_B, REVIEW), drift(2)]
    assert overdue_text(found, user_id="UM", manager=True).split("\n") == [
        "*Overdue and drifting across your cases*",
        "",
        "*CASE-&lt;1&gt;* in <#C1>",
        f"• {ACTION_A.reason}",
        f"• {ACTION_B.reason}",
        f"• {REVIEW.reason}",
    ]
    assert overdue_text(found, user_id="UA", manager=False).split("\n")[2:] == [
        "*CASE-&lt;1&gt;* in <#C1>",
        f"• {ACTION_A.reason}",
    ]
    assert overdue_text([drift(2)], user_id="UM", manager=True) == NOTHING_MANAGER
    assert overdue_text([drift(1, REVIEW)], user_id="UA", manager=False) == NOTHING_MEMBER


def test_past_the_limit_the_rest_are_counted_not_cut():
    found = [drift(n, ACTION_A, REVIEW) for n in range(200)]
    text = overdue_text(found, user_id="UM", manager=True)
    assert len(text) <= 12_000
    shown = text.count("in <#C1>")
    assert text.endswith(f"+ {200 - shown} more cases with something overdue not shown here.")
    assert 50 < shown < 200
