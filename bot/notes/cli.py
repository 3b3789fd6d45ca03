"""`casebot notes list|show|export|purge`: the case-note store from the command line, no Slack needed.

What goes to stdout is what was asked for (a list, a note, an export's path); which case was used and
what happened go to stderr, so `casebot notes show ... > note.md` or `export --out -` stay clean.
Exit codes: 0 done, 1 nothing found or refused (the reason on stderr), 2 a usage or settings problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot import logs
from bot.config import Settings
from bot.deps import Deps, build_deps
from bot.kernel.rules_text import counted
from bot.notes import flows_admin as note_admin
from bot.notes import rules_export as export
from bot.notes.rules import CaseNotes
from storage import migrate


def add_commands(commands) -> None:
    notes = commands.add_parser("notes", help="list, show, export and purge case notes (no Slack needed)")
    actions = notes.add_subparsers(dest="notes_command", required=True)

    def case_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--case", required=True, metavar="REF", help="the case reference")
        parser.add_argument(
            "--team", metavar="TEAM_ID", help="the Slack workspace (team id), where a reference is in several"
        )
        parser.add_argument(
            "--earlier",
            type=int,
            default=0,
            metavar="N",
            help="the case the reference was used for before (1), or before that (2): it was closed",
        )

    listing = actions.add_parser(
        "list", help="the case's notes, one line each (times in the case's time zone)"
    )
    case_options(listing)
    listing.add_argument("--json", action="store_true", help="a JSON array, one object per note, for scripts")
    show = actions.add_parser("show", help="one note in Markdown: every version, or --version V")
    case_options(show)
    show.add_argument(
        "--json", action="store_true", help="the note as JSON (the export's schema), for scripts"
    )
    show.add_argument("--note", type=int, required=True, metavar="N", help="the note's number in the case")
    show.add_argument("--version", type=int, metavar="V", help="only this version")
    out = actions.add_parser("export", help="the case's notes as a Markdown or JSON file")
    case_options(out)
    out.add_argument("--format", choices=export.FORMATS, default="md", help="md (for people) or json")
    out.add_argument(
        "--out", metavar="PATH", help="a new file, or a folder to write it in (default: here); - for stdout"
    )
    purge = actions.add_parser(
        "purge", help="export, then delete, the notes of closed cases from before a date (administrators)"
    )
    purge.add_argument(
        "--closed-before",
        required=True,
        type=_day,
        metavar="YYYY-MM-DD",
        help="notes whose discussion was before this day (in CASEBOT_DEFAULT_TIMEZONE)",
    )
    purge.add_argument(
        "--out", required=True, metavar="DIR", help="the folder the exports are written to first"
    )
    purge.add_argument("--yes", action="store_true", help="do it; without --yes, only say what would be done")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD") from None


def prepare(settings: Settings) -> Deps:
    """The database and templates only: the notes commands need no Slack token and no network."""
    logs.configure(settings.log_level)
    deps = build_deps(settings)
    if settings.database_url.startswith("sqlite"):
        migrate.upgrade(deps.engine)
    return deps


def run(settings: Settings, args: argparse.Namespace) -> int:
    deps = prepare(settings)
    try:
        return _run(deps, args)
    except note_admin.NotesProblem as problem:
        print(f"casebot: {problem}", file=sys.stderr)
        return 1
    finally:
        deps.engine.dispose()


def _run(deps: Deps, args: argparse.Namespace) -> int:
    command = args.notes_command
    if command == "purge":
        return _purge(deps, closed_before=args.closed_before, out_dir=Path(args.out), yes=args.yes)
    case = {"reference": args.case, "team_id": args.team, "earlier": args.earlier}
    if command == "list":
        found, lines = note_admin.list_notes(deps, **case)
        count = len(found.notes.notes)
        assert found.zone is not None
        if args.json:
            print(f"casebot: case {found.which}", file=sys.stderr)
            print(json.dumps(list_json(found.notes, found.zone), indent=2, ensure_ascii=False))
            return 0
        print(
            f"Case {found.which}: {count} note{'' if count == 1 else 's'} "
            f"(times in {note_admin.zone_words(found.zone)})"
        )
        for line in lines:
            print(line)
        return 0
    if command == "show":
        found, text = note_admin.show_note(deps, **case, number=args.note, version=args.version)
        print(f"casebot: case {found.which}", file=sys.stderr)
        if args.json:
            document = export.to_json(found.notes, exported_at=deps.clock(), exported_by=note_admin.CLI)
            if args.version is not None:
                for note in document["notes"]:
                    note["versions"] = [v for v in note["versions"] if v["version"] == args.version]
            text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        sys.stdout.write(text)
        return 0
    found, path, text = note_admin.export_notes(deps, **case, fmt=args.format, out=args.out)
    print(f"casebot: case {found.which}: {counted(len(found.notes.notes), 'note')} exported", file=sys.stderr)
    if path is None:
        sys.stdout.write(text)
    else:
        print(path)
    return 0


def list_json(notes: CaseNotes, here: ZoneInfo) -> list[dict[str, Any]]:
    """`notes list --json`: one object per note; times in UTC and in the case's zone (named)."""
    found = []
    for note in notes.notes:
        current = note.current
        states = [s.status for s in note.action_states]
        found.append(
            {
                "number": note.number,
                "note_type": note.note_type,
                "type_title": note.type_title,
                "event_at": export.utc_iso(note.event_at),
                "event_at_local": note.event_at.astimezone(here).isoformat(),
                "time_zone": here.key,
                "version": current.version,
                "amended": current.version > 1,
                "recorder_id": current.recorder_id,
                "recorder_name": current.names.get(current.recorder_id),
                "actions": {state: states.count(state) for state in export.STATE_WORDS},
            }
        )
    return found


def _purge(deps: Deps, *, closed_before: date, out_dir: Path, yes: bool) -> int:
    cutoff, plan = note_admin.purge_plan(deps, closed_before=closed_before)
    if not plan:
        print(f"casebot: no closed case has notes from before {closed_before}; nothing to do.")
        return 0
    here = note_admin.zone(deps).key
    print(f"Notes of closed cases from before {closed_before} ({here}; {cutoff:%Y-%m-%d %H:%M} UTC):")
    for c in plan:
        print(
            f"  {c.reference} (team {c.team_id}, id {c.case_id}): "
            f"{c.notes} notes, {c.versions} versions, {c.actions} actions"
        )
    if not yes:
        print(
            "casebot: nothing written or deleted. "
            f"Run again with --yes to export these into {out_dir} and then delete them."
        )
        return 0
    notes = cases = 0
    for purged in note_admin.purge(deps, closed_before=closed_before, out_dir=out_dir):
        c, d = purged.candidate, purged.deleted
        if d is None:
            print(f"  {c.reference} (id {c.case_id}): skipped, no longer closed")
            continue
        print(f"  {c.reference} (id {c.case_id}): exported to {', '.join(purged.files)}")
        print(
            f"  {c.reference} (id {c.case_id}): deleted {counted(d.notes, 'note')}, "
            f"{counted(d.versions, 'version')}, {counted(d.actions, 'action')}, "
            f"{counted(d.follow_up_claims, 'follow-up claim')}"
        )
        notes, cases = notes + d.notes, cases + 1
    print(
        f"casebot: purged {counted(notes, 'note')} of {counted(cases, 'case')}, exported first into "
        f"{out_dir} (audit: notes.purge)."
    )
    return 0
