"""Reading a worker's wellbeing checks: `/case supervision wellbeing [REF] [@worker]`.

A wellbeing check is on that worker's own supervision record: the worker reads their own, the case's
manager reads each co-worker's, and nobody else (not the other co-worker, not an admin). The answer
is private to the reader (an ephemeral message); each reading and each refusal is audited, ids only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.kernel import access
from bot.kernel.rules_text import slack_escape, user_ids_in
from bot.kernel.zones import zone
from bot.reminders.rules_agenda import day
from bot.supervision import rules
from storage import repository as repo
from storage.models import Case, Person, SupervisionRecord, WellbeingCheck

USAGE = "Use `/case supervision wellbeing [REF]` for your own checks, or add `@worker` as the case's manager."
ONLY = "A wellbeing check is read only by that worker and the case's manager."


def wellbeing_for(session: Session, case: Case, *, reader_id: str, worker: Person) -> list[WellbeingCheck]:
    """The worker's wellbeing checks from this case's supervision, for that worker or the case's manager
    alone; [] for anyone else."""
    if not rules.may_read_wellbeing(
        reader_id, worker_id=worker.slack_user_id, manager_id=case.manager.slack_user_id
    ):
        return []
    query = (
        select(WellbeingCheck)
        .join(SupervisionRecord, SupervisionRecord.id == WellbeingCheck.supervision_id)
        .where(WellbeingCheck.person_id == worker.id, SupervisionRecord.case_id == case.id)
        .order_by(WellbeingCheck.id)
    )
    return list(session.scalars(query))


def from_command(deps: Deps, body: dict[str, Any], args: tuple[str, ...]) -> str:
    team_id, user_id, channel_id = body["team_id"], body["user_id"], body["channel_id"]
    now = deps.clock()
    named = user_ids_in(" ".join(args))
    words = tuple(w for w in args if not w.startswith("<@"))
    with deps.sessions.begin() as session:
        found = access.case_for_command(
            session, team_id=team_id, channel_id=channel_id, words=words, usage=USAGE
        )
        case = found.case
        if case is None:
            return found.problem or USAGE
        worker_id = named[0] if named else user_id
        member = next((m for m in case.members if m.person.slack_user_id == worker_id), None)
        if member is None or not rules.may_read_wellbeing(
            user_id, worker_id=worker_id, manager_id=case.manager.slack_user_id
        ):
            access.deny(session, case, user_id=user_id, action="supervision.wellbeing", now=now)
            return ONLY if member is not None else "That person is not one of the case's co-workers."
        checks = wellbeing_for(session, case, reader_id=user_id, worker=member.person)
        access.record(
            session,
            case,
            user_id=user_id,
            action="supervision.wellbeing",
            now=now,
            object_type="person",
            object_id=member.person_id,
            detail={"checks": len(checks)},
        )
        if not checks:
            return (
                f"No wellbeing check is recorded for <@{worker_id}> on case {slack_escape(case.reference)}."
            )
        reader = repo.get_person(session, team_id=team_id, slack_user_id=user_id)
        tz = zone(deps, reader)
        lines = [f"• {day(c.recorded_at, tz)}: {slack_escape(c.text)}" for c in checks]
        ref = slack_escape(case.reference)
        head = f"Wellbeing checks for <@{worker_id}> on case {ref} (only you can see this):"
        return "\n".join([head, *lines])
