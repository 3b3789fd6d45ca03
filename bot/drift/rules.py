"""Drift signals (PURE): the quiet ways co-working slides into parallel working, from stored facts.

Each signal is a function of one case's facts, `now` and a threshold, and says in one line what a
manager can act on. Nothing here reads a case's words: only dates, statuses and who wrote. A
responsibility with no tagged record is "nothing recorded", never "not done": a manager must not read
a guess as a fact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.drift.rules_facts import (
    OPEN_STATUSES,
    ActionFact,
    CaseFacts,
    Signal,
    Thresholds,
)

DISCUSSION, SUPERVISION = "discussion", "supervision"


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
