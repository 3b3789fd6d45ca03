"""What a discussion summary's draft is made from and made of: the facts captured (input), the sections
of the draft (output), and Slack's and the template's limits. Pure; see rules_drafting for the whole."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.capture.rules import Kind
from bot.kernel.blocks_limits import INPUT_MAX_LENGTH

MAX_FIELD = INPUT_MAX_LENGTH  # a plain_text_input's max_length
MAX_SECTIONS = 13  # sections of the draft (12 text boxes and the action rows; Slack allows 100 blocks)
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
    ("told", "What we told the child or family"),
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
    Kind.TOLD: "told",
    Kind.URGENT: "risk",
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
    marked: bool = False  # the whole message was marked for the record (a reaction, the shortcut)


@dataclass(frozen=True)
class QuestionAsked:
    heading: str  # the stage or lens title, e.g. "The child's voice"
    text: str
    replies: tuple[Reply, ...] = ()
    lens: str | None = None  # see SECTION_FOR_LENS; None (and any other lens): what happened


@dataclass(frozen=True)
class Item:
    kind: str  # a capture Kind: decision, action, concern, learning, disagree, shared, told, urgent
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
