"""`/case export [REF] [md|json]` through the emulator: the file a person receives by DM, who may have
one, and the audit trail. Notes are built directly (tests/notes_builder.py) with real content hashes."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from bot import jobs
from bot.kernel.access import NOT_ALLOWED
from bot.sandbox.harness import ADMIN, CASE_CHANNEL, COLLEAGUE, DEVELOPING, LEAD, MANAGER, OUTSIDER, Sandbox
from storage.models import ActionStatus, Case
from tests.journey import open_case
from tests.notes.test_rules_export import errors, recompute
from tests.notes_builder import EVENT, Version, add_note, sections
from tests.reminder_steps import audits, ephemerals

REFERENCE = "CASE-2026-014"
REASON = "Sam's scale was recorded as Alex's"


def with_notes(box) -> None:
    """Two notes: the first amended once, its actions one done and one that can't be done."""
    with box.deps.sessions.begin() as session:
        case = session.scalar(select(Case).where(Case.reference == REFERENCE))
        add_note(
            session,
            case,
            Version(),
            Version(recorder_id=LEAD, amendment_reason=REASON, sections=sections(risk="Scaled 5/10 by Sam.")),
            states={1: ActionStatus.DONE, 2: ActionStatus.CANNOT},
        )
        add_note(session, case, Version(), event_at=EVENT + timedelta(days=14))


def export(box, user: str, text: str = "export") -> str:
    box.driver.slash(user, text, CASE_CHANNEL)
    box.deps.executor.wait_idle()
    return ephemerals(box, user)[-1]


def received(box, user: str) -> list[dict]:
    return [f for f in box.emu.files if f["user"] == user]


def test_export_sends_the_case_notes_as_markdown_by_dm_and_audits_it(sandbox):
    open_case(sandbox)
    with_notes(sandbox)

    reply = export(sandbox, LEAD)

    assert reply == f"I've sent you the notes of case {REFERENCE} by DM (3 notes, Markdown)."
    (sent,) = received(sandbox, LEAD)
    assert sent["channel_id"] == sandbox.emu.dm_channel_for(LEAD)
    assert sent["filename"].startswith(f"{REFERENCE}-notes-") and sent["filename"].endswith(".md")
    assert sent["title"] == f"Case notes: {REFERENCE} (Markdown)"
    assert "keep the file only where your organisation keeps case records" in sent["initial_comment"]
    text = sent["content"].decode("utf-8")
    assert text.startswith(f"# Case notes: {REFERENCE}\n")
    assert "## Note 2: Discussion with colleague, Wed 2 Dec 2026, 10:00 NZDT" in text
    assert "## Note 1: " in text and "## Note 3: " in text  # note 1: the agreement's decision
    assert f"**Amendment reason:** {REASON}" in text
    assert text.index("### Version 2 (current)") < text.index("### Version 1 (earlier")
    assert "Scaled 5/10 by Sam." in text and "Scaled 6/10 by both." in text, "both versions readable"
    assert "**done**" in text and "**can't be done** (The school is closed until January)" in text
    assert "by Alex (social worker)." in text, "names from Slack"
    assert "UALEX001" not in text, "people by name, never by their Slack id"
    assert "Aroha & her brother <both>" in text, "not Slack-escaped"
    assert "Times are shown in Pacific/Auckland." in text

    (audit,) = audits(sandbox, "notes.export")
    assert (audit.actor, audit.outcome, audit.object_type) == (LEAD, "ok", "case")
    assert audit.detail == {"format": "md", "notes": 3, "versions": 4, "via": "slack_dm"}


def test_json_export_is_valid_against_the_schema_and_its_hashes_recompute(http_sandbox):
    box = http_sandbox
    open_case(box)
    with_notes(box)

    reply = export(box, DEVELOPING, f"export {REFERENCE} json")

    assert reply == f"I've sent you the notes of case {REFERENCE} by DM (3 notes, JSON)."
    (sent,) = received(box, DEVELOPING)
    assert sent["filename"].endswith(".json")
    document = json.loads(sent["content"])
    assert errors(document) == []
    assert document["exported_by"] == DEVELOPING and document["case"]["reference"] == REFERENCE
    first = document["notes"][1]  # [0] is the agreement, a management decision note
    assert [v["amendment_reason"] for v in first["versions"]] == [None, REASON]
    assert [s["status"] for s in first["action_states"]] == ["done", "cannot"]
    for note in document["notes"]:
        for version in note["versions"]:
            assert version["content_hash_matches"] and recompute(note, version) == version["content_hash"]
    assert [a.detail["format"] for a in audits(box, "notes.export")] == ["json"]


def test_a_colleague_not_on_the_case_gets_only_the_refusal_and_the_denial_is_audited(http_sandbox):
    box = http_sandbox
    open_case(box)
    with_notes(box)

    for user, text in [(COLLEAGUE, "export"), (COLLEAGUE, f"export {REFERENCE} json"), (OUTSIDER, "export")]:
        box.driver.slash(user, text, CASE_CHANNEL)
    box.deps.executor.wait_idle()

    assert box.emu.files == []
    assert ephemerals(box, COLLEAGUE) == [NOT_ALLOWED, NOT_ALLOWED]
    # Tom is not in the case channel, so the refusal comes by DM; nothing else does.
    assert [m["text"] for m in box.emu.dms(OUTSIDER)] == [NOT_ALLOWED]
    denied = audits(box, "notes.export")
    assert [(a.actor, a.outcome) for a in denied] == [
        (COLLEAGUE, "denied"),
        (COLLEAGUE, "denied"),
        (OUTSIDER, "denied"),
    ]
    assert all(a.detail is None for a in denied)


def test_the_manager_and_an_administrator_may_export(http_sandbox):
    box = http_sandbox
    open_case(box)
    with_notes(box)

    for user in (MANAGER, ADMIN):
        assert export(box, user, "export md").startswith(f"I've sent you the notes of case {REFERENCE}")
        assert len(received(box, user)) == 1
    assert [(a.actor, a.outcome) for a in audits(box, "notes.export")] == [(MANAGER, "ok"), (ADMIN, "ok")]


def test_a_new_case_exports_its_agreement_as_its_first_note(http_sandbox):
    box = http_sandbox
    open_case(box)

    assert export(box, LEAD) == f"I've sent you the notes of case {REFERENCE} by DM (1 note, Markdown)."
    (sent,) = received(box, LEAD)
    markdown = sent["content"].decode("utf-8")
    assert "Co-working agreement: version 1" in markdown
    # People by name, never a Slack id; the decision's kind is its text, not a made-up sharing line.
    assert MANAGER not in markdown and "by Mere (team manager)" in markdown
    assert "Mere (team manager), manager" in markdown and "(not said)" not in markdown
    assert "Alex (social worker), lead worker" in markdown, "the co-workers it binds, named with roles"


def test_an_unknown_format_gets_the_usage_and_nothing_is_sent(http_sandbox):
    box = http_sandbox
    open_case(box)
    with_notes(box)

    reply = export(box, LEAD, f"export {REFERENCE} pdf")

    assert reply.startswith("I don't know `pdf`: give an open case's reference and `md` or `json`.")
    assert "Use `/case export [case reference] [md|json]`" in reply
    assert box.emu.files == [] and audits(box, "notes.export") == []


def test_when_slack_refuses_the_upload_the_person_is_told_it_is_audited_and_a_retry_works(http_sandbox):
    box = http_sandbox
    open_case(box)
    with_notes(box)
    box.emu.inject_error("files.completeUploadExternal", "internal_error")

    reply = export(box, LEAD)

    assert reply == (
        f"I couldn't send the notes of case {REFERENCE} to you by DM (Slack said `internal_error`). "
        "The notes are unchanged; try again in a few minutes."
    )
    assert box.emu.files == []
    assert [(a.outcome, a.detail.get("error")) for a in audits(box, "notes.export")] == [
        ("ok", None),
        ("failed", "internal_error"),
    ]

    assert export(box, LEAD).startswith("I've sent you the notes")
    assert len(received(box, LEAD)) == 1


def test_help_lists_export(http_sandbox):
    reply = http_sandbox.driver.slash(LEAD, "help", CASE_CHANNEL)
    assert (
        "`/case export [REF] [md|json]`: the case's signed-off notes as a file, sent to you by DM"
        in reply.text
    )


# ------------------------------------------------------------------ exports leave Slack again


def test_an_exported_file_is_deleted_from_slack_after_seven_days_and_the_dm_says_when(http_sandbox, clock):
    box = http_sandbox
    open_case(box)
    with_notes(box)
    export(box, LEAD)
    (sent,) = received(box, LEAD)
    assert "I'll delete it from Slack on " in sent["initial_comment"]

    clock.advance(days=7, minutes=-1)
    jobs.run_pass(box.deps)
    assert not received(box, LEAD)[0].get("deleted"), "still there until its seven days are up"

    clock.advance(minutes=2)
    jobs.run_pass(box.deps)
    (gone,) = received(box, LEAD)
    assert gone["deleted"] and gone["content"] == b""
    (audit,) = audits(box, "notes.export_file.delete")
    assert (audit.actor, audit.object_type, audit.detail) == ("casebot", "case", {"file_id": sent["id"]})
    jobs.run_pass(box.deps)
    assert len(box.emu.calls_to("files.delete")) == 1, "deleted once"


def test_a_file_slack_would_not_delete_yet_is_tried_again_at_the_next_sweep(http_sandbox, clock):
    box = http_sandbox
    open_case(box)
    with_notes(box)
    export(box, LEAD)
    clock.advance(days=8)
    box.emu.inject_error("files.delete", status=500)
    jobs.run_pass(box.deps)
    assert not received(box, LEAD)[0].get("deleted")
    assert audits(box, "notes.export_file.delete") == []
    jobs.run_pass(box.deps)
    assert received(box, LEAD)[0]["deleted"]


def test_with_slack_exports_turned_off_nothing_is_uploaded_and_the_cli_is_named(database_url, clock):
    with Sandbox(database_url=database_url, clock=clock, rate_limits=False, exports_by_slack=False) as box:
        open_case(box)
        with_notes(box)
        reply = export(box, LEAD)
        assert "turned off exports through Slack" in reply and "`casebot notes export`" in reply
        assert box.emu.files == [] and box.emu.calls_to("files.getUploadURLExternal") == []
        (audit,) = audits(box, "notes.export")
        assert (audit.actor, audit.outcome) == (LEAD, "off")
