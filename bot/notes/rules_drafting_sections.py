"""What goes where in a draft: each question with its replies, each marked item, the scales, the
focus and the next date, sorted into the draft's sections (see rules_drafting). Pure.

A reply's marked lines (and a whole message marked by a reaction) are drafted as items in their own
sections, never again under the question they answered. What is left of replies to a question with no
lens is pre-sorted under "What happened" into observed, reported (with its source) and views (whose),
for the recorder to confirm; a question with a lens keeps its replies together in that lens's section.
Every question asked is listed once, under the purpose. People are named by their short name ("@Sam"),
and their case role is given once, in the participants."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from bot.capture.rules import Kind
from bot.notes import rules_drafting_sorting as sorting
from bot.notes import rules_drafting_texts as texts
from bot.notes.rules_drafting_facts import (
    ITEM_CHARS,
    QUESTION_CHARS,
    SECTION_FOR_KIND,
    SECTION_FOR_LENS,
    SECTIONS,
    DiscussionFacts,
)


@dataclass(frozen=True)
class _Line:
    who: str
    full: str
    short: str


@dataclass(frozen=True)
class _Question:
    heading: str
    full: str
    short: str
    replies: tuple[_Line, ...]


@dataclass(frozen=True)
class _Entry:
    full: str
    short: str
    by: str
    owners: tuple[str, ...]
    due: str | None
    kind: str = ""


# The groups of "What happened", in order: (sort, heading).
GROUPS: tuple[tuple[sorting.Sort, str], ...] = (
    ("observed", "Observed first-hand"),
    ("reported", "Reported, and who told us"),
    ("view", "Views, and whose"),
    ("unsorted", "To sort (observed, reported or a view?)"),
)


@dataclass(frozen=True)
class Content:
    common: Mapping[str, Any]  # the same for every section
    questions: tuple[_Question, ...] = ()
    entries: tuple[_Entry, ...] = ()
    extra: bool = False  # something besides questions and items (a focus, a scale, a date)

    @property
    def has_content(self) -> bool:
        return bool(self.questions or self.entries or self.extra)


def section_contents(
    facts: DiscussionFacts, names: Mapping[str, str], tz: tzinfo
) -> tuple[Content, dict[str, Content]]:
    if facts.started_at.tzinfo is None or (facts.ended_at and facts.ended_at.tzinfo is None):
        raise ValueError("discussion times must be aware datetimes")

    full_names = names
    names = {user: texts.short_name(name) for user, name in names.items()}

    def who(user_id: str) -> str:
        return "@" + (names.get(user_id) or user_id)

    def line(author_id: str, raw: str, label: str = "") -> _Line:
        return _Line(
            who(author_id) + label, texts.plain(raw, names), texts.plain(texts.first_sentence(raw), names)
        )

    questions: dict[str, list[_Question]] = {key: [] for key, _ in SECTIONS}
    grouped: dict[str, list[_Line]] = {group: [] for group, _ in GROUPS}
    asked: list[str] = []
    for q in facts.questions:
        asked.append(f"{q.heading.strip()}: {texts.plain(texts.clip(q.text, QUESTION_CHARS), names)}")
        left = [(r.author_id, sorting.unmarked(r.text)) for r in q.replies if not r.marked]
        left = [(author, text) for author, text in left if text]
        section = SECTION_FOR_LENS.get(q.lens or "", "happened")
        if section == "happened":
            for author, text in left:
                found = sorting.sort_reply(text)
                label = f" (source: {found.source or '…'})" if found.sort == "reported" else ""
                grouped[found.sort].append(line(author, text, label))
        elif left:
            questions[section].append(
                _Question(
                    q.heading.strip(),
                    texts.plain(q.text, names),
                    texts.plain(texts.clip(q.text, QUESTION_CHARS), names),
                    tuple(line(author, text) for author, text in left),
                )
            )
    questions["happened"] = [
        _Question(heading, "", "", tuple(grouped[group])) for group, heading in GROUPS if grouped[group]
    ]
    entries: dict[str, list[_Entry]] = {key: [] for key, _ in SECTIONS}
    for item in facts.items:
        entries[SECTION_FOR_KIND[Kind(item.kind)]].append(
            _Entry(
                full=texts.plain(item.text, names),
                short=texts.plain(texts.clip(item.text, ITEM_CHARS), names),
                by=who(item.author_id),
                owners=tuple(who(o) for o in item.owner_ids),
                due=texts.day_text(item.due) if item.due else None,
                kind=item.kind,
            )
        )

    start = facts.started_at.astimezone(tz)
    end = facts.ended_at.astimezone(tz) if facts.ended_at else None
    scales = texts.scales_of(facts)
    common: dict[str, Any] = {
        "reference": facts.reference,
        "framework": facts.framework_name,
        "mode": facts.mode,
        "started": texts.when_text(start),
        "ended": None
        if end is None
        else (f"{end:%H:%M}" if end.date() == start.date() else texts.when_text(end)),
        "zone": start.strftime("%Z"),
        "participants": [
            "@" + (full_names.get(p) or p) + (f", {facts.roles[p]}" if facts.roles.get(p) else "")
            for p in facts.participant_ids
        ],
        "recorder": who(facts.recorder_id) if facts.recorder_id else None,
        "focus": texts.plain(facts.focus, names).strip() if facts.focus and facts.focus.strip() else None,
        "scales": [{"who": who(s.author_id), "value": s.value} for s in scales],
        "next": texts.when_zoned(facts.next_discussion.astimezone(tz)) if facts.next_discussion else None,
        "questions_asked": asked,
    }
    extra = {
        "purpose": common["focus"] is not None or bool(asked),
        "risk": bool(scales),
        "next": common["next"] is not None,
    }
    contents = {
        key: Content(common, tuple(questions[key]), tuple(entries[key]), extra.get(key, False))
        for key, _ in SECTIONS
    }
    return Content(common, extra=True), contents
