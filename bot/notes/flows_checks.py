"""The summary form's checks, shared with amendments: every finding by the field it belongs next to,
an error for each warning not yet kept on the form, and the confirmations stored with a version."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.notes import blocks
from bot.notes import rules_checks as checks
from bot.notes.rules_actions import check_action
from bot.notes.rules_identifiers import find_identifiers
from storage import notes as note_store

ERROR_MAX = 600
KEEP_HINT = " If it should stay as written, tick *Keep* under Checks and save again."


def findings(
    form: blocks.Submitted, today: date, pattern: str, country: str | None = None
) -> dict[str, list[checks.Finding]]:
    """Every check's findings, by the block they belong next to. `country` (the configured one) is
    where phone numbers written without + are read first."""
    found: dict[str, list[checks.Finding]] = defaultdict(list)
    for key, text in form.sections.items():
        found[blocks.section_block(key)] += find_identifiers(
            text, today=today, reference_pattern=pattern, country=country
        )
    for number, row in form.actions:
        text_block = blocks.action_block(number, "text")
        found[text_block] += find_identifiers(
            row.text, today=today, reference_pattern=pattern, country=country
        )
        found[blocks.action_block(number, "done")] += find_identifiers(
            row.done_looks_like, today=today, reference_pattern=pattern, country=country
        )
        for finding in check_action(row.text, owners=[row.owner_id or ""], due=row.due):
            part = {"action_owner": "owner", "action_due": "due"}.get(finding.kind, "text")
            found[blocks.action_block(number, part)].append(finding)
    return {block: fs for block, fs in found.items() if fs}


def unconfirmed_errors(
    session: Session,
    team_id: str,
    view_id: str,
    found: dict[str, list[checks.Finding]],
    *,
    keep: bool,
    now: datetime,
) -> dict[str, str]:
    """An error next to each field with a warning not yet kept on this form, remembered as shown, so
    that ticking Keep confirms only warnings the recorder has seen. {} once nothing is left to confirm."""
    confirmed = set(note_store.shown_keys(session, team_id=team_id, view_id=view_id)) if keep else set()
    pending = {block: checks.unconfirmed(fs, confirmed) for block, fs in found.items()}
    pending = {block: fs for block, fs in pending.items() if fs}
    if pending:
        keys = sorted({f.key for fs in pending.values() for f in fs})
        note_store.remember_shown(session, team_id=team_id, view_id=view_id, keys=keys, now=now)
    return {block: error_text(fs) for block, fs in pending.items()}


def kept(found: dict[str, list[checks.Finding]]) -> list[dict[str, str]]:
    """The confirmations stored with a version: each warning kept, with its field (values masked)."""
    return [
        {"key": f.key, "kind": f.kind, "message": f.message, "field": block}
        for block, fs in found.items()
        for f in fs
    ]


def error_text(warnings: list[checks.Finding]) -> str:
    messages = list(dict.fromkeys(f.message for f in warnings))
    text = " ".join(messages) + KEEP_HINT
    return text if len(text) <= ERROR_MAX else text[: ERROR_MAX - 1] + "…"
