"""The first draft of a discussion summary, for the summary modal. Pure: no I/O, no clock.

The recorder edits the draft and signs it off; nothing here is saved. `draft` gives one header (case,
when, participants, recorder, framework: shown, not edited) and twelve sections in the order of a good
record (PRACTICE.md section 4), each a modal text box. `full_capture` gives the same content with
nothing condensed, for export: the full capture stays available whatever the draft had to leave out.

Where things go:

- each question asked, with its replies, goes to "What happened", unless its lens says otherwise
  (assumptions: analysis; child's voice, risk, culture, information sharing, learning: that section;
  a scaling stage's question is passed with lens "risk");
- each marked item goes to its section: concerns to risk, differences of view, decisions, actions,
  information sharing, learning;
- each person's 0-10 scale is read from replies ("6/10", "scale 6"; their latest counts), unless given
  in `DiscussionFacts.scales`;
- a section with nothing captured gets a short prompt in brackets saying what to write, never nothing.

Slack's limits: a modal text box holds `MAX_FIELD` characters (counted in UTF-16 units, as Slack does,
so emoji count double) and the draft is `MAX_SECTIONS` text boxes. A section that would be longer is
condensed in steps, stopping at the first that fits: (1) each reply is cut to its first sentence and
at most ~160 characters, question and item texts to 100 and 300; (2) the oldest replies are left out,
spread evenly over the questions, with a line "(+ 12 earlier replies in the full capture)"; (3) the
last questions are left out, with a line counting them and their replies; (4) the last items are left
out with "(+ 3 more decisions in the full capture)". Nothing is left out without a line saying so,
and a cut never falls inside a Slack token, so a mention is shown whole or not at all. Such a section
has ``condensed=True`` and its uncondensed length in ``full_length``.

Slack's markup in what people wrote is made readable: ``<@U123>`` becomes "@Sam" (the name from
`names`, else the id), links become their text and address, ``&amp;`` becomes "&".

Wording lives in the jinja2 template ``prompts/templates/draft_section.j2``; this module decides what
goes in (plain strings: names, dates in the recorder's zone) and checks what comes out. Loading a
template is I/O, so the caller passes `render(template_name, context) -> str`. The text goes into a
plain-text input's ``initial_value``, where Slack shows characters literally, so the environment must
NOT Slack-escape (bot.content's ``finalize`` would turn "&" into "&amp;" in the recorder's text box):
build it over prompts/templates with `TEMPLATE_OPTIONS`, ``undefined=jinja2.StrictUndefined``,
``autoescape=False`` and no ``finalize``; `draft_renderer` in tests/notes/test_rules_drafting.py shows the
few lines it takes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from typing import Any

from bot.capture.rules import Kind
from bot.kernel.blocks_limits import INPUT_MAX_LENGTH, slack_length  # noqa: F401 - slack_length used by flows as drafting.slack_length

MAX_FIELD = INPUT_MAX_LENGTH  # a plain_text_input's max_length
MAX_SECTIONS = 12  # text boxes in the summary modal (Slack allows 100 blocks)
REPLY_CHARS = 160  # a condensed reply: its first sentence, at most this long
QUESTION_CHARS = 100
ITEM_CHARS = 300

TEMPLATE = "draft_section.j2"
# How the caller's jinja2 Environment must be built, with undefined=StrictUndefined, autoescape=False
# (plain text, not HTML) and no finalize.
TEMPLATE_OPTIONS: Mapping[str, Any] = {
    "trim_blocks": True,
    "lstrip_blocks": True,
    "keep_trailing_newline": False,
}

Render = Callable[[str, Mapping[str, Any]], str]

HEADER = ("header", "Discussion with colleague")
SECTIONS: tuple[tuple[str, str], ...] = (
    ("purpose", "Purpose or focus"),
    ("happened", "What happened"),
    ("analysis", "Analysis"),
    ("childs_voice", "The child's voice and lived experience"),
    ("risk", "Risk and safety"),
    ("culture", "Cultural considerations"),
    ("differences", "Differences of view"),
    ("decisions", "Decisions"),
    ("actions", "Actions"),
    ("sharing", "Information sharing"),
    ("learning", "Learning for the developing worker"),
    ("next", "Next discussion"),
)
SECTION_FOR_KIND: Mapping[Kind, str] = {
    Kind.CONCERN: "risk",
    Kind.DISAGREE: "differences",
    Kind.DECISION: "decisions",
    Kind.ACTION: "actions",
    Kind.SHARED: "sharing",
    Kind.LEARNING: "learning",
}
SECTION_FOR_LENS: Mapping[str, str] = {
    "assumptions": "analysis",
    "childs_voice": "childs_voice",
    "risk": "risk",
    "culture": "culture",
    "information_sharing": "sharing",
    "learning": "learning",
}


# ---------------------------------------------------------------------- input
@dataclass(frozen=True)
class Reply:
    author_id: str
    text: str  # as Slack sent it: mentions as <@U…>, & < > as entities


@dataclass(frozen=True)
class QuestionAsked:
    heading: str  # the stage or lens title, e.g. "The child's voice"
    text: str
    replies: tuple[Reply, ...] = ()
    lens: str | None = None  # see SECTION_FOR_LENS; None (and any other lens): what happened


@dataclass(frozen=True)
class Item:
    kind: str  # a capture Kind: decision, action, concern, learning, disagree, shared
    text: str
    author_id: str
    owner_ids: tuple[str, ...] = ()
    due: date | None = None

    def __post_init__(self) -> None:
        Kind(self.kind)  # ValueError for anything else


@dataclass(frozen=True)
class Scale:
    author_id: str
    value: int  # 0 (harm is certain) to 10 (safe enough to step back)

    def __post_init__(self) -> None:
        if not 0 <= self.value <= 10:
            raise ValueError("a scale runs from 0 to 10")


@dataclass(frozen=True)
class DiscussionFacts:
    reference: str
    framework_name: str
    focus: str | None
    started_at: datetime
    ended_at: datetime | None
    participant_ids: tuple[str, ...]
    recorder_id: str | None
    questions: tuple[QuestionAsked, ...] = ()
    items: tuple[Item, ...] = ()
    next_discussion: datetime | None = None
    scales: tuple[Scale, ...] = ()  # given ones win over those read from replies
    roles: Mapping[str, str] = field(default_factory=dict)  # user id -> "lead worker", "co-worker"
    mode: str = "in Slack"


# --------------------------------------------------------------------- output
@dataclass(frozen=True)
class Section:
    key: str
    title: str
    text: str
    condensed: bool = False
    full_length: int = 0  # characters before condensing


@dataclass(frozen=True)
class Draft:
    header: Section  # shown above the text boxes, not one of them
    sections: tuple[Section, ...]

    @property
    def condensed(self) -> bool:
        return any(s.condensed for s in (self.header, *self.sections))

    def section(self, key: str) -> Section:
        for s in (self.header, *self.sections):
            if s.key == key:
                return s
        raise KeyError(key)


# ---------------------------------------------------------------- public API
def draft(facts: DiscussionFacts, *, names: Mapping[str, str], tz: tzinfo, render: Render) -> Draft:
    """The summary modal's first draft: every section at most MAX_FIELD long, condensed if it must be."""
    header, contents = _contents(facts, names, tz)
    return Draft(
        header=_fit(HEADER, header, render),
        sections=tuple(_fit((key, title), contents[key], render) for key, title in SECTIONS),
    )


def full_capture(facts: DiscussionFacts, *, names: Mapping[str, str], tz: tzinfo, render: Render) -> str:
    """Everything captured, nothing condensed: the header and each section that has content."""
    header, contents = _contents(facts, names, tz)
    parts = [f"{HEADER[1]}\n{_build(HEADER[0], header, _Plan(), render)}"]
    for key, title in SECTIONS:
        if contents[key].has_content:
            parts.append(f"{title}\n{_build(key, contents[key], _Plan(), render)}")
    return "\n\n".join(parts)


# ------------------------------------------------------------ what goes where
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


@dataclass(frozen=True)
class _Content:
    common: Mapping[str, Any]  # the same for every section
    questions: tuple[_Question, ...] = ()
    entries: tuple[_Entry, ...] = ()
    extra: bool = False  # something besides questions and items (a focus, a scale, a date)

    @property
    def has_content(self) -> bool:
        return bool(self.questions or self.entries or self.extra)


def _contents(
    facts: DiscussionFacts, names: Mapping[str, str], tz: tzinfo
) -> tuple[_Content, dict[str, _Content]]:
    if facts.started_at.tzinfo is None or (facts.ended_at and facts.ended_at.tzinfo is None):
        raise ValueError("discussion times must be aware datetimes")

    def who(user_id: str) -> str:
        return "@" + (names.get(user_id) or user_id)

    questions: dict[str, list[_Question]] = {key: [] for key, _ in SECTIONS}
    for q in facts.questions:
        replies = tuple(
            _Line(who(r.author_id), _plain(r.text, names), _plain(_first_sentence(r.text), names))
            for r in q.replies
            if r.text.strip()
        )
        section = SECTION_FOR_LENS.get(q.lens or "", "happened")
        questions[section].append(
            _Question(
                q.heading.strip(),
                _plain(q.text, names),
                _plain(_clip(q.text, QUESTION_CHARS), names),
                replies,
            )
        )
    entries: dict[str, list[_Entry]] = {key: [] for key, _ in SECTIONS}
    for item in facts.items:
        entries[SECTION_FOR_KIND[Kind(item.kind)]].append(
            _Entry(
                full=_plain(item.text, names),
                short=_plain(_clip(item.text, ITEM_CHARS), names),
                by=who(item.author_id),
                owners=tuple(who(o) for o in item.owner_ids),
                due=_day(item.due) if item.due else None,
            )
        )

    start = facts.started_at.astimezone(tz)
    end = facts.ended_at.astimezone(tz) if facts.ended_at else None
    scales = _scales(facts)
    common: dict[str, Any] = {
        "reference": facts.reference,
        "framework": facts.framework_name,
        "mode": facts.mode,
        "started": _when(start),
        "ended": None if end is None else (f"{end:%H:%M}" if end.date() == start.date() else _when(end)),
        "zone": start.strftime("%Z"),
        "participants": [
            who(p) + (f" ({facts.roles[p]})" if facts.roles.get(p) else "") for p in facts.participant_ids
        ],
        "recorder": who(facts.recorder_id) if facts.recorder_id else None,
        "focus": _plain(facts.focus, names).strip() if facts.focus and facts.focus.strip() else None,
        "scales": [{"who": who(s.author_id), "value": s.value} for s in scales],
        "next": _when_zoned(facts.next_discussion.astimezone(tz)) if facts.next_discussion else None,
    }
    extra = {
        "purpose": common["focus"] is not None,
        "risk": bool(scales),
        "next": common["next"] is not None,
    }
    contents = {
        key: _Content(common, tuple(questions[key]), tuple(entries[key]), extra.get(key, False))
        for key, _ in SECTIONS
    }
    return _Content(common, extra=True), contents


# ------------------------------------------------------------------- fitting
@dataclass(frozen=True)
class _Plan:
    short: bool = False  # replies to a first sentence; question and item texts clipped
    replies: int | None = None  # how many replies to show in all, newest first, spread over questions
    questions: int | None = None  # how many questions to show, first first
    items: int | None = None  # how many items to show, first first


def _fits(text: str) -> bool:
    return slack_length(text) <= MAX_FIELD


def _fit(key_title: tuple[str, str], content: _Content, render: Render) -> Section:
    key, title = key_title
    cache: dict[_Plan, str] = {}

    def build(plan: _Plan) -> str:
        if plan not in cache:
            cache[plan] = _build(key, content, plan, render)
        return cache[plan]

    full = build(_Plan())
    if _fits(full):
        return Section(key, title, full, False, len(full))
    return Section(key, title, _condense(build, content), True, len(full))


def _condense(build: Callable[[_Plan], str], content: _Content) -> str:
    """The first plan that fits: shorter texts, then fewer replies, fewer questions, fewer items."""
    plan = _Plan(short=True)
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


def _fewest_dropped(build: Callable[[_Plan], str], plan: _Plan, name: str, total: int) -> _Plan:
    """`plan` showing as many of `name` as fit (all `total` are known not to), or none."""
    best = _largest(total - 1, lambda n: _fits(build(replace(plan, **{name: n}))))
    return replace(plan, **{name: best or 0})


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


def _build(key: str, content: _Content, plan: _Plan, render: Render) -> str:
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


# ---------------------------------------------------------------- the texts
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(day: date) -> str:
    """Wed 16 Dec 2026 (not strftime: the same in every locale)."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _when(at: datetime) -> str:
    """Wed 16 Dec 2026, 10:00 (already in the recorder's zone)."""
    return f"{_day(at.date())}, {at:%H:%M}"


def _when_zoned(at: datetime) -> str:
    return f"{_when(at)} {at:%Z}".rstrip()


_TOKEN = re.compile(r"<([^<>\n]*)>")
_ATOM = re.compile(r"<[^<>\n]*>|&(?:amp|lt|gt);")  # never cut inside one of these
_ENTITY_END = re.compile(r"&(?:amp|lt|gt);$")


def _plain(raw: str, names: Mapping[str, str]) -> str:
    """Slack's message markup as a person reads it."""

    def shown(m: re.Match[str]) -> str:
        target, _, label = m[1].partition("|")
        if target.startswith("@"):
            return "@" + (names.get(target[1:]) or label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!date^"):
            return label or target
        if target.startswith("!"):
            return "@" + target[1:]  # here, channel, everyone
        address = target.removeprefix("mailto:")
        return f"{label} ({address})" if label and label != address else address

    text = _TOKEN.sub(shown, raw)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _atoms(raw: str, up_to: int) -> list[tuple[int, int]]:
    """Where the Slack tokens and entities start and end, for those starting before `up_to`."""
    spans = []
    for m in _ATOM.finditer(raw):
        if m.start() > up_to:
            break
        spans.append((m.start(), m.end()))
    return spans


def _clip(raw: str, limit: int) -> str:
    """At most about `limit` characters of Slack text, ending at a word and never inside a token."""
    raw = " ".join(raw.split())
    if len(raw) <= limit:
        return raw
    atoms = _atoms(raw, limit)

    def outside(position: int) -> int:
        for start, end in atoms:
            if start < position < end:
                return start
        return position

    cut = outside(limit)
    space = raw.rfind(" ", 0, cut + 1)
    while space > limit // 2 and outside(space) != space:
        space = raw.rfind(" ", 0, outside(space))
    if space > limit // 2:
        cut = space
    elif cut <= limit // 2:  # a long link early on: keep it whole rather than keep next to nothing
        cut = next(end for start, end in atoms if start == cut)
    kept = raw[:cut].rstrip()
    while kept and kept[-1] in ",;:-" and not _ENTITY_END.search(kept):  # "&amp;" keeps its ";"
        kept = kept[:-1].rstrip()
    return kept + "…"


_SENTENCE_END = re.compile(r"[.!?]+(?=\s)|\n")
_ABBREVIATIONS = {"e.g", "i.e", "eg", "ie", "etc", "dr", "mr", "mrs", "ms", "mx", "st", "approx", "vs", "no"}


def _first_sentence(raw: str) -> str:
    """A reply's first sentence, at most REPLY_CHARS; "…" says something was left out."""
    raw = raw.strip()
    first = raw
    atoms = _atoms(raw, len(raw))
    for m in _SENTENCE_END.finditer(raw):
        if any(start < m.start() < end for start, end in atoms):
            continue  # a full stop in a link's text
        before = raw[: m.start()].rsplit(None, 1)
        if m[0] == "\n" or not before or before[-1].lower().lstrip("(") not in _ABBREVIATIONS:
            first = raw[: m.end()].strip()
            break
    if len(first) > REPLY_CHARS:
        return _clip(first, REPLY_CHARS)
    return first if first == raw else f"{first} …"


_SCALE = re.compile(
    r"(?<![\d./])(10|\d)\s*/\s*10(?![/\d])"
    r"|\bscal(?:e|ing)\b[^\d\n]{0,12}?(?<![\d.])(10|\d)\b(?!\s*(?:to|-|–|/)\s*\d)",
    re.IGNORECASE,
)


def _scales(facts: DiscussionFacts) -> list[Scale]:
    """Each person's latest scale in the replies, then those given; participants first."""
    found: dict[str, int] = {}
    for q in facts.questions:
        for r in q.replies:
            for m in _SCALE.finditer(r.text):
                found[r.author_id] = int(m[1] or m[2])
    found |= {s.author_id: s.value for s in facts.scales}
    first = {person: i for i, person in enumerate(facts.participant_ids)}
    order = sorted(found, key=lambda person: first.get(person, len(first)))  # stable: others as found
    return [Scale(person, found[person]) for person in order]
