"""From stored rows to the plain data the Block Kit builders take."""

from __future__ import annotations

from bot.blocks.messages import AgreementView, CaseLine, CaseView, MemberView
from bot.services.agreements import TERMS
from storage.models import Agreement, Case, Experience


def agreement_view(agreement: Agreement) -> AgreementView:
    terms = {name: getattr(agreement, name) for name in TERMS}
    return AgreementView(
        agreement_id=agreement.id,
        version=agreement.version,
        **terms | {"reasons": tuple(agreement.reasons), "responsibilities": dict(agreement.responsibilities)},
    )


def current_agreement(case: Case) -> Agreement:
    return max(case.agreements, key=lambda a: a.version)


def case_view(case: Case) -> CaseView:
    agreement = current_agreement(case)
    agreed = {acceptance.person_id for acceptance in agreement.acceptances}
    return CaseView(
        case_id=case.id,
        reference=case.reference,
        status=case.status.value,
        manager_id=case.manager.slack_user_id,
        members=tuple(
            MemberView(
                user_id=m.person.slack_user_id,
                role=m.role.value,
                developing=m.experience == Experience.DEVELOPING,
                agreed=m.person_id in agreed,
            )
            for m in case.members
        ),
        agreement=agreement_view(agreement),
    )


def case_line(case: Case, user_id: str) -> CaseLine:
    view = case_view(case)
    roles = [m.role_label for m in view.members if m.user_id == user_id]
    role = roles[0] if roles else "manager"
    return CaseLine(
        reference=case.reference, channel_id=case.channel_id, role=role, everyone_agreed=view.everyone_agreed
    )
