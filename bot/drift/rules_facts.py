"""What the drift signals read (PURE): one case's stored facts, the thresholds, and a signal. Dates,
statuses and who wrote only: never a case's words."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

OPEN_STATUSES = frozenset({"scheduled", "started"})


@dataclass(frozen=True)
class Thresholds:
    discussion_late_days: int = 2  # an open discussion this many days past its time is late
    missed_window_weeks: int = 6  # missed discussions and late notes count over this window
    quiet_weeks: int = 3  # only one co-worker replying in discussions for this long
    responsibility_weeks: int = 6  # a responsibility with nothing recorded against it for this long
    disagreement_days: int = 14  # a difference of view still open after this long
    learning_days: int = 30  # the developing worker with no learning entry for this long
    supervision_late_days: int = 7  # a supervision check-in this many days past its time


@dataclass(frozen=True)
class ItemFact:
    kind: str  # discussion | supervision | review
    status: str  # scheduled | started | held | missed | cancelled
    due_at: datetime


@dataclass(frozen=True)
class DiscussionFact:
    started_at: datetime
    record_due_at: datetime | None
    recorded_at: datetime | None
    authors: frozenset[str] = frozenset()  # Slack ids of who replied in its thread


@dataclass(frozen=True)
class ActionFact:
    note_number: int
    number: int
    owner_id: str | None
    due: date | None
    status: str  # open | done | cannot
    owner_tz: str = "UTC"


@dataclass(frozen=True)
class DisagreementFact:
    marked_at: datetime
    recorded: bool  # its discussion's note is signed off: resolved or escalated, in the record


@dataclass(frozen=True)
class CaseFacts:
    case_id: int
    reference: str
    channel_id: str
    link: str | None
    manager_id: str
    member_ids: tuple[str, ...]
    developing_ids: tuple[str, ...]
    agreed_at: datetime  # the current agreement's version was made
    review_date: date
    manager_tz: str = "UTC"
    items: tuple[ItemFact, ...] = ()
    discussions: tuple[DiscussionFact, ...] = ()
    actions: tuple[ActionFact, ...] = ()
    disagreements: tuple[DisagreementFact, ...] = ()
    responsibilities: tuple[str, ...] = ()  # the matrix's rows
    tagged: dict[str, datetime] = field(default_factory=dict)  # responsibility -> latest tagged record
    learning: dict[str, datetime] = field(default_factory=dict)  # developing worker -> latest entry


@dataclass(frozen=True)
class Signal:
    kind: str
    weight: int  # how much it needs attention: the team view sorts by the sum
    reason: str  # one line, no case text
    owner_id: str | None = None  # whose item it is, for a member's own view
