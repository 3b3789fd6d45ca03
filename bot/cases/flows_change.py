"""`/case agreement [REF]`: the agreement as it stands, and the manager's *Change* (a new version).

Reading is for the case's co-workers, its manager and admins; changing is for its manager and admins.
Every refusal is audited. The change form is the agreement form pre-filled from the current version
(bot/cases/blocks_change.py), with the version it was opened on in its private_metadata: saving on a
version that has meanwhile been replaced is refused, and a double submission acts once. Saving is
`flows_change_save.save`, in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases import flows_change_save as saving
from bot.cases import flows_channel as channel
from bot.cases import rules_agreements as agreements
from bot.cases import rules_change as rules
from bot.cases.blocks import agreement_post
from bot.cases.blocks_change import agreement_answer, change_modal, read_change, read_metadata
from bot.cases.blocks_modals import read_agreement_form
from bot.cases.flows import SLACK_BUSY, STILL_CHECKING, Submitted
from bot.cases.presenters import case_view
from bot.cases.rules_agreements import AgreementForm
from bot.deps import Deps
from bot.ids import Block
from bot.kernel import access, people, thread
from bot.kernel import rules_permissions as permissions
from bot.kernel.rules_permissions import UserFacts
from bot.kernel.rules_text import slack_escape
from bot.reminders import flows_schedule as schedule
from storage import repository as repo
from storage.models import ActionStatus, Case, CaseStatus, Experience, MemberRole, NoteAction
from storage.review_dates import review_date

log = logging.getLogger(__name__)

USAGE = "Use `/case agreement [REF]` in the case's channel to see the case's co-working agreement."
EXPIRED = "This form has expired. Close it and run `/case agreement` again."
GONE = "I can't find that case any more."
CLOSED = "This case is closed: its agreement can no longer change."
MANAGERS_ONLY = "Only the case's manager (or an admin) can change the agreement."
LEFT_IN_CHANNEL = (
    "{who} left case {reference} but can still read its thread in <#{channel}>: casebot refuses them from "
    "now on. Remove them from the channel if they should no longer read it."
)
READERS_ONLY = "Only the case's co-workers, its manager and administrators can see its agreement."


def may_change(deps: Deps, session: Session, case: Case, *, user_id: str) -> bool:
    who = people.actor(session, deps.settings, team_id=case.team_id, user_id=user_id)
    return who.is_admin or user_id == case.manager.slack_user_id


def from_command(deps: Deps, client: WebClient, body: dict[str, Any], args: tuple[str, ...]) -> None:
    """The agreement, ephemeral; `/case agreement [REF] change` opens the change form at once."""
    team_id, user_id, channel_id = body["team_id"], body["user_id"], body["channel_id"]
    now = deps.clock()
    with deps.sessions.begin() as session:
        found = access.case_for_command(
            session, team_id=team_id, channel_id=channel_id, words=args, usage=USAGE
        )
        if found.case is None:
            text, blocks, view = found.problem or USAGE, None, None
        elif [w.lower() for w in found.rest] == ["change"]:
            text, blocks, view = _change_view_or_refusal(deps, session, found.case, user_id=user_id, now=now)
        else:
            text, blocks = answer(deps, session, found.case, user_id=user_id, now=now)
            view = None
    if view is not None:
        client.views_open(trigger_id=body["trigger_id"], view=view)
        people.warm_users(deps, client, now=now)
        return
    thread.tell(client, channel_id, user_id, text, blocks=blocks)


def answer(
    deps: Deps, session: Session, case: Case, *, user_id: str, now: datetime
) -> tuple[str, list[dict[str, Any]] | None]:
    """What a reader sees (the text and blocks), or the refusal (audited) for anyone else."""
    who = people.actor(session, deps.settings, team_id=case.team_id, user_id=user_id)
    members = [m.person.slack_user_id for m in case.members]
    if not permissions.can_view_case(who, member_ids=members, manager_id=case.manager.slack_user_id):
        access.deny(session, case, user_id=user_id, action="agreement.view", now=now)
        return READERS_ONLY, None
    access.record(session, case, user_id=user_id, action="agreement.view", now=now)
    view = case_view(case, induction_until=schedule.induction_until(deps, case, now))
    text, blocks = agreement_post(view, deps.content)
    terms = blocks[: next((i for i, b in enumerate(blocks) if b.get("type") == "divider"), len(blocks))]
    return text, agreement_answer(
        terms,
        case_id=case.id,
        confirmed=[m.user_id for m in view.members if m.agreed],
        waiting=[m.user_id for m in view.members if not m.agreed],
        may_change=case.status == CaseStatus.OPEN and (who.is_admin or user_id == case.manager.slack_user_id),
    )


def open_change(deps: Deps, client: WebClient, body: dict[str, Any], value: str) -> str | None:
    """*Change* under the agreement: the change form, or what to tell the person (refusals audited)."""
    if not value.isdigit():
        return EXPIRED
    user_id, now = body["user"]["id"], deps.clock()
    with deps.sessions.begin() as session:
        case = repo.load_case(session, case_id=int(value))
        if case is None or case.team_id != body["team"]["id"]:
            return GONE
        problem, _blocks, view = _change_view_or_refusal(deps, session, case, user_id=user_id, now=now)
    if view is None:
        return problem
    client.views_open(trigger_id=body["trigger_id"], view=view)
    people.warm_users(deps, client, now=now)  # so that saving is answered at once, from the cache
    return None


def _change_view_or_refusal(
    deps: Deps, session: Session, case: Case, *, user_id: str, now: datetime
) -> tuple[str, None, dict[str, Any] | None]:
    if not may_change(deps, session, case, user_id=user_id):
        access.deny(session, case, user_id=user_id, action="agreement.change", now=now)
        return MANAGERS_ONLY, None, None
    if case.status != CaseStatus.OPEN:
        return CLOSED, None, None
    return "", None, change_view(deps, session, case, now=now)


def current_form(case: Case) -> AgreementForm:
    """The agreement form as the case stands: the latest version's terms and today's co-workers."""
    agreement = schedule.current_agreement(case)
    terms = {name: getattr(agreement, name) for name in agreements.TERMS}
    return AgreementForm(
        reference=case.reference,
        coworkers=tuple(m.person.slack_user_id for m in case.members),
        lead=next((m.person.slack_user_id for m in case.members if m.role == MemberRole.LEAD), None),
        developing=tuple(
            m.person.slack_user_id for m in case.members if m.experience == Experience.DEVELOPING
        ),
        **terms | {"reasons": tuple(agreement.reasons), "responsibilities": dict(agreement.responsibilities)},
    )


def change_view(deps: Deps, session: Session, case: Case, *, now: datetime) -> dict[str, Any]:
    """The change form for this case (also what the review's *change* decision turns into)."""
    agreement = schedule.current_agreement(case)
    form = replace(current_form(case), review_date=review_date(session, agreement))  # as a review left it
    return change_modal(
        reference=case.reference, case_id=case.id, version=agreement.version, form=form, today=now.date()
    )


def submit(deps: Deps, client: WebClient, body: dict[str, Any]) -> Submitted:
    """Check the change field by field (people from the cache, no Slack call before the ack) and save it."""
    view, team_id, user_id = body["view"], body["team"]["id"], body["user"]["id"]
    opened_on = read_metadata(view.get("private_metadata"))
    if opened_on is None:
        return Submitted({rules.REASON_BLOCK: EXPIRED})
    values = view["state"]["values"]
    if nul := agreements.nul_problems(values):
        return Submitted(nul)
    case_id, version = opened_on
    typed = read_agreement_form(values)
    reason, reassign_to = read_change(values)
    now = deps.clock()
    picked = [
        *typed.coworkers,
        *([typed.lead] if typed.lead else []),
        *([reassign_to] if reassign_to else []),
    ]
    cached = people.cached_users(deps, picked, now=now)
    waiting = [*cached.unknown, *cached.busy]
    key = f"agreement_change:{view['id']}"
    with deps.sessions.begin() as session:
        case = repo.load_case(session, case_id=case_id)
        if case is None or case.team_id != team_id:
            return Submitted({rules.REASON_BLOCK: GONE})
        if not may_change(deps, session, case, user_id=user_id):
            access.deny(session, case, user_id=user_id, action="agreement.change", now=now)
            return Submitted({rules.REASON_BLOCK: MANAGERS_ONLY})
        if repo.was_claimed(session, team_id=team_id, key=key):
            return Submitted()  # a double-clicked Save: the first one saved the new version
        if case.status != CaseStatus.OPEN:
            return Submitted({rules.REASON_BLOCK: CLOSED})
        current = schedule.current_agreement(case)
        if current.version != version:
            return Submitted({rules.REASON_BLOCK: rules.STALE.format(version=current.version)})
        form = replace(typed, reference=case.reference)
        before = current_form(case)
        moved = rules.moves(_membership(before), _membership(form))
        what = rules.changed(rules.as_terms(before), rules.as_terms(form))
        errors = _errors(deps, form, cached, reassign_to=reassign_to)
        asked = rules.change_problems(
            reason=reason,
            reassign_to=reassign_to,
            leaving_with_items=_open_actions(session, case, moved.leaving),
            coworkers=form.coworkers,
            manager_id=case.manager.slack_user_id,
            what_changed=what,
        )
        errors = {**asked, **errors}
        if errors or waiting:
            return Submitted(errors, then=lambda: _look_up(deps, client, waiting, now=now))
        if not repo.claim_once(session, team_id=team_id, key=key, kind="view_submission", now=now):
            return Submitted()
        where = (case.channel_id, case.reference)
        saving.save(
            deps,
            session,
            case,
            form,
            saving.Change(
                reason=reason, reassign_to=reassign_to, moved=moved, what=what, version=version + 1
            ),
            user_id=user_id,
            zones={u: tz for u, (_f, tz) in cached.found.items()},
            now=now,
        )
    log.info("agreement changed", extra={"case_id": case_id, "user_id": user_id})
    return Submitted(then=lambda: _after_change(deps, client, case_id, where, moved.leaving, user_id))


def _after_change(
    deps: Deps,
    client: WebClient,
    case_id: int,
    where: tuple[str, str],
    leaving: tuple[str, ...],
    user_id: str,
) -> None:
    """After the ack: recount who can read the thread without being on the case (the card's count), and
    tell the manager if a co-worker who left is still in the channel: casebot refuses them, Slack does not."""
    channel.check_case(deps, client, case_id, in_channel=True)
    channel_id, reference = where
    if not leaving:
        return
    try:
        members = channel.channel_members(deps, client, channel_id)
    except SlackApiError:
        return
    if still := [u for u in leaving if u in members]:
        who = ", ".join(f"<@{u}>" for u in still)
        thread.tell(
            client,
            channel_id,
            user_id,
            LEFT_IN_CHANNEL.format(who=who, reference=slack_escape(reference), channel=channel_id),
        )


def _membership(form: AgreementForm) -> rules.Membership:
    return rules.Membership(coworkers=form.coworkers, lead=form.lead, developing=form.developing)


def _errors(
    deps: Deps, form: AgreementForm, cached: people.Cached, *, reassign_to: str | None
) -> dict[str, str]:
    waiting = {u: UserFacts(exists=True) for u in [*cached.unknown, *cached.busy]}
    errors = agreements.validate(
        form,
        today=deps.clock().date(),
        reference_pattern=".*",  # the reference is the case's own and is not on this form
        users={**{user_id: facts for user_id, (facts, _tz) in cached.found.items()}, **waiting},
        reference_in_use=False,
    )
    errors.pop(Block.REFERENCE, None)
    if reassign_to and (facts := cached.found.get(reassign_to)) and facts[0].deleted:
        errors[rules.REASSIGN_BLOCK] = f"<@{reassign_to}> has been deactivated. Choose a current member."
    for message, ids in ((SLACK_BUSY, cached.busy), (STILL_CHECKING, cached.unknown)):
        if ids:
            block = Block.COWORKERS if set(ids) & set(form.coworkers) else rules.REASSIGN_BLOCK
            errors.setdefault(block, message.format(who=", ".join(f"<@{u}>" for u in ids)))
    return errors


def _open_actions(session: Session, case: Case, leaving: tuple[str, ...]) -> dict[str, int]:
    """How many open actions each co-worker who leaves still owns."""
    if not leaving:
        return {}
    owners = session.scalars(
        select(NoteAction.owner_id).where(
            NoteAction.case_id == case.id,
            NoteAction.owner_id.in_(leaving),
            NoteAction.status.in_((ActionStatus.OPEN, ActionStatus.CANNOT)),
        )
    ).all()
    return {u: owners.count(u) for u in leaving}


def _look_up(deps: Deps, client: WebClient, user_ids: list[str], *, now: datetime) -> None:
    if user_ids:
        people.look_up_users(client, user_ids, deps=deps, now=now)
