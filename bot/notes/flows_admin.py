"""The command line's notes commands, straight from the database: list, show, export, purge.

No Slack is needed. The audit log's actor is "cli": whoever can run casebot against the database is an
administrator. Views and exports are audited like `/case export` (ids and counts, never case text).
A reference can be reused after a case is closed and exists once per workspace, so the newest case with
it is used, narrowed by team if given, and the caller is told which one.

Purge removes the notes of CLOSED cases whose event time is before a date, one case per transaction:
read the notes, write their export (Markdown and JSON, new files only, fsynced and read back), then
delete exactly what was exported and audit it. If writing fails nothing is deleted; if the delete fails
the files stay and nothing is lost. Learning-evidence entries (a reference and a date on a worker's
record) are kept.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.kernel import access, zones
from bot.notes import rules_export as export
from bot.notes.flows_export import audit_export, frameworks, render
from bot.notes.rules import CaseNotes
from bot.reminders import flows_schedule as schedule
from storage import note_admin as store
from storage import notes as note_store
from storage.models import Case, CaseStatus

CLI = "cli"


class NotesProblem(Exception):
    """Something the person running the command must fix; the message says what."""


@dataclass(frozen=True)
class Found:
    notes: CaseNotes
    which: str  # which case was used, for the person running the command
    zone: ZoneInfo | None = None  # the case's time zone, the times were given in


def zone(deps: Deps) -> ZoneInfo:
    return ZoneInfo(deps.settings.default_timezone)


def case_zone(deps: Deps, case: Case) -> ZoneInfo:
    """The case's time zone: its lead worker's (as its reminders use), else the configured default."""
    return zones.zone(deps, schedule.lead_of(case))


def zone_words(here: ZoneInfo) -> str:
    return f"{here.key}, the case's time zone"


def _choose(session: Session, *, reference: str, team_id: str | None, earlier: int = 0) -> tuple[Case, str]:
    found = store.cases_with_reference(session, reference=reference, team_id=team_id)
    if not found:
        where = f" in team {team_id}" if team_id else ""
        raise NotesProblem(f"there is no case with the reference {reference}{where}.")
    if earlier >= len(found):
        raise NotesProblem(
            f"{reference} has {len(found)} case(s): --earlier goes back at most {len(found) - 1}."
        )
    case = found[earlier]
    opened = f"{case.created_at:%Y-%m-%d}"
    which = f"{case.reference} (team {case.team_id}, {case.status.value}, opened {opened}, id {case.id})"
    if len(found) > 1 and earlier:
        which += f", {earlier} before the newest of {len(found)} cases with this reference"
    elif len(found) > 1:
        which += f", the newest of {len(found)} cases with this reference (--earlier 1: the one before)"
    if len({c.team_id for c in found}) > 1:
        which += "; add --team to choose another workspace"
    return case, which


def _audit(session: Session, case: Case, action: str, now: datetime, **detail) -> None:
    access.record(session, case, user_id=CLI, action=action, now=now, detail=detail)


def list_notes(
    deps: Deps, *, reference: str, team_id: str | None, earlier: int = 0
) -> tuple[Found, list[str]]:
    now = deps.clock()
    with deps.sessions.begin() as session:
        case, which = _choose(session, reference=reference, team_id=team_id, earlier=earlier)
        here = case_zone(deps, case)
        notes = note_store.case_notes(session, case, frameworks=frameworks(deps))
        _audit(session, case, "notes.list", now, notes=len(notes.notes))
    lines = []
    for note in notes.notes:
        current = note.current
        states = [s.status for s in note.action_states]
        actions = ", ".join(
            f"{states.count(s)} {export.STATE_WORDS[s]}" for s in export.STATE_WORDS if s in states
        )
        lines.append(
            f"{note.number:>4}  {export.when(note.event_at, here)}  {note.type_title}  "
            f"version {current.version}{' (amended)' if current.version > 1 else ''}  "
            f"recorded by {current.names.get(current.recorder_id) or current.recorder_id}  "
            f"actions: {actions or 'none'}"
        )
    return Found(notes, which, here), lines


def show_note(
    deps: Deps, *, reference: str, team_id: str | None, number: int, version: int | None, earlier: int = 0
) -> tuple[Found, str]:
    """One note in Markdown (every version, current first), or just one version of it."""
    now = deps.clock()
    with deps.sessions.begin() as session:
        case, which = _choose(session, reference=reference, team_id=team_id, earlier=earlier)
        here = case_zone(deps, case)
        note = note_store.note_by_number(session, case_id=case.id, number=number)
        if note is None:
            raise NotesProblem(f"case {case.reference} has no note {number}.")
        record = note_store.note_record(session, note, frameworks=frameworks(deps))
        if version is not None and version not in {v.version for v in record.versions}:
            raise NotesProblem(f"note {number} of case {case.reference} has no version {version}.")
        _audit(session, case, "notes.view", now, note=number, version=version)
        one = CaseNotes(case.reference, case.status.value, (record,))
    plain = {"zone": here, "zone_name": zone_words(here), "render": _plain(deps)}
    if version is None:
        text = export.to_markdown(one, exported_at=now, exported_by=CLI, **plain)
    else:
        text = export.version_to_markdown(one.reference, record, version, **plain)
    return Found(one, which, here), text


def _plain(deps: Deps):
    return lambda name, context: deps.content.render_plain(name, **context)


def export_notes(
    deps: Deps, *, reference: str, team_id: str | None, fmt: str, out: str | None, earlier: int = 0
) -> tuple[Found, Path | None, str]:
    """Write the export to `out` (a new file, or a new file inside a folder; "-": return the text)."""
    now = deps.clock()
    with deps.sessions.begin() as session:
        case, which = _choose(session, reference=reference, team_id=team_id, earlier=earlier)
        here = case_zone(deps, case)
        notes = note_store.case_notes(session, case, frameworks=frameworks(deps))
        if not notes.notes:
            raise NotesProblem(
                f"case {case.reference} has no signed-off notes, so there is nothing to export."
            )
        text = render(deps, notes, fmt, at=now, by=CLI, zone=here, zone_name=zone_words(here))
        path = None
        if out != "-":
            target = Path(out) if out else Path.cwd()
            path = target / export.filename(notes.reference, now, fmt) if target.is_dir() else target
            write_new(path, text)
        audit_export(
            session,
            case,
            notes,
            actor=CLI,
            fmt=fmt,
            now=now,
            via="cli_stdout" if path is None else "cli_file",
        )
    return Found(notes, which, here), path, text


def write_new(path: Path, text: str) -> None:
    """Create `path` (never overwrite), readable by its owner only, and make it durable before returning."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise NotesProblem(f"{path} already exists; casebot does not overwrite an export.") from None
    except OSError as exc:
        raise NotesProblem(f"cannot write {path}: {exc.strerror}.") from None
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    _sync_folder(path.parent)
    if path.read_text(encoding="utf-8") != text:
        raise NotesProblem(f"{path} did not read back as written.")


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # a platform that cannot open folders (Windows): the file itself is fsynced
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ----------------------------------------------------------------------- purge
@dataclass(frozen=True)
class Purged:
    candidate: store.PurgeCandidate
    files: tuple[str, ...] = ()
    deleted: store.Deleted | None = None


def purge_plan(deps: Deps, *, closed_before: date) -> tuple[datetime, list[store.PurgeCandidate]]:
    cutoff = datetime.combine(closed_before, time(0), tzinfo=zone(deps)).astimezone(UTC)
    with deps.sessions() as session:
        return cutoff, store.purge_candidates(session, before=cutoff)


def purge(deps: Deps, *, closed_before: date, out_dir: Path) -> Iterator[Purged]:
    """Export, then delete, the notes of each closed case from before the date, one case at a time as
    the caller iterates. A problem stops it there: the cases already done stay done and audited."""
    cutoff, plan = purge_plan(deps, closed_before=closed_before)
    if plan:
        out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    for candidate in plan:
        yield _purge_case(deps, candidate, cutoff=cutoff, out_dir=out_dir)


def _purge_case(deps: Deps, candidate: store.PurgeCandidate, *, cutoff: datetime, out_dir: Path) -> Purged:
    now, here = deps.clock(), zone(deps)
    with deps.sessions.begin() as session:
        case = session.get(Case, candidate.case_id)
        if case is None or case.status != CaseStatus.CLOSED:
            return Purged(candidate)
        rows = store.notes_before(session, case_id=case.id, before=cutoff)
        notes = CaseNotes(
            case.reference,
            case.status.value,
            tuple(note_store.note_record(session, n, frameworks=frameworks(deps)) for n in rows),
        )
        files = []
        for fmt in export.FORMATS:
            name = f"{case.team_id}-case{case.id}-{export.filename(case.reference, now, fmt)}"
            write_new(out_dir / name, render(deps, notes, fmt, at=now, by=CLI, zone=here, zone_name=here.key))
            files.append(name)
        json.loads((out_dir / files[-1]).read_text(encoding="utf-8"))  # a JSON export that parses
        deleted = store.delete_notes(
            session, note_ids=[n.id for n in rows], version_ids=[v.id for n in rows for v in n.versions]
        )
        _audit(
            session,
            case,
            "notes.purge",
            now,
            closed_before=cutoff.isoformat(),
            notes=deleted.notes,
            versions=deleted.versions,
            actions=deleted.actions,
            follow_up_claims=deleted.follow_up_claims,
            reviews=deleted.reviews,
            supervisions=deleted.supervisions,
            wellbeing_checks=deleted.wellbeing_checks,
            files=files,
        )
    return Purged(candidate, tuple(files), deleted)
