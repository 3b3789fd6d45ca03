"""Drift signals as Slack text (PURE): the `/case overdue` answer and a case's one-line heading."""

from __future__ import annotations

from bot.drift.rules import CaseDrift
from bot.drift.rules_facts import CaseFacts, Signal
from bot.kernel.blocks_limits import MESSAGE_TEXT
from bot.kernel.rules_text import slack_escape

# Kinds a co-worker answers for: their own actions, and the case's discussions and summaries.
MEMBER_KINDS = frozenset({"discussion_late", "note_missing"})
NOTHING_MANAGER = "Nothing overdue across your cases. :tada:"
NOTHING_MEMBER = "Nothing of yours is overdue."
ANSWER_LIMIT = 12_000  # well inside a message's 40,000 characters, and still readable


def heading(facts: CaseFacts) -> str:
    thread = f" (<{facts.link}|thread>)" if facts.link else ""
    return f"*{slack_escape(facts.reference)}* in <#{facts.channel_id}>{thread}"


def mine(drift: CaseDrift, user_id: str) -> tuple[Signal, ...]:
    """A member's own: actions they own, and the case's late discussions and summaries."""
    return tuple(
        s
        for s in drift.signals
        if (s.kind == "action_overdue" and s.owner_id == user_id) or s.kind in MEMBER_KINDS
    )


def overdue_text(drifts: list[CaseDrift], *, user_id: str, manager: bool, limit: int = ANSWER_LIMIT) -> str:
    """Grouped by case, most in need of attention first; past `limit` the rest are counted, never cut."""
    assert limit <= MESSAGE_TEXT
    shown = [(d, d.signals if manager else mine(d, user_id)) for d in drifts]
    shown = [(d, found) for d, found in shown if found]
    if not shown:
        return NOTHING_MANAGER if manager else NOTHING_MEMBER
    title = "*Overdue and drifting across your cases*" if manager else "*Your overdue items*"
    parts = [title]
    used = len(title)
    for n, (drift, found) in enumerate(shown):
        block = "\n".join([heading(drift.facts), *(f"• {s.reason}" for s in found)])
        rest = len(shown) - n
        if used + len(block) + 200 > limit:
            parts.append(
                f"+ {rest} more case{'' if rest == 1 else 's'} with something overdue not shown here."
            )
            break
        parts.append(block)
        used += len(block) + 2
    return "\n\n".join(parts)
