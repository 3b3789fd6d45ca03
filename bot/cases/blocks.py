"""Messages as pure data: the case card, the agreement post, help and the case list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.cases import rules_agreements as terms
from bot.cases.blocks_closed import OpenDifference, closed_card, open_lines, reopened_line
from bot.cases.blocks_schedule import ScheduleView, schedule_lines
from bot.concerns.blocks import UrgentOnCard
from bot.concerns.blocks import card_lines as urgent_lines
from bot.content import Content
from bot.follow_ups.blocks_card import CardNotes, card_lines
from bot.ids import ActionId
from bot.kernel.blocks import actions, button, context, divider, fit, header, section, sections
from bot.kernel.rules_text import mention, slack_date, slack_escape


@dataclass(frozen=True)
class MemberView:
    user_id: str
    role: str  # "lead" | "co_worker"
    developing: bool
    agreed: bool

    @property
    def role_label(self) -> str:
        return "lead" if self.role == "lead" else "co-worker"


@dataclass(frozen=True)
class AgreementView:
    agreement_id: int
    version: int
    reasons: tuple[str, ...]
    responsibilities: dict[str, str]
    discussion_frequency: str
    discussion_custom: str | None
    discussion_weekday: int | None
    discussion_time: str | None
    recorder: str
    supervision_frequency: str
    learning_goals: str | None
    information_sharing: str | None
    review_date: date


CADENCE_SHOWN = 300  # a custom cadence on the card (the agreement in the thread has all of it)


@dataclass(frozen=True)
class CaseView:
    case_id: int
    reference: str
    status: str
    manager_id: str
    members: tuple[MemberView, ...]
    agreement: AgreementView
    schedule: ScheduleView | None = None
    notes: CardNotes | None = None  # who records, summaries waiting, overdue actions
    induction_until: date | None = None  # weekly discussions through this day (a developing worker's start)
    channel_others: int | None = None  # channel members not on the case, who can read the thread anyway
    differences: tuple[OpenDifference, ...] = ()  # differences of view neither resolved nor escalated
    closed_on: date | None = None  # a closed case's card says when, and offers only *Notes*
    closing_note: int | None = None
    reopened: bool = False  # its reference was used before, by a case now closed
    previous_closed_on: date | None = None

    @property
    def everyone_agreed(self) -> bool:
        return all(m.agreed for m in self.members)


def case_card(case: CaseView, urgent: tuple[UrgentOnCard, ...] = ()) -> tuple[str, list[dict[str, Any]]]:
    """The thread's root message; re-rendered in place on every change. Returns (fallback text, blocks)."""
    if case.status == "closed":
        return closed_card(case.reference, case.case_id, case.manager_id, case.closed_on, case.closing_note)
    ref = slack_escape(case.reference)
    people = "\n".join(
        f"• {mention(m.user_id)}, {m.role_label}{' (developing)' if m.developing else ''}"
        f"{'  :white_check_mark: agreed' if m.agreed else '  :hourglass_flowing_sand: not yet agreed'}"
        for m in case.members
    )
    waiting = sum(not m.agreed for m in case.members)
    status = (
        f"Agreement v{case.agreement.version}: agreed by everyone"
        if case.everyone_agreed
        else f"Agreement v{case.agreement.version}: waiting for {waiting} "
        f"{'co-worker' if waiting == 1 else 'co-workers'} to agree"
    )
    cadence = fit(slack_escape(_cadence(case.agreement)), CADENCE_SHOWN)
    if case.induction_until is not None:
        until = case.induction_until
        cadence = f"weekly until {until.day} {until:%b %Y} (induction), then {cadence}"
    blocks = [
        header(f"Case {case.reference}"),
        *urgent_lines(urgent),  # open urgent concerns (bot/concerns), first
        section(f"*Co-workers*\n{people}\n*Manager:* {mention(case.manager_id)}"),
        section(
            f"*{status}*\nDiscussions: {cadence} (recorder: "
            f"{terms.recorder_label(case.agreement.recorder).lower()}). Supervision: "
            f"{terms.SUPERVISION_FREQUENCIES.get(case.agreement.supervision_frequency, '').lower()}. "
            f"Review by {case.agreement.review_date:%d %b %Y}."
        ),
        *([section(schedule_lines(case.schedule))] if case.schedule else []),
        *(card_lines(case.notes) if case.notes else []),
        *open_lines(case.differences),
        *([context(reopened_line(ref, case.previous_closed_on))] if case.reopened else []),
        context(
            "Case status: "
            + ("open" if case.status == "open" else "closed")
            + ". Details are in this thread."
            + (f" {others_line(case.channel_others)}" if case.channel_others else "")
        ),
        actions(
            button("Start discussion", ActionId.CARD_START_DISCUSSION, str(case.case_id), style="primary"),
            button("Ask a question", ActionId.CARD_ASK, str(case.case_id)),
            button("Agreement", ActionId.CARD_AGREEMENT, str(case.case_id)),
        ),
    ]
    return f"Case {ref}: co-working card", blocks


def others_line(count: int) -> str:
    """Said on the card: people in the channel who are not on the case read its thread too."""
    who = "1 other person" if count == 1 else f"{count} others"
    return f":eyes: {who} in this channel can read this thread without being on the case."


def agreement_post(case: CaseView, content: Content) -> tuple[str, list[dict[str, Any]]]:
    """The agreement in the thread, with an Agree button for each co-worker who has not yet agreed."""
    a = case.agreement
    body = content.render(
        "agreement.j2",
        version=a.version,
        reference=case.reference,
        members=case.members,
        manager_id=case.manager_id,
        reasons=[terms.REASONS.get(r, r) for r in a.reasons],
        matrix=[(label, _who(a.responsibilities.get(key))) for key, label in terms.RESPONSIBILITIES.items()],
        discussion=_cadence(a) + _induction_note(case.induction_until),
        recorder=terms.recorder_label(a.recorder),
        supervision=terms.SUPERVISION_FREQUENCIES.get(a.supervision_frequency, a.supervision_frequency),
        learning_goals=a.learning_goals,
        information_sharing=a.information_sharing,
        review_date=f"{a.review_date:%d %B %Y}",
    )
    # Learning goals and information-sharing limits may each hold 3,000 characters (more once escaped):
    # the agreement is split over as many sections as it needs, never cut.
    blocks: list[dict[str, Any]] = [*sections(body), divider()]
    for m in case.members:
        if m.agreed:
            blocks.append(section(f"{mention(m.user_id)} :white_check_mark: agreed"))
        else:
            blocks.append(
                section(
                    f"{mention(m.user_id)}, please read the agreement and confirm it.",
                    accessory=button(
                        "Agree", ActionId.AGREE, f"{a.agreement_id}:{m.user_id}", style="primary"
                    ),
                )
            )
    return f"Co-working agreement v{a.version} for case {slack_escape(case.reference)}", blocks


def help_message(content: Content, command: str) -> str:
    return content.render("help.j2", command=command, commands=HELP)


HELP = [
    ("help", "this list"),
    ("open", "managers: agree a co-working arrangement for a case in this channel"),
    ("list", "the cases you co-work or manage, with the next discussion and anything overdue"),
    (
        "discuss [REF] [framework]",
        "start a reflective discussion in the case thread (e.g. `discuss CASE-1 gibbs`)",
    ),
    ("ask [REF] [lens]", "one critical-friend question in the case thread (e.g. `ask risk`, `ask child`)"),
    (
        "away 2026-12-24 @colleague",
        "you're on leave until that date: reminders pause, or go to the colleague",
    ),
    ("away back", "you're back: reminders come to you again"),
    ("record [REF]", "write the summary of a wrapped-up discussion, or of a meeting held outside Slack"),
    ("notes [REF] [N]", "the case's signed-off notes: list them, read one, or amend it (a new version)"),
    ("export [REF] [md|json]", "the case's signed-off notes as a file, sent to you by DM (Markdown or JSON)"),
    ("overdue", "managers: what is overdue or drifting across your cases; others: your own overdue items"),
    ("digest off|on|now", "managers: stop or restart your weekly digest, or get it now by DM"),
    ("supervision [REF]", "managers: record a joint supervision check-in, pre-filled from its agenda"),
    ("supervision start @worker 2027-01-11", "managers: a newly qualified worker's own start date"),
    ("supervision wellbeing [@worker]", "a worker's own wellbeing check, for them and the manager only"),
    ("review [REF]", "managers: review the co-working arrangement, with what was measured"),
    ("close [REF]", "managers: close the case with its closing review; its notes stay readable"),
    ("agreement [REF]", "the case's agreement as it stands; managers: *Change* it (a new version)"),
    ("admin manager add @person", "administrators: let someone open and manage cases"),
    ("admin manager remove @person", "administrators: take the manager role away"),
]


@dataclass(frozen=True)
class CaseLine:
    reference: str
    channel_id: str
    role: str
    everyone_agreed: bool
    schedule: ScheduleView | None = None


NO_CASES = "You have no open cases. A manager opens one with `/case open` in a case channel."


def case_list(lines: list[CaseLine]) -> str:
    if not lines:
        return NO_CASES
    return "*Your open cases*\n" + "\n".join(_case_row(line) for line in lines)


def _case_row(line: CaseLine) -> str:
    return (
        f"• *{slack_escape(line.reference)}* in <#{line.channel_id}>: {line.role}"
        f"{'' if line.everyone_agreed else ' (agreement waiting for confirmation)'}"
        f"{_list_schedule(line.schedule)}"
    )


def _list_schedule(schedule: ScheduleView | None) -> str:
    if schedule is None:
        return ""
    text = f". Next discussion {slack_date(schedule.next_discussion)}" if schedule.next_discussion else ""
    if schedule.overdue:
        text += f". {len(schedule.overdue)} not held yet"
    return text


def _cadence(a: AgreementView) -> str:
    if a.discussion_frequency == "custom":
        base = a.discussion_custom or "custom"
    else:
        base = terms.DISCUSSION_FREQUENCIES.get(a.discussion_frequency, a.discussion_frequency).lower()
    when = []
    if a.discussion_weekday is not None:
        when.append(f"on {terms.next_weekday_label(a.discussion_weekday)}s")
    if a.discussion_time:
        when.append(f"at {a.discussion_time}")
    return " ".join([base, *when])


def _induction_note(until: date | None) -> str:
    """The agreement's cadence runs after the developing worker's weekly induction discussions (if any)."""
    return f" (weekly until {until.day} {until:%b %Y} while the developing worker is new)" if until else ""


def _who(value: str | None) -> str:
    return terms.WHO.get(value or "", "not agreed")
