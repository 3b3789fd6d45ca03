"""Recording a discussion as a signed-off note: opening the summary form, checking it, saving it.

The form opens from *Wrap up*, *We met offline*, *Write the summary* (wrap-up note, card, late-summary
reminder) and `/case record [REF]`, for anyone who may take part in the case. Saving writes the note,
its first version (content hash), its actions and any learning-evidence entry in ONE transaction,
claimed by the form's view id so a double submission saves once. Checks (likely identifiers, actions
that are not SMART) come back as errors next to their fields; ticking *Keep* and saving again confirms
only the warnings that were shown, and those confirmations are kept with the note.

The checks are in flows_checks.py (shared with amendments), the saving in flows_save.py.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.ids import Block
from bot.kernel import access, thread
from bot.kernel import people as people_flow
from bot.kernel.blocks_limits import slack_length
from bot.notes import blocks, rules_sharing
from bot.notes import flows_draft as summary_draft
from bot.notes import rules_drafting as drafting
from bot.notes import rules_signoff as signoff
from bot.notes.blocks_sharing import sharing_block
from bot.notes.flows_checks import findings, kept, unconfirmed_errors
from bot.notes.flows_save import save
from bot.reminders import flows_buttons as occurrences
from storage import discussions as store
from storage import notes as note_store
from storage import repository as repo
from storage.models import Case, Discussion, DiscussionStatus

USAGE_RECORD = "Use `/case record [REF]`, e.g. `/case record CASE-1`."
STILL_ACTIVE = (
    "The discussion is still under way. Press *Wrap up* on its current question: that opens the summary form."
)
FIRST_FIELD = blocks.section_block("happened")
FURTHEST_DUE = timedelta(days=366)
SHARING_MISSING = {
    "with_whom": "Say who it was shared with: a role or agency, not a name.",
    "why": "Say why it was shared.",
    "basis": "Say on what basis, e.g. consent, child protection, a legal duty.",
    "consent": "Choose whether consent was given, not sought or overridden.",
    "decided_by": "Say who decided to share it.",
}


# ---------------------------------------------------------------- opening the form


def open_for_discussion(
    deps: Deps, client: WebClient, *, team_id: str, user_id: str, trigger_id: str, discussion_id: str
) -> str | None:
    """*Wrap up* (after it has wrapped), *Write the summary*, or a late-summary reminder's button."""
    now = deps.clock()
    with deps.sessions.begin() as session:
        discussion = session.get(Discussion, int(discussion_id)) if discussion_id.isdigit() else None
        case = repo.load_case(session, case_id=discussion.case_id) if discussion else None
        if discussion is None or case is None or case.team_id != team_id:
            return access.GONE
        if not access.may_take_part(deps, session, case, user_id=user_id, now=now):
            return access.deny(
                session,
                case,
                user_id=user_id,
                action="summary.open",
                now=now,
                object_type="discussion",
                object_id=discussion.id,
            )
        if problem := _not_recordable(session, discussion):
            return problem
        found = _form_facts(deps, session, case, discussion, user_id=user_id, now=now)
    view = _form(deps, client, case, discussion, found, user_id=user_id, now=now)
    client.views_open(trigger_id=trigger_id, view=view)
    return None


def met_offline(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    clicked: occurrences.Clicked | None,
    trigger_id: str,
    value: str,
) -> str | None:
    """A reminder's *We met offline*: the occurrence is held (as before), and for a discussion the
    summary form opens at once; closing it leaves the summary waiting, and chased, like any other."""
    problem = occurrences.held(deps, team_id=team_id, user_id=user_id, value=value, clicked=clicked)
    if problem:
        return problem
    item_id = value.partition(":")[0]
    with deps.sessions.begin() as session:
        met = store.discussion_holding(session, item_id=int(item_id)) if item_id.isdigit() else None
    if met is None:
        return None  # a supervision check-in or review: nothing to summarise here
    return open_for_discussion(
        deps, client, team_id=team_id, user_id=user_id, trigger_id=trigger_id, discussion_id=str(met.id)
    )


def open_from_command(deps: Deps, client: WebClient, body: dict[str, Any], args: tuple[str, ...]) -> None:
    """`/case record [REF]`: the wrapped-up discussion still to record, else a meeting held offline."""
    now = deps.clock()
    team_id, user_id, channel_id = body["team_id"], body["user_id"], body["channel_id"]
    ready: tuple[Discussion | None, _FormFacts] | None = None
    with deps.sessions.begin() as session:
        found = access.case_for_command(
            session, team_id=team_id, channel_id=channel_id, words=args, usage=USAGE_RECORD
        )
        problem, case = found.problem, found.case
        if case is not None and problem is None:
            if not access.may_take_part(deps, session, case, user_id=user_id, now=now):
                problem = access.deny(session, case, user_id=user_id, action="summary.open", now=now)
            elif store.active_discussion(session, case_id=case.id) is not None:
                problem = STILL_ACTIVE
            else:
                waiting = store.current_discussion(session, case_id=case.id)
                ready = waiting, _form_facts(deps, session, case, waiting, user_id=user_id, now=now)
    if problem or ready is None or case is None:
        thread.tell(client, channel_id, user_id, problem or USAGE_RECORD)
        return
    view = _form(deps, client, case, ready[0], ready[1], user_id=user_id, now=now)
    client.views_open(trigger_id=body["trigger_id"], view=view)


def _not_recordable(session: Session, discussion: Discussion) -> str | None:
    if discussion.status == DiscussionStatus.ACTIVE:
        return STILL_ACTIVE
    if discussion.status == DiscussionStatus.RECORDED:
        note = note_store.note_of_discussion(session, discussion_id=discussion.id)
        number = f" as note {note.number}" if note else ""
        return f"This discussion has already been recorded{number}. Use `/case notes` to read or amend it."
    return None


_FormFacts = tuple[drafting.DiscussionFacts, tzinfo]  # read in the transaction; names come after it


def _form_facts(
    deps: Deps, session: Session, case: Case, discussion: Discussion | None, *, user_id: str, now: datetime
) -> _FormFacts:
    facts = summary_draft.facts(deps, session, case, discussion, recorder_id=user_id, now=now)
    return facts, summary_draft.tz_for(deps, session, case, user_id)


def _form(
    deps: Deps,
    client: WebClient | None,
    case: Case,
    discussion: Discussion | None,
    found: _FormFacts,
    *,
    user_id: str,
    now: datetime,
) -> dict[str, Any]:
    """The summary form. Built after the transaction: naming people asks Slack (users.info), which must
    not happen while the transaction holds SQLite's one write lock."""
    facts, tz = found
    people = set(facts.participant_ids) | {user_id}
    people |= {o for item in facts.items for o in item.owner_ids}
    names = people_flow.display_names(client, sorted(people))
    draft = drafting.draft(facts, names=names, tz=tz, render=summary_draft.render(deps))
    rows = summary_draft.action_rows(facts, names)
    offline = discussion is None or discussion.mode == "offline"
    return blocks.summary_modal(
        reference=case.reference,
        draft=draft,
        actions=rows,
        more_actions=max(0, len(rows) - blocks.ACTION_ROWS),
        context_=blocks.SummaryContext(case.id, discussion.id if discussion else None, names),
        offline_day=(discussion.started_at if discussion else now).astimezone(tz).date() if offline else None,
        retention_days=deps.settings.raw_text_retention_days,
        sharing=summary_draft.sharing_entries(facts, names),
    )


# ---------------------------------------------------------------- submitting


def submit(deps: Deps, body: dict[str, Any]) -> dict[str, str] | None:
    """Field errors for the summary form, or None once the note is saved (or already was, by this form)."""
    view, team_id, user_id = body["view"], body["team"]["id"], body["user"]["id"]
    context = blocks.SummaryContext.loads(view.get("private_metadata"))
    if context is None:
        return {FIRST_FIELD: "This form has expired. Close it and open the summary again."}
    form = blocks.read_summary(view["state"]["values"])
    now = deps.clock()
    with deps.sessions.begin() as session:
        case = repo.load_case(session, case_id=context.case_id)
        if case is None or case.team_id != team_id:
            return {FIRST_FIELD: "This case no longer exists."}
        discussion = session.get(Discussion, context.discussion_id) if context.discussion_id else None
        if context.discussion_id and (discussion is None or discussion.case_id != case.id):
            return {FIRST_FIELD: access.GONE}
        if not access.may_take_part(deps, session, case, user_id=user_id, now=now):
            refusal = access.deny(session, case, user_id=user_id, action="note.create", now=now)
            return {FIRST_FIELD: refusal}
        tz = summary_draft.tz_for(deps, session, case, user_id)
        today = now.astimezone(tz).date()
        # Everything to fix is shown at once, each next to its field.
        errors = _form_errors(form, today, offline=discussion is None or discussion.mode == "offline")
        errors |= {b: e for b, e in _owner_errors(form, case).items() if b not in errors}
        found = findings(form, today, deps.settings.reference_pattern, deps.settings.holiday_country)
        warned = unconfirmed_errors(session, team_id, view["id"], found, keep=form.keep, now=now)
        for block_id, warning in warned.items():
            errors[block_id] = f"{errors[block_id]} {warning}" if block_id in errors else warning
        if errors:
            return errors
        claim = f"summary:{view['id']}"
        if repo.was_claimed(session, team_id=team_id, key=claim):
            return None  # a double submission: the first one saved it
        # Checked before claiming, so a form refused here can be saved again once it can be.
        if discussion is not None and (problem := _not_recordable(session, discussion)):
            return {FIRST_FIELD: problem}
        if not repo.claim_once(session, team_id=team_id, key=claim, kind="view", now=now):
            return None
        save(
            deps,
            session,
            case,
            discussion,
            form,
            user_id=user_id,
            tz=tz,
            kept=kept(found),
            now=now,
            names=context.names,
        )
    return None


def _form_errors(form: blocks.Submitted, today: date, *, offline: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not summary_draft.without_prompts(form.sections.get("happened", "")):
        errors[FIRST_FIELD] = "Say what happened: what was discussed, observed or reported."
    if offline and (form.event_day is None or form.event_day > today):
        errors[Block.EVENT_DAY] = "Pick the day you met: today or earlier."
    for number, row in form.actions:
        if not row.text:
            errors[blocks.action_block(number, "text")] = "Describe the action, or clear its other fields."
        elif row.due is not None and not today <= row.due <= today + FURTHEST_DUE:
            errors[blocks.action_block(number, "due")] = "Pick a date from today to a year ahead."
    for number, entry in form.sharing:
        if not entry["what"]:
            errors[sharing_block(number, "what")] = (
                "Say what was shared, or clear this decision's other fields."
            )
            continue
        for part in rules_sharing.missing(entry):
            errors[sharing_block(number, part)] = SHARING_MISSING[part]
    typed = {key: summary_draft.without_prompts(text) for key, text in form.sections.items()}
    for key, problem in signoff.problems(typed).items():
        errors.setdefault(blocks.section_block(key), problem)
    for key, text in form.sections.items():
        if slack_length(text) > drafting.MAX_FIELD:
            errors[blocks.section_block(key)] = f"Keep this under {drafting.MAX_FIELD} characters."
    return errors


def _owner_errors(form: blocks.Submitted, case: Case) -> dict[str, str]:
    """An action's owner must be on the case: its follow-up DM carries the action's words."""
    allowed = {m.person.slack_user_id for m in case.members} | {case.manager.slack_user_id}
    return {
        blocks.action_block(number, "owner"): "Choose one of the case's co-workers or its manager."
        for number, row in form.actions
        if row.owner_id and row.owner_id not in allowed
    }
