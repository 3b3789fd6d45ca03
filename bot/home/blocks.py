"""The App Home tab (PURE): a worker's cases, actions, summaries and agreements; a manager's team view.

Within Slack's limits (100 blocks, 3,000 characters a section): each part shows so many rows and counts
the rest on an explicit "+ N more" line pointing at `/case overdue` or `/case list`, never cutting silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.drift.blocks import heading
from bot.drift.rules import CaseDrift
from bot.ids import ActionId
from bot.kernel.blocks import actions, button, context, divider, fit, header, section
from bot.kernel.blocks_limits import SECTION_TEXT, VIEW_BLOCKS
from bot.kernel.rules_text import slack_date, slack_escape

TEAM_ROWS = 30  # at most: each row is two blocks (the row and its buttons), and the worker's parts come first
ACTION_ROWS = 8
SUMMARY_ROWS = 5
AGREEMENT_ROWS = 5
CASE_ROWS = 20
NO_CASES = "You have no open cases. A manager opens one with `/case open` in the case's private channel."


@dataclass(frozen=True)
class MyCase:
    reference: str
    channel_id: str
    link: str | None
    role: str  # "lead" | "co-worker"
    next_discussion: datetime | None
    next_supervision: datetime | None


@dataclass(frozen=True)
class MyAction:
    reference: str
    note_number: int
    number: int
    due: date | None
    overdue: bool
    value: str  # "action_id:round", as the follow-up DM's buttons carry it


@dataclass(frozen=True)
class SummaryWaiting:
    reference: str
    discussion_id: int
    due_at: datetime | None


@dataclass(frozen=True)
class AgreementWaiting:
    reference: str
    version: int
    link: str | None


@dataclass(frozen=True)
class Home:
    cases: tuple[MyCase, ...] = ()
    actions: tuple[MyAction, ...] = ()
    summaries: tuple[SummaryWaiting, ...] = ()
    agreements: tuple[AgreementWaiting, ...] = ()
    team: tuple[CaseDrift, ...] | None = None  # None: not a manager


def _more(count: int, what: str, where: str) -> dict[str, Any]:
    return context(f"+ {count} more {what}{'' if count == 1 else 's'}: {where}.")


def team_row(drift: CaseDrift) -> str:
    lines = [heading(drift.facts)]
    lines += [f"• {s.reason}" for s in drift.signals] or ["No drift signals."]
    return fit("\n".join(lines), SECTION_TEXT)


def _team_buttons(drift: CaseDrift) -> dict[str, Any]:
    """The manager's two forms for the case, as the review and supervision reminders open them."""
    case_id = str(drift.facts.case_id)
    return actions(
        button("Review", ActionId.REVIEW_OPEN, case_id),
        button("Record supervision", ActionId.SUPERVISION_RECORD, case_id),
    )


def _team(team: tuple[CaseDrift, ...], room: int) -> list[dict[str, Any]]:
    """The team view in at most `room` blocks: as many rows as fit (up to TEAM_ROWS), the rest counted."""
    attention = sum(1 for d in team if d.signals)
    cases = f"{len(team)} open case{'' if len(team) == 1 else 's'}"
    blocks = [section(f"*Team view*: {cases}, {attention} with drift signals")]
    shown = max(0, min(TEAM_ROWS, (room - 3) // 2))  # the heading, "+ N more" and the divider
    for d in team[:shown]:
        blocks += [section(team_row(d)), _team_buttons(d)]
    if len(team) > shown:
        blocks.append(_more(len(team) - shown, "case", "`/case overdue` lists everything overdue"))
    return blocks + [divider()]


def _due(action: MyAction) -> str:
    if action.due is None:
        return "no due date"
    return f"{'overdue, was due' if action.overdue else 'due'} {action.due.strftime('%a %-d %b')}"


def _actions(rows: tuple[MyAction, ...]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [section("*Your open actions*")]
    for a in rows[:ACTION_ROWS]:
        blocks.append(
            section(f"Action {a.number} of note {a.note_number} on *{slack_escape(a.reference)}*: {_due(a)}")
        )
        blocks.append(
            actions(
                button("Done", ActionId.ACTION_DONE, a.value, style="primary"),
                button("Need more time", ActionId.ACTION_EXTEND, a.value),
            )
        )
    if len(rows) > ACTION_ROWS:
        blocks.append(_more(len(rows) - ACTION_ROWS, "open action", "`/case overdue` lists the overdue ones"))
    return blocks


def _summaries(rows: tuple[SummaryWaiting, ...]) -> list[dict[str, Any]]:
    blocks = [section("*Summaries waiting to be recorded*")]
    for s in rows[:SUMMARY_ROWS]:
        due = f", due {slack_date(s.due_at)}" if s.due_at else ""
        write = button("Write the summary", ActionId.SUMMARY_OPEN, str(s.discussion_id), style="primary")
        blocks.append(section(f"Discussion on *{slack_escape(s.reference)}*{due}", accessory=write))
    if len(rows) > SUMMARY_ROWS:
        blocks.append(_more(len(rows) - SUMMARY_ROWS, "summary", "`/case record REF` in the case's channel"))
    return blocks


def _agreements(rows: tuple[AgreementWaiting, ...]) -> list[dict[str, Any]]:
    blocks = [section("*Agreements waiting for your confirmation*")]
    for a in rows[:AGREEMENT_ROWS]:
        where = f"<{a.link}|read it and agree in the thread>" if a.link else "agree in the case thread"
        blocks.append(section(f"*{slack_escape(a.reference)}* agreement version {a.version}: {where}"))
    if len(rows) > AGREEMENT_ROWS:
        blocks.append(_more(len(rows) - AGREEMENT_ROWS, "agreement", "see `/case list`"))
    return blocks


def _case_row(c: MyCase) -> str:
    where = f"<#{c.channel_id}>" + (f" (<{c.link}|thread>)" if c.link else "")
    text = f"• *{slack_escape(c.reference)}* in {where}: {c.role}"
    text += (
        f". Next discussion {slack_date(c.next_discussion)}"
        if c.next_discussion
        else ". No discussion planned"
    )
    if c.next_supervision:
        text += f", supervision {slack_date(c.next_supervision)}"
    return text


def _cases(rows: tuple[MyCase, ...]) -> list[dict[str, Any]]:
    blocks = [section("*Your cases*")]
    blocks += [section(_case_row(c)) for c in rows[:CASE_ROWS]]
    if len(rows) > CASE_ROWS:
        blocks.append(_more(len(rows) - CASE_ROWS, "case", "`/case list` lists every one"))
    return blocks


def home_view(home: Home) -> dict[str, Any]:
    """The tab: a manager's team view first, then the worker's own parts; the team view gets what room
    the worker's parts leave (each part caps its own rows, so all of them fit in VIEW_BLOCKS)."""
    mine: list[dict[str, Any]] = []
    if home.actions:
        mine += _actions(home.actions)
    if home.summaries:
        mine += _summaries(home.summaries)
    if home.agreements:
        mine += _agreements(home.agreements)
    if home.cases:
        mine += _cases(home.cases)
    elif home.team is None:
        mine.append(section(NO_CASES))
    blocks: list[dict[str, Any]] = [header("casebot")]
    if home.team is not None:
        room = VIEW_BLOCKS - len(blocks) - len(mine)
        blocks += _team(home.team, room) if home.team else [section("You manage no open cases."), divider()]
    blocks += mine
    assert len(blocks) <= VIEW_BLOCKS  # each part's rows are capped so that all of them fit
    return {"type": "home", "blocks": blocks}
