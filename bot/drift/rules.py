"""Drift signals (PURE): the quiet ways co-working slides into parallel working, from stored facts.

Each signal is a function of one case's facts, `now` and a threshold, and says in one line what a
manager can act on. Nothing here reads a case's words: only dates, statuses and who wrote. A
responsibility with no tagged record is "nothing recorded", never "not done": a manager must not read
a guess as a fact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

DISCUSSION, SUPERVISION = "discussion", "supervision"
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


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def discussions_late(facts: CaseFacts, now: datetime, t: Thresholds) -> list[Signal]:
    since = now - timedelta(weeks=t.missed_window_weeks)
    missed = [i for i in facts.items if i.kind == DISCUSSION and i.status == "missed" and i.due_at >= since]
    late = [
        i
        for i in facts.items
        if i.kind == DISCUSSION
        and i.status in OPEN_STATUSES
        and now - i.due_at >= timedelta(days=t.discussion_late_days)
    ]
    out = []
    if missed:
        out.append(
            Signal(
                "discussion_missed",
                3 * len(missed),
                f"{_plural(len(missed), 'discussion')} missed in the last {t.missed_window_weeks} weeks",
            )
        )
    for item in late:
        days = (now - item.due_at).days
        out.append(Signal("discussion_late", 2, f"Discussion due {days} days ago not held yet"))
    return out


def notes_late(facts: CaseFacts, now: datetime, t: Thresholds) -> list[Signal]:
    since = now - timedelta(weeks=t.missed_window_weeks)
    waiting = [
        d for d in facts.discussions if d.recorded_at is None and d.record_due_at and d.record_due_at < now
    ]
    late = [
        d
        for d in facts.discussions
        if d.recorded_at and d.record_due_at and d.recorded_at > d.record_due_at and d.recorded_at >= since
    ]
    out = []
    if waiting:
        oldest = min(d.record_due_at for d in waiting if d.record_due_at)
        out.append(
            Signal(
                "note_missing",
                3 * len(waiting),
                f"{len(waiting)} summaries not recorded, the oldest due {_days((now - oldest).days)} ago"
                if len(waiting) > 1
                else f"Summary not recorded, due {_days((now - oldest).days)} ago",
            )
        )
    if late:
        out.append(
            Signal(
                "note_late",
                len(late),
                f"{_plural(len(late), 'note')} recorded late in the last {t.missed_window_weeks} weeks",
            )
        )
    return out


def local_today(now: datetime, tz: str) -> date:
    try:
        zone = ZoneInfo(tz)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def is_action_overdue(action: ActionFact, now: datetime) -> bool:
    """Overdue once the due date has passed in the owner's own calendar."""
    return (
        action.status == "open" and action.due is not None and action.due < local_today(now, action.owner_tz)
    )


def actions_overdue(facts: CaseFacts, now: datetime, _t: Thresholds) -> list[Signal]:
    out = []
    for a in facts.actions:
        if is_action_overdue(a, now) and a.due is not None:
            days = (local_today(now, a.owner_tz) - a.due).days
            who = f"<@{a.owner_id}>" if a.owner_id else "nobody"
            out.append(
                Signal(
                    "action_overdue",
                    2,
                    f"Action {a.number} of note {a.note_number} ({who}) overdue by {_days(days)}",
                    owner_id=a.owner_id,
                )
            )
    return out


def one_voice(facts: CaseFacts, now: datetime, t: Thresholds) -> list[Signal]:
    """Only one co-worker replying in the case's discussions over the last N weeks."""
    since = now - timedelta(weeks=t.quiet_weeks)
    recent = [d for d in facts.discussions if d.started_at >= since]
    members = set(facts.member_ids)
    speakers = {a for d in recent for a in d.authors} & members
    if len(members) < 2 or not recent or len(speakers) != 1 or facts.agreed_at > since:
        return []
    (only,) = speakers
    return [
        Signal(
            "one_voice",
            2,
            f"Only <@{only}> has replied in discussions for {t.quiet_weeks} weeks",
        )
    ]


def responsibilities_unrecorded(facts: CaseFacts, now: datetime, t: Thresholds) -> list[Signal]:
    since = now - timedelta(weeks=t.responsibility_weeks)
    if facts.agreed_at > since or not facts.responsibilities:
        return []
    quiet = [r for r in facts.responsibilities if facts.tagged.get(r, since) <= since]
    if not quiet:
        return []
    shown = ", ".join(quiet[:3]) + (f" (+{len(quiet) - 3} more)" if len(quiet) > 3 else "")
    return [
        Signal(
            "responsibility_unrecorded",
            1,
            f"Nothing recorded against {shown} for {t.responsibility_weeks} weeks",
        )
    ]


def disagreements_open(facts: CaseFacts, now: datetime, t: Thresholds) -> list[Signal]:
    old = [
        d
        for d in facts.disagreements
        if not d.recorded and now - d.marked_at >= timedelta(days=t.disagreement_days)
    ]
    if not old:
        return []
    oldest = max((now - d.marked_at).days for d in old)
    return [
        Signal(
            "disagreement_open",
            2 * len(old),
            f"{_plural(len(old), 'difference')} of view open, the oldest for {_days(oldest)}",
        )
    ]


def review_past(facts: CaseFacts, now: datetime, _t: Thresholds) -> list[Signal]:
    today = local_today(now, facts.manager_tz)
    if facts.review_date >= today:
        return []
    days = (today - facts.review_date).days
    return [Signal("review_past", 2, f"Agreement review {_days(days)} past its date")]


def learning_quiet(facts: CaseFacts, now: datetime, t: Thresholds) -> list[Signal]:
    out = []
    since = now - timedelta(days=t.learning_days)
    for worker in facts.developing_ids:
        latest = facts.learning.get(worker)
        if (latest or facts.agreed_at) > since:
            continue
        what = (
            "no learning entry" if latest is None else f"last learning entry {(now - latest).days} days ago"
        )
        out.append(Signal("learning_quiet", 1, f"<@{worker}> (developing): {what}", owner_id=worker))
    return out


def supervision_overdue(facts: CaseFacts, now: datetime, t: Thresholds) -> list[Signal]:
    """From the supervision schedule items (supervision records do not exist yet)."""
    overdue = [
        i
        for i in facts.items
        if i.kind == SUPERVISION
        and i.status in OPEN_STATUSES
        and now - i.due_at >= timedelta(days=t.supervision_late_days)
    ]
    held = [i.due_at for i in facts.items if i.kind == SUPERVISION and i.status == "held"]
    missed = [
        i
        for i in facts.items
        if i.kind == SUPERVISION and i.status == "missed" and (not held or i.due_at > max(held))
    ]
    if not overdue and not missed:
        return []
    first = min(i.due_at for i in overdue + missed)
    return [Signal("supervision_overdue", 3, f"Supervision overdue: due {_days((now - first).days)} ago")]


SIGNALS: tuple[Callable[[CaseFacts, datetime, Thresholds], list[Signal]], ...] = (
    discussions_late,
    notes_late,
    actions_overdue,
    one_voice,
    responsibilities_unrecorded,
    disagreements_open,
    review_past,
    learning_quiet,
    supervision_overdue,
)


@dataclass(frozen=True)
class CaseDrift:
    facts: CaseFacts
    signals: tuple[Signal, ...]

    @property
    def attention(self) -> int:
        return sum(s.weight for s in self.signals)


def signals(facts: CaseFacts, now: datetime, t: Thresholds) -> list[Signal]:
    return [s for rule in SIGNALS for s in rule(facts, now, t)]


def attention(found: list[Signal]) -> int:
    return sum(s.weight for s in found)
