"""Opening a co-worked case: the agreement modal and saving it (co-workers agree in `flows_agreement`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.cases import flows_channel as channel
from bot.cases import rules_agreements as agreements
from bot.cases.blocks_modals import read_agreement_form
from bot.cases.flows_open import REFUSE_OPEN
from bot.cases.flows_versions import agreement_row, record_first
from bot.cases.rules_agreements import AgreementForm
from bot.cases.rules_change import FIRST_REASON
from bot.deps import Deps
from bot.ids import Block
from bot.kernel import access, people, thread
from bot.kernel import rules_permissions as permissions
from bot.kernel.rules_conversations import is_direct_message
from bot.kernel.rules_permissions import UserFacts
from bot.reminders import flows_schedule as schedule
from storage import intake, note_admin
from storage import repository as repo
from storage.db import single_statements
from storage.models import (
    Case,
    CaseMember,
    CaseStatus,
    Experience,
    MemberRole,
    OutboxKind,
)

log = logging.getLogger(__name__)


GUEST_MANAGER = (
    "Your Slack account is a guest account. Guests can't open or manage a case (no guests on a case): "
    "ask your team manager, or an administrator to check your account."
)


@dataclass(frozen=True)
class Submission:
    team_id: str
    user_id: str
    view_id: str
    channel_id: str
    values: dict[str, Any]


def submission_from(body: dict[str, Any]) -> Submission:
    view = body["view"]
    return Submission(
        team_id=body["team"]["id"],
        user_id=body["user"]["id"],
        view_id=view["id"],
        channel_id=json.loads(view.get("private_metadata") or "{}").get("channel_id", ""),
        values=view["state"]["values"],
    )


@dataclass
class Submitted:
    """Field errors to acknowledge with (None: accepted) and the work for after the ack."""

    errors: dict[str, str] | None = None
    then: Callable[[], None] = field(default=lambda: None)


STILL_CHECKING = "I'm still checking {who} with Slack: press *Save agreement* again in a moment."
SLACK_BUSY = "Slack is busy, so I couldn't check {who} just now: try again in a moment."
TAKEN = (
    "A case with the reference {reference} was opened at the same moment, so this one was not opened. "
    "Run `/case open` again with its own reference."
)
NOT_SAVED = "I couldn't save the case just now. What you entered is kept: I'll open it within a few minutes."
AGREEMENT_FORM = "agreement"  # its kind in storage/intake.py


def submit_agreement(deps: Deps, client: WebClient, sub: Submission) -> Submitted:
    """Check the form before the ack, with no Slack call (people come from the cache), and keep it with one
    insert; save it after the ack (about 50 statements, which on SQLite would queue for the one write
    lock behind every other request's writes). A kept form whose save never ran is saved by the next
    scheduled pass (flows_intake.py), so an acknowledged form is never lost.

    Someone the cache doesn't know yet is looked up after the ack and the form asks to save again.
    """
    form = read_agreement_form(sub.values)
    now = deps.clock()
    # The manager saving the form is looked up too: a guest given the role by mistake is refused.
    picked = [*form.coworkers, *([form.lead] if form.lead else []), sub.user_id]
    cached = people.cached_users(deps, picked, now=now)
    waiting = [*cached.unknown, *cached.busy]
    errors = _agreement_errors(deps, sub, form, cached, now=now)
    if errors or waiting:
        # After the ack: ask Slack about whoever the cache didn't know, so the next Save can be answered.
        return Submitted(errors, then=lambda: _look_up(deps, client, waiting, now=now, sub=sub))
    zones = {u: tz for u, (_f, tz) in cached.found.items()}
    handed = deps.forms_to_workers  # `casebot web`: a worker saves it, woken by the keep's commit
    with single_statements(deps.engine) as connection:  # one statement: no session's bookkeeping
        intake.keep(
            connection,
            team_id=sub.team_id,
            kind=AGREEMENT_FORM,
            view_id=sub.view_id,
            user_id=sub.user_id,
            channel_id=sub.channel_id,
            values=sub.values,
            now=now,
            zones=zones,
            to_workers=handed,
        )
    return Submitted() if handed else Submitted(then=lambda: open_kept(deps, client, sub, form, zones))


def open_kept(
    deps: Deps, client: WebClient, sub: Submission, form: AgreementForm, zones, *, told=True
) -> None:
    """After the ack: save the case, then count who else can read its thread (the card shows how many,
    the manager is told who). The modal has closed, so a save that fails is told in the channel."""
    try:
        case_id = _save(deps, sub, form, zones=zones)
    except IntegrityError:  # another form took this reference between our check and our insert
        with deps.sessions.begin() as session:
            intake.drop(session, team_id=sub.team_id, view_id=sub.view_id)
        thread.tell(client, sub.channel_id, sub.user_id, TAKEN.format(reference=form.reference))
        return
    except SQLAlchemyError:  # the form stays kept: the next scheduled pass tries again
        if told:
            thread.tell(client, sub.channel_id, sub.user_id, NOT_SAVED)
        raise
    if case_id is not None:  # None: a double-clicked Save, the first one opened it
        log.info("case opened", extra={"case_id": case_id, "user_id": sub.user_id})
        channel.after_open(deps, client, case_id)


def _look_up(deps: Deps, client: WebClient, user_ids: list[str], *, now, sub: Submission) -> None:
    if user_ids:
        people.look_up_users(client, user_ids, deps=deps, now=now)
    channel.refresh_if_stale(deps, client, sub.channel_id, now)  # refuse mode: members not read lately


def _agreement_errors(
    deps: Deps, sub: Submission, form: AgreementForm, cached: people.Cached, *, now
) -> dict[str, str]:
    if nul := agreements.nul_problems(sub.values):
        return nul  # checked first: PostgreSQL refuses NUL in text, so the reference is not looked up
    # Read without the write lock (before the ack, behind no other request's writes); only a refusal
    # is written, in a transaction of its own.
    with deps.reads() as session:
        asked = {"team_id": sub.team_id, "user_id": sub.user_id, "reference": form.reference}
        role, in_use = intake.checks(session.connection(), **asked)
    manager = permissions.can_open_case(people.actor_with_role(deps.settings, user_id=sub.user_id, role=role))
    opener = cached.found.get(sub.user_id)
    if not manager or (opener is not None and opener[0].is_guest):
        detail = {"via": "agreement form", **({} if not manager else {"reason": "guest"})}
        with deps.sessions.begin() as session:
            repo.add_audit(
                session,
                team_id=sub.team_id,
                now=now,
                actor=sub.user_id,
                action="case.open",
                outcome="denied",
                object_type="channel",
                object_id=sub.channel_id,
                detail=detail,
            )
        return {Block.REFERENCE: REFUSE_OPEN if not manager else GUEST_MANAGER}
    waiting = {u: UserFacts(exists=True) for u in [*cached.unknown, *cached.busy]}
    errors = agreements.validate(
        form,
        today=now.date(),
        reference_pattern=deps.settings.reference_pattern,
        users={**{user_id: facts for user_id, (facts, _tz) in cached.found.items()}, **waiting},
        reference_in_use=in_use,
    )
    if is_direct_message(sub.channel_id):  # a form opened before DMs were refused: no Slack call needed
        errors[Block.REFERENCE] = channel.DIRECT_MESSAGE
    elif exposed := channel.refusal(deps, sub.channel_id, [*form.coworkers, sub.user_id], now):
        errors.setdefault(Block.COWORKERS, exposed)
    for message, ids in ((SLACK_BUSY, cached.busy), (STILL_CHECKING, cached.unknown)):
        if ids:
            block = Block.COWORKERS if set(ids) & set(form.coworkers) else Block.LEAD
            errors.setdefault(block, message.format(who=", ".join(f"<@{u}>" for u in ids)))
    return errors


def _save(deps: Deps, sub: Submission, form: AgreementForm, *, zones: dict[str, str | None]) -> int | None:
    now = deps.clock()
    with deps.sessions.begin() as session:
        repo.ensure_workspace(session, team_id=sub.team_id, now=now)
        intake.drop(session, team_id=sub.team_id, view_id=sub.view_id)  # saved, or saved already
        if not repo.claim_once(
            session,
            team_id=sub.team_id,
            key=f"view_submission:{sub.view_id}",
            kind="view_submission",
            now=now,
        ):
            return None  # a double-clicked Save: the first one already opened the case
        found = people.remember_time_zones(  # everyone on the form, in one query
            session, team_id=sub.team_id, zones=zones, now=now, also=[sub.user_id, *form.coworkers]
        )
        manager = found[sub.user_id]
        case = Case(
            team_id=sub.team_id,
            reference=form.reference,
            channel_id=sub.channel_id,
            status=CaseStatus.OPEN,
            manager_id=manager.id,
            created_at=now,
            previous_case_id=note_admin.newest_case(session, team_id=sub.team_id, reference=form.reference),
        )
        session.add(case)
        session.flush()
        for user_id in form.coworkers:
            session.add(
                CaseMember(
                    team_id=sub.team_id,
                    case_id=case.id,
                    person_id=found[user_id].id,
                    role=MemberRole.LEAD if user_id == form.lead else MemberRole.CO_WORKER,
                    experience=Experience.DEVELOPING
                    if user_id in form.developing
                    else Experience.EXPERIENCED,
                )
            )
        agreement = agreement_row(
            form,
            team_id=sub.team_id,
            case_id=case.id,
            version=1,
            created_by_id=manager.id,
            reason=FIRST_REASON,
            now=now,
        )
        session.add(agreement)
        session.flush()
        session.refresh(case)  # members and agreements, for planning from the agreed cadence
        schedule.plan_case(deps, session, case, agreement, now)
        access.record(
            session, case, user_id=sub.user_id, action="case.open", now=now, detail={"agreement_version": 1}
        )
        record_first(deps, session, case, form, user_id=sub.user_id, now=now)  # a management decision note
        repo.enqueue(
            session,
            team_id=sub.team_id,
            case_id=case.id,
            kind=OutboxKind.POST_CARD,
            payload={"case_id": case.id},
            now=now,
        )
        repo.enqueue(
            session,
            team_id=sub.team_id,
            case_id=case.id,
            kind=OutboxKind.POST_AGREEMENT,
            payload={"case_id": case.id, "agreement_id": agreement.id},
            now=now,
        )
        return case.id
