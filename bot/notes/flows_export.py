"""`/case export [REF] [md|json]`: a case's notes as a file, sent to the person by DM (files upload v2).

Only the case's co-workers, its manager, administrators and anyone covering may export; a refusal is
audited and the person gets only the refusal. Every export is audited (`notes.export`: format and
counts, never case text) before the file leaves, so a crash cannot leave an export unaudited; if Slack
then fails, a second row records the failure and the person is told. Nothing in the notes changes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session

from bot.deps import Clients, Deps, NotInstalled, pick
from bot.kernel import access, people, thread, zones
from bot.kernel.rules_text import slack_escape
from bot.notes import rules_export as export
from bot.notes.rules import CaseNotes
from storage import notes as note_store
from storage import repository as repo
from storage.models import Case, ExportFile

log = logging.getLogger(__name__)

USAGE = (
    "Use `/case export [case reference] [md|json]`: `md` (the default) to read, "
    "`json` to import into a case-management system."
)
SLACK_EXPORTS_OFF = (
    "Your organisation has turned off exports through Slack, so the notes stay in the case-note store. "
    "An administrator can export them with `casebot notes export`."
)


@dataclass(frozen=True)
class Prepared:
    """An export that may go: the notes as data, read in one transaction and already audited."""

    case_id: int
    notes: CaseNotes
    fmt: str
    zone: tzinfo
    zone_name: str


def frameworks(deps: Deps) -> dict[str, str]:
    return {f.id: f.name for f in deps.content.banks.frameworks.values()}


def render(
    deps: Deps,
    notes: CaseNotes,
    fmt: str,
    *,
    at: datetime,
    by: str,
    zone: tzinfo,
    zone_name: str,
    names: Mapping[str, str] | None = None,
) -> str:
    """The file's text: JSON (pretty, UTF-8) or Markdown."""
    if fmt == "json":
        document = export.to_json(notes, exported_at=at, exported_by=by)
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return export.to_markdown(
        notes,
        exported_at=at,
        exported_by=by,
        zone=zone,
        zone_name=zone_name,
        render=lambda name, context: deps.content.render_plain(name, **context),
        names=names,
    )


def audit_export(session: Session, case: Case, notes: CaseNotes, *, actor: str, fmt: str, now, via: str):
    repo.add_audit(
        session,
        team_id=case.team_id,
        now=now,
        actor=actor,
        action="notes.export",
        object_type="case",
        object_id=case.id,
        detail={
            "format": fmt,
            "notes": len(notes.notes),
            "versions": sum(len(n.versions) for n in notes.notes),
            "via": via,
        },
    )


def from_command(deps: Deps, client: WebClient, body: dict[str, Any], args: tuple[str, ...]) -> None:
    now = deps.clock()
    user_id, channel_id = body["user_id"], body["channel_id"]
    with deps.sessions.begin() as session:
        outcome = _prepare(
            deps, session, team_id=body["team_id"], user_id=user_id, channel_id=channel_id, args=args, now=now
        )
    if isinstance(outcome, str):
        thread.tell(client, channel_id, user_id, outcome)
        return
    thread.tell(client, channel_id, user_id, _send(deps, client, outcome, user_id=user_id, now=now))


def _prepare(
    deps: Deps, session: Session, *, team_id: str, user_id: str, channel_id: str, args, now: datetime
) -> Prepared | str:
    found = access.case_for_command(
        session, team_id=team_id, channel_id=channel_id, words=args, usage=USAGE, closed=True
    )
    if (case := found.case) is None:
        return found.problem or USAGE
    if not access.may_read_record(deps, session, case, user_id=user_id, now=now):
        return access.refuse_record(deps, session, case, user_id=user_id, action="notes.export", now=now)
    if not deps.settings.exports_by_slack:
        repo.add_audit(
            session,
            team_id=team_id,
            now=now,
            actor=user_id,
            action="notes.export",
            outcome="off",
            object_type="case",
            object_id=case.id,
            detail={"via": "slack_dm"},
        )
        return SLACK_EXPORTS_OFF
    formats = [export.parse_format(word) for word in found.rest]
    if len(found.rest) > 1 or None in formats:
        words = slack_escape(" ".join(found.rest)[:40])
        return f"I don't know `{words}`: give an open case's reference and `md` or `json`. {USAGE}"
    fmt = next((f for f in formats if f is not None), "md")
    notes = note_store.case_notes(session, case, frameworks=frameworks(deps))
    if not notes.notes:
        return f"Case {case.reference} has no signed-off notes yet, so there is nothing to export."
    audit_export(session, case, notes, actor=user_id, fmt=fmt, now=now, via="slack_dm")
    zone = zones.zone(deps, repo.get_person(session, team_id=team_id, slack_user_id=user_id))
    return Prepared(case.id, notes, fmt, zone, zone.key)


def _send(deps: Deps, client: WebClient, prepared: Prepared, *, user_id: str, now: datetime) -> str:
    notes, fmt = prepared.notes, prepared.fmt
    count = f"{len(notes.notes)} note{'' if len(notes.notes) == 1 else 's'}"
    try:
        names = _names(client, notes) if fmt == "md" else {}
        content = render(
            deps,
            notes,
            fmt,
            at=now,
            by=user_id,
            zone=prepared.zone,
            zone_name=prepared.zone_name,
            names=names,
        )
        dm = client.conversations_open(users=user_id)["channel"]["id"]
        delete_after = now + timedelta(days=deps.settings.export_file_keep_days)
        uploaded = client.files_upload_v2(
            channel=dm,
            content=content,
            filename=export.filename(notes.reference, now, fmt),
            title=f"Case notes: {notes.reference} ({export.FORMAT_NAMES[fmt]})",
            initial_comment=(
                f"The notes of case {notes.reference} ({count}, {export.FORMAT_NAMES[fmt]}), as you asked. "
                "They hold case detail: keep the file only where your organisation keeps case records. "
                f"I'll delete it from Slack {_when(delete_after, prepared.zone)}."
            ),
        )
    except (SlackClientError, OSError) as exc:
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
        where = {"case_id": prepared.case_id, "user_id": user_id, "error": error}
        log.warning("notes export not delivered", extra=where)
        _audit_failure(deps, prepared, user_id=user_id, error=str(error), now=now)
        return (
            f"I couldn't send the notes of case {notes.reference} to you by DM (Slack said `{error}`). "
            "The notes are unchanged; try again in a few minutes."
        )
    _remember_file(deps, prepared, uploaded, user_id=user_id, now=now, delete_after=delete_after)
    log.info("notes exported", extra={"case_id": prepared.case_id, "user_id": user_id, "format": fmt})
    return f"I've sent you the notes of case {notes.reference} by DM ({count}, {export.FORMAT_NAMES[fmt]})."


def _when(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return f"on {local:%a} {local.day} {local:%b %Y} (after {local:%H:%M} {local.tzname()})"


def _remember_file(
    deps: Deps, prepared: Prepared, uploaded: Any, *, user_id: str, now: datetime, delete_after: datetime
) -> None:
    """Note the file so the sweep deletes it from Slack once its days are up (ids and times only)."""
    file_id = str((uploaded.get("file") or {}).get("id") or "")
    if not file_id:
        log.warning(
            "exported file has no id; it cannot be deleted later", extra={"case_id": prepared.case_id}
        )
        return
    with deps.sessions.begin() as session:
        case = session.get(Case, prepared.case_id)
        assert case is not None
        session.add(
            ExportFile(
                team_id=case.team_id,
                case_id=case.id,
                user_id=user_id,
                file_id=file_id,
                uploaded_at=now,
                delete_after=delete_after,
            )
        )


@dataclass
class FileSweepReport:
    deleted: int = 0
    failed: int = 0


# Slack's answers that mean the file is gone already: nothing left to delete.
ALREADY_GONE = {"file_not_found", "file_deleted"}


def sweep_files(deps: Deps, client: Clients, *, limit: int = 100) -> FileSweepReport:
    """Delete from Slack the exported files whose days are up; each one audited, a failure tried again."""
    report = FileSweepReport()
    now = deps.clock()
    with deps.sessions.begin() as session:
        found = note_store.due_export_files(session, now=now, limit=limit)
        due = [(row_id, file_id, session.get_one(ExportFile, row_id).team_id) for row_id, file_id in found]
    for row_id, file_id, team_id in due:
        try:
            pick(client, team_id).files_delete(file=file_id)  # with the file's own team's token
            error = None
        except SlackApiError as exc:
            error = str(exc.response.get("error") or f"http_{exc.response.status_code}")
        except (OSError, NotInstalled) as exc:  # NotInstalled: the team uninstalled casebot
            error = type(exc).__name__
        gone = error is None or error in ALREADY_GONE
        with deps.sessions.begin() as session:
            row = session.get(ExportFile, row_id)
            assert row is not None
            if gone:
                row.deleted_at = now
                repo.add_audit(
                    session,
                    team_id=row.team_id,
                    now=now,
                    actor="casebot",
                    action="notes.export_file.delete",
                    object_type="case",
                    object_id=row.case_id,
                    detail={"file_id": row.file_id, **({"slack": error} if error else {})},
                )
            else:
                row.attempts += 1
                row.last_error = (error or "")[:60]  # not gone: error is set
        if gone:
            report.deleted += 1
        else:
            report.failed += 1
            log.warning("exported file not deleted yet", extra={"export_file_id": row_id, "error": error})
    return report


def _audit_failure(deps: Deps, prepared: Prepared, *, user_id: str, error: str, now: datetime) -> None:
    with deps.sessions.begin() as session:
        case = session.get(Case, prepared.case_id)
        if case is not None:
            repo.add_audit(
                session,
                team_id=case.team_id,
                now=now,
                actor=user_id,
                action="notes.export",
                outcome="failed",
                object_type="case",
                object_id=case.id,
                detail={"format": prepared.fmt, "error": error[:60]},
            )


def _names(client: WebClient, notes: CaseNotes) -> dict[str, str]:
    """People's Slack names for the Markdown, best effort: an id stays an id if Slack can't say."""
    ids: dict[str, None] = {}
    for note in notes.notes:
        for v in note.versions:
            owners = [a.owner_id for a in v.actions if a.owner_id]
            ids.update(dict.fromkeys([v.recorder_id, *v.participants, *owners]))
        ids.update(dict.fromkeys(s.changed_by for s in note.action_states if s.changed_by))
    return people.display_names(client, ids)
