"""The agreement once saved: a co-worker confirming it (*Agree*), and the card's *Agreement* button."""

from __future__ import annotations

from bot.cases import flows_change as change
from bot.deps import Deps
from bot.kernel import access, people
from bot.kernel import rules_permissions as permissions
from storage import repository as repo
from storage.models import Agreement, AgreementAcceptance, OutboxKind


def agree(deps: Deps, *, team_id: str, user_id: str, value: str) -> str | None:
    """Record a co-worker's agreement. Returns a message for the clicker when it cannot be recorded."""
    agreement_id, _, for_user = value.partition(":")
    now = deps.clock()
    with deps.sessions.begin() as session:
        agreement = session.get(Agreement, int(agreement_id)) if agreement_id.isdigit() else None
        case = repo.load_case(session, case_id=agreement.case_id) if agreement else None
        if agreement is None or case is None or case.team_id != team_id:
            return "I can't find that agreement any more."
        coworkers = [m.person.slack_user_id for m in case.members]
        who = people.actor(session, deps.settings, team_id=team_id, user_id=user_id)
        if not permissions.can_agree(who, for_user_id=for_user, coworker_ids=coworkers):
            access.deny(
                session,
                case,
                user_id=user_id,
                action="agreement.agree",
                now=now,
                object_type="agreement",
                object_id=agreement.id,
            )
            return f"Only <@{for_user}> can confirm their own agreement."
        if agreement.version != max(a.version for a in case.agreements):
            return "This version of the agreement has been replaced. Please read and agree to the latest one."
        person = repo.ensure_person(session, team_id=team_id, slack_user_id=user_id)
        acceptance = AgreementAcceptance(
            team_id=team_id, agreement_id=agreement.id, person_id=person.id, accepted_at=now
        )
        if not repo.insert_once(session, acceptance):
            return None  # a double click: the unique (agreement, person) row is already there
        access.record(
            session,
            case,
            user_id=user_id,
            action="agreement.agree",
            now=now,
            object_type="agreement",
            object_id=agreement.id,
        )
        repo.enqueue_card_update(session, case=case, now=now)
        repo.enqueue(
            session,
            team_id=team_id,
            case_id=case.id,
            kind=OutboxKind.UPDATE_AGREEMENT,
            payload={"case_id": case.id, "agreement_id": agreement.id},
            now=now,
        )
    return None


def show_agreement(deps: Deps, *, team_id: str, user_id: str, case_id: int) -> str | list:
    """The current agreement for a case member, its manager or an admin (with *Change* for the manager
    and admins); a refusal (audited) for others."""
    now = deps.clock()
    with deps.sessions.begin() as session:
        case = repo.load_case(session, case_id=case_id)
        if case is None or case.team_id != team_id:
            return "I can't find that case."
        text, blocks = change.answer(deps, session, case, user_id=user_id, now=now)
        return blocks if blocks is not None else text
