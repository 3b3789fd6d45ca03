"""Fitting a draft's section into Slack's text box: render it whole, and if it is too long condense it
in steps until it fits, never leaving anything out without a line saying so (see rules_drafting). Pure."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bot.kernel.blocks_limits import slack_length
from bot.notes.rules_drafting_facts import MAX_FIELD, TEMPLATE, Render, Section
from bot.notes.rules_drafting_sections import Content


@dataclass(frozen=True)
class Plan:
    short: bool = False  # replies to a first sentence; question and item texts clipped
    replies: int | None = None  # how many replies to show in all, newest first, spread over questions
    questions: int | None = None  # how many questions to show, first first
    items: int | None = None  # how many items to show, first first


def _fits(text: str) -> bool:
    return slack_length(text) <= MAX_FIELD


def fit(key_title: tuple[str, str], content: Content, render: Render) -> Section:
    key, title = key_title
    cache: dict[Plan, str] = {}

    def build(plan: Plan) -> str:
        if plan not in cache:
            cache[plan] = build_section(key, content, plan, render)
        return cache[plan]

    full = build(Plan())
    if _fits(full):
        return Section(key, title, full, False, len(full))
    return Section(key, title, _condense(build, content), True, len(full))


def _condense(build: Callable[[Plan], str], content: Content) -> str:
    """The first plan that fits: shorter texts, then fewer replies, fewer questions, fewer items."""
    plan = Plan(short=True)
    steps = (
        ("replies", sum(len(q.replies) for q in content.questions)),
        ("questions", len(content.questions)),
        ("items", len(content.entries)),
    )
    for name, total in steps:
        if _fits(build(plan)):
            return build(plan)
        if total:
            plan = _fewest_dropped(build, plan, name, total)
    text = build(plan)
    return text if _fits(text) else _cut(text)


def _fewest_dropped(build: Callable[[Plan], str], plan: Plan, name: str, total: int) -> Plan:
    """`plan` showing as many of `name` as fit (all `total` are known not to), or none."""
    best = _largest(total - 1, lambda n: _fits(build(_showing(plan, name, n))))
    return _showing(plan, name, best or 0)


def _showing(plan: Plan, name: str, count: int) -> Plan:
    """`plan` showing `count` of `name`: "replies", "questions" or "items"."""
    if name == "replies":
        return replace(plan, replies=count)
    if name == "questions":
        return replace(plan, questions=count)
    if name == "items":
        return replace(plan, items=count)
    raise ValueError(f"Unknown plan count {name!r}.")


def _largest(high: int, ok: Callable[[int], bool]) -> int | None:
    """The largest n in 0..high with ok(n), for ok true up to some n and false after; None if ok(0) fails."""
    low, best = 0, None
    while low <= high:
        middle = (low + high) // 2
        if ok(middle):
            best, low = middle, middle + 1
        else:
            high = middle - 1
    return best


_MORE = "(… the rest is in the full capture)"


def _cut(text: str) -> str:
    """Last resort (a template longer than the limit on its own): whole lines, then a whole word."""
    kept: list[str] = []
    for line in text.split("\n"):
        if not _fits("\n".join([*kept, line, _MORE])):
            break
        kept.append(line)
    if not kept:
        words = text.split(" ")
        while words and not _fits(" ".join(words) + " " + _MORE):
            words.pop()
        return " ".join([*words, _MORE]).strip()
    return "\n".join([*kept, _MORE])


def _spread(counts: Sequence[int], total: int) -> list[int]:
    """`total` replies shared out over questions holding `counts`: evenly, earlier questions first."""
    shown = [0] * len(counts)
    left = min(total, sum(counts))
    while left:
        for i, count in enumerate(counts):
            if left and shown[i] < count:
                shown[i] += 1
                left -= 1
    return shown


def build_section(key: str, content: Content, plan: Plan, render: Render) -> str:
    questions = content.questions if plan.questions is None else content.questions[: plan.questions]
    hidden = content.questions[len(questions) :]
    counts = [len(q.replies) for q in questions]
    shown = counts if plan.replies is None else _spread(counts, plan.replies)
    entries = content.entries if plan.items is None else content.entries[: plan.items]
    context = {
        **content.common,
        "section": key,
        "questions": [
            {
                "heading": q.heading,
                "text": q.short if plan.short else q.full,
                "replies": [
                    {"who": r.who, "text": r.short if plan.short else r.full}
                    for r in q.replies[len(q.replies) - n :]  # the newest n
                ],
                "more_replies": len(q.replies) - n,
            }
            for q, n in zip(questions, shown, strict=True)
        ],
        "more_questions": len(hidden),
        "more_question_replies": sum(len(q.replies) for q in hidden),
        "items": [
            {
                "text": e.short if plan.short else e.full,
                "by": e.by,
                "owners": list(e.owners),
                "due": e.due,
                "kind": e.kind,
            }
            for e in entries
        ],
        "more_items": len(content.entries) - len(entries),
    }
    return _tidy(render(TEMPLATE, context))


def _tidy(text: str) -> str:
    """No trailing spaces and at most one blank line in a row, whatever the template's whitespace."""
    lines = [line.rstrip() for line in text.strip().split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
