"""`casebot audit verify|head`: check the hash-chained audit trail, and print its head to anchor elsewhere.

Read-only: these commands change nothing (not even the audit trail), need no Slack token and no data
key (audit entries hold ids and counts, never case text). Exit codes: 0 intact, 1 a break (one line
for each place the chain is broken, on stdout), 2 a usage or settings problem.
"""

from __future__ import annotations

import argparse
import re
import sys

from sqlalchemy.exc import DBAPIError

from bot.config import Settings
from storage import audit
from storage.db import make_engine, make_sessions


def add_commands(commands) -> None:
    parser = commands.add_parser(
        "audit", help="verify the tamper-evident audit trail, or print its head hash"
    )
    actions = parser.add_subparsers(dest="audit_command", required=True)
    verify = actions.add_parser(
        "verify", help="walk the hash chain; exit 1 naming each changed, inserted or deleted entry"
    )
    verify.add_argument("--team", metavar="TEAM_ID", help="only this Slack workspace (default: every one)")
    verify.add_argument(
        "--anchor",
        metavar="HASH",
        help="a head printed earlier by `casebot audit head`: also prove nothing up to it has changed",
    )
    head = actions.add_parser("head", help="print the newest entry's hash (to keep outside casebot)")
    head.add_argument("--team", metavar="TEAM_ID", help="only this Slack workspace (prints the hash alone)")


def run(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.database_url)
    # One snapshot for the heads and the walk, so an entry casebot appends meanwhile is not taken for an
    # insertion (SQLite's transactions take the write lock, which is a snapshot too).
    reader = (
        engine.execution_options(isolation_level="REPEATABLE READ")
        if engine.dialect.name == "postgresql"
        else engine
    )
    try:
        with make_sessions(reader)() as session:
            if args.audit_command == "head":
                return _head(session, args.team)
            return _verify(session, args.team, args.anchor)
    except DBAPIError as exc:
        print(
            f"casebot: cannot read the audit trail ({type(exc.orig).__name__}); is DATABASE_URL right and "
            "the database upgraded (casebot db upgrade)?",
            file=sys.stderr,
        )
        return 2
    finally:
        engine.dispose()


def _head(session, team: str | None) -> int:
    teams = [team] if team else audit.teams(session)
    if not teams:
        print("casebot: the audit trail is empty.", file=sys.stderr)
        return 1
    for team_id in teams:
        head = session.get(audit.AuditHead, team_id)
        if head is None:
            print(f"casebot: no audit entries for workspace {team_id}.", file=sys.stderr)
            return 1
        print(head.head_hash if team else f"{team_id} {head.head_hash} ({head.entries} entries)")
    return 0


def _verify(session, team: str | None, anchor: str | None) -> int:
    teams = [team] if team else audit.teams(session)
    if anchor is not None:
        anchor = anchor.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{64}", anchor):
            print(
                "casebot: --anchor must be a 64-character hash printed by `casebot audit head`.",
                file=sys.stderr,
            )
            return 2
        if len(teams) != 1:
            print("casebot: an anchor belongs to one workspace: add --team TEAM_ID.", file=sys.stderr)
            return 2
    if not teams:
        print("casebot: the audit trail is empty: nothing to verify.")
        return 0
    broken = False
    for team_id in teams:
        verdict = audit.verify(session, team_id, anchor=anchor)
        if verdict.intact:
            anchored = (
                f"; anchor found at entry {verdict.anchor_at}, nothing up to it changed" if anchor else ""
            )
            print(f"{team_id}: intact, {verdict.entries} entries, head {verdict.head}{anchored}")
        else:
            broken = True
            for line in verdict.breaks:
                print(f"{team_id}: {line}")
    return 1 if broken else 0
