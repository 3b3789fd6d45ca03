"""An agreement version as a row, and the management decision note every version writes.

The first version (opening the case, `flows.py`) and each change (`flows_change_save.py`) are new rows,
never updates. The note goes through bot/kernel/decisions.py (bot/notes depends on bot/cases, so
bot/cases does not import it), in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.cases import rules_agreements as agreements
from bot.cases import rules_change as rules
from bot.cases.rules_agreements import AgreementForm
from bot.deps import Deps
from bot.kernel import decisions
from storage.models import Agreement, Case


def agreement_row(
    form: AgreementForm, *, team_id: str, case_id: int, version: int, created_by_id: int, reason: str, now
) -> Agreement:
    assert form.review_date is not None  # validated before saving
    return Agreement(
        team_id=team_id,
        case_id=case_id,
        version=version,
        created_at=now,
        created_by_id=created_by_id,
        change_reason=reason,
        # JSON columns want plain lists and dicts, not the form's tuples and mappings.
        **{name: getattr(form, name) for name in agreements.TERMS}
        | {"reasons": list(form.reasons), "responsibilities": dict(form.responsibilities)},
    )


def record_first(
    deps: Deps, session: Session, case: Case, form: AgreementForm, *, user_id: str, now: datetime
) -> int:
    """The opening agreement as a management decision note: its number."""
    sections = rules.note_sections(form, version=1, reason=rules.FIRST_REASON)
    decision = decisions.Decision("agreement", "version 1", rules.parties(user_id, form), sections)
    return decisions.record(deps, session, case, decision, user_id=user_id, now=now)
