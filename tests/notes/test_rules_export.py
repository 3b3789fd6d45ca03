"""The notes export: JSON valid against docs/notes-export.schema.json, hashes an importer can recompute,
and Markdown a person can read (every version, amendment reasons, where the actions are)."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content import Content
from bot.notes import rules_export as export
from bot.notes.rules import (
    ActionState,
    ActionText,
    CaseNotes,
    Confirmation,
    NoteRecord,
    SectionText,
    VersionRecord,
    content_hash,
    hash_matches,
    people_section,
)
from bot.notes.rules_drafting import SECTIONS
from tests.notes_builder import EVENT, NAMES, ROLES, Version, record, sections

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs/notes-export.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
NZ = ZoneInfo("Pacific/Auckland")
AT = datetime(2026, 12, 5, 0, 0, tzinfo=UTC)
CONTENT = Content()


def render(name, context):
    return CONTENT.render_plain(name, **context)


def errors(document) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(document)]


STATES = (
    ActionState(1, "done", date(2026, 12, 4), None, datetime(2026, 12, 3, 2, 0, tzinfo=UTC), "UALEX001"),
    ActionState(2, "cannot", None, "No date the family can make", EVENT + timedelta(days=2), "USAM0001"),
)
AMENDED = record(
    Version(
        confirmations=(Confirmation("phone:abc", "phone", "Looks like a phone number: 021 *** 567", ""),)
    ),
    Version(
        recorder_id="UALEX001",
        amendment_reason="Sam's scale was recorded as Alex's",
        sections=sections(risk="Scaled 5/10 by Sam, 6/10 by Alex."),
    ),
    states=STATES,
)
OFFLINE = record(number=2, event_at=EVENT + timedelta(days=14), mode="offline", framework=None)
CASE = CaseNotes("CASE-2026-014", "open", (AMENDED, OFFLINE))


def exported(notes: CaseNotes = CASE) -> dict:
    return export.to_json(notes, exported_at=AT, exported_by="UALEX001")


def markdown(notes: CaseNotes = CASE, **names: str) -> str:
    return export.to_markdown(
        notes,
        exported_at=AT,
        exported_by="UALEX001",
        zone=NZ,
        zone_name="Pacific/Auckland",
        render=render,
        names=names,
    )


# ------------------------------------------------------------------ the schema
def test_schema_is_a_valid_2020_12_schema_with_a_description_on_every_field():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$id"] == export.SCHEMA_ID
    assert SCHEMA["properties"]["schema_version"]["const"] == export.SCHEMA_VERSION == 2

    def undescribed(node, path="#"):
        if isinstance(node, dict):
            for name, child in node.get("properties", {}).items():
                if "description" not in child:
                    yield f"{path}/properties/{name}"
            for key, child in node.items():
                yield from undescribed(child, f"{path}/{key}")
        elif isinstance(node, list):
            for i, child in enumerate(node):
                yield from undescribed(child, f"{path}/{i}")

    assert list(undescribed(SCHEMA)) == []


def test_an_export_is_valid_against_the_schema():
    document = exported()
    assert errors(document) == []
    assert errors(json.loads(json.dumps(document))) == [], "and still after a trip through JSON text"


def test_export_holds_every_note_every_version_oldest_first_and_the_action_states():
    document = exported()
    assert document["schema"] == export.SCHEMA_ID and document["schema_version"] == 2
    assert document["exported_at"] == "2026-12-05T00:00:00+00:00"
    assert document["case"] == {"reference": "CASE-2026-014", "status": "open"}
    first, second = document["notes"]
    assert [v["version"] for v in first["versions"]] == [1, 2] and first["current_version"] == 2
    assert [v["amendment_reason"] for v in first["versions"]] == [None, "Sam's scale was recorded as Alex's"]
    assert [v["recorder_id"] for v in first["versions"]] == ["USAM0001", "UALEX001"]
    assert first["event_at"] == "2026-12-01T21:00:00+00:00"
    assert first["versions"][0]["confirmations"][0]["message"].endswith("021 *** 567")
    assert first["versions"][0]["actions"][0] == {
        "number": 1,
        "text": "Ring the school about attendance",
        "owner_id": "UALEX001",
        "due": "2026-12-04",
        "done_looks_like": "We know the last 4 weeks",
    }
    assert [(s["number"], s["status"], s["reason"]) for s in first["action_states"]] == [
        (1, "done", None),
        (2, "cannot", "No date the family can make"),
    ]
    assert (second["mode"], second["framework"], second["action_states"]) == ("offline", None, [])
    assert all(v["content_hash_matches"] for n in document["notes"] for v in n["versions"])


def recompute(note: dict, version: dict) -> str:
    """As docs/notes-export.md tells an importer to, from the export alone."""
    canonical = {
        "note_type": note["note_type"],
        "event_at": note["event_at"],
        "recorder_id": version["recorder_id"],
        "participants": version["participants"],
        "sections": version["sections"],
        "actions": version["actions"],
        "amendment_reason": version["amendment_reason"],
    }
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_each_versions_content_hash_recomputes_from_the_export_alone():
    document = exported()
    for note in document["notes"]:
        for version in note["versions"]:
            assert recompute(note, version) == version["content_hash"]


def test_a_version_changed_after_signing_is_exported_with_its_hash_marked_as_not_matching():
    note = AMENDED
    tampered = VersionRecord(**{**note.versions[0].__dict__, "sections": sections(risk="Low risk.")})
    changed = NoteRecord(**{**note.__dict__, "versions": (tampered, note.versions[1])})
    document = exported(CaseNotes("CASE-2026-014", "open", (changed,)))
    assert [v["content_hash_matches"] for v in document["notes"][0]["versions"]] == [False, True]
    assert errors(document) == []
    assert "does not match" in markdown(CaseNotes("CASE-2026-014", "open", (changed,)))


@pytest.mark.parametrize(
    "breakage",
    [
        pytest.param(lambda d: d.update(schema_version=1), id="another schema version"),
        pytest.param(lambda d: d.pop("exported_at"), id="no export time"),
        pytest.param(lambda d: d.update(exported_at="2026-12-05T13:00:00+13:00"), id="a time not in UTC"),
        pytest.param(lambda d: d["case"].update(child_name="Aroha"), id="an unknown field"),
        pytest.param(lambda d: d["notes"][0]["versions"].clear(), id="a note with no versions"),
        pytest.param(lambda d: d["notes"][0]["versions"][0].update(content_hash="abc"), id="a short hash"),
        pytest.param(lambda d: d["notes"][0]["action_states"][0].update(status="later"), id="unknown state"),
        pytest.param(
            lambda d: d["notes"][0]["versions"][0]["actions"][0].update(due="4/12/2026"), id="bad day"
        ),
    ],
)
def test_the_schema_rejects_a_broken_export(breakage):
    document = copy.deepcopy(exported())
    breakage(document)
    assert errors(document), "the validation test can fail"


# ------------------------------------------------------------ a property
users = st.from_regex(r"U[A-Z0-9]{2,10}", fullmatch=True)
texts = st.text(max_size=60)
moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))


@st.composite
def version_records(draw, number: int, note_type: str, event_at: datetime) -> VersionRecord:
    recorder = draw(users)
    participants = tuple(draw(st.lists(users, max_size=4)))
    section_texts = tuple(
        SectionText(key, title, draw(texts)) for key, title in draw(st.lists(st.sampled_from(SECTIONS)))
    )
    actions = tuple(
        ActionText(i, draw(texts), draw(st.none() | users), draw(st.none() | days), draw(st.none() | texts))
        for i in range(1, draw(st.integers(0, 3)) + 1)
    )
    reason = draw(texts) if number > 1 else None
    confirmations = tuple(
        Confirmation(draw(texts), draw(texts), draw(texts), draw(texts))
        for _ in range(draw(st.integers(0, 2)))
    )
    return VersionRecord(
        version=number,
        recorded_at=draw(moments),
        recorder_id=recorder,
        amendment_reason=reason,
        participants=participants,
        sections=section_texts,
        actions=actions,
        confirmations=confirmations,
        content_hash=content_hash(
            note_type=note_type,
            event_at=event_at,
            recorder_id=recorder,
            participants=participants,
            sections=section_texts,
            actions=actions,
            amendment_reason=reason,
        ),
    )


@st.composite
def note_records(draw, number: int) -> NoteRecord:
    event_at = draw(moments)
    note_type = draw(st.sampled_from(["discussion_with_colleague", "management_decision"]))
    versions = tuple(
        draw(version_records(n, note_type, event_at)) for n in range(1, draw(st.integers(1, 3)) + 1)
    )
    states = tuple(
        ActionState(
            a.number,
            draw(st.sampled_from(["open", "done", "cannot"])),
            draw(st.none() | days),
            draw(st.none() | texts),
            draw(st.none() | moments),
            draw(st.none() | users),
        )
        for a in versions[-1].actions
    )
    mode = draw(st.sampled_from(["slack", "offline"]))
    return NoteRecord(
        number=number,
        note_type=note_type,
        event_at=event_at,
        mode=mode,
        framework=draw(st.none() | texts) if mode == "slack" else None,
        versions=versions,
        action_states=states,
    )


@st.composite
def case_notes(draw) -> CaseNotes:
    count = draw(st.integers(0, 3))
    return CaseNotes(
        reference=draw(st.from_regex(r"[A-Z0-9][A-Z0-9/-]{2,23}", fullmatch=True)),
        status=draw(st.sampled_from(["open", "closed"])),
        notes=tuple(draw(note_records(n)) for n in range(1, count + 1)),
    )


@settings(max_examples=60, deadline=None)
@given(notes=case_notes(), exported_at=moments, by=st.one_of(users, st.just("cli")))
def test_any_case_exports_valid_json_whose_hashes_recompute_and_markdown_renders(notes, exported_at, by):
    document = json.loads(json.dumps(export.to_json(notes, exported_at=exported_at, exported_by=by)))
    assert errors(document) == []
    assert len(document["notes"]) == len(notes.notes)
    for note in document["notes"]:
        assert [v["version"] for v in note["versions"]] == list(range(1, len(note["versions"]) + 1))
        for version in note["versions"]:
            assert version["content_hash_matches"]
            assert recompute(note, version) == version["content_hash"]
    text = export.to_markdown(
        notes, exported_at=exported_at, exported_by=by, zone=NZ, zone_name="Pacific/Auckland", render=render
    )
    assert text.startswith(f"# Case notes: {notes.reference}\n")
    for note in notes.notes:
        assert f"## Note {note.number}: " in text
        assert all(f"`{v.content_hash}`" in text for v in note.versions)


# ------------------------------------------------------------------ Markdown
def test_markdown_shows_the_current_version_first_then_earlier_versions_with_amendment_reasons():
    text = markdown(UALEX001="Alex")
    note_one = text[text.index("## Note 1") : text.index("## Note 2")]
    current = note_one.index("### Version 2 (current)")
    earlier = note_one.index("### Version 1 (earlier, replaced by version 2)")
    assert current < earlier
    assert "**Amendment reason:** Sam's scale was recorded as Alex's" in note_one[current:earlier]
    assert "Scaled 5/10 by Sam, 6/10 by Alex." in note_one[current:earlier]
    assert "Scaled 6/10 by both." in note_one[earlier:], "the earlier wording is still readable"
    assert "Looks like a phone number: 021 *** 567" in note_one[earlier:]
    # people by name, never "Alex (UALEX001)"; an id only for someone Slack cannot name
    assert "Recorded Thu 3 Dec 2026, 12:00 NZDT by Alex." in note_one[current:earlier]
    assert "## Note 1: Discussion with colleague, Wed 2 Dec 2026, 10:00 NZDT" in text
    assert "Held in Slack, framework: Critical friend. 2 versions" in note_one
    assert "Times are shown in Pacific/Auckland." in text


def test_markdown_says_where_each_action_has_got_to():
    text = markdown()
    states = text[text.index("### Where the actions are now") : text.index("### Version 1 (earlier")]
    assert (
        "1. Ring the school about attendance: **done**, marked Thu 3 Dec 2026, 15:00 NZDT by UALEX001"
        in states
    )
    assert (
        "2. Book the next family meeting: **can't be done** (No date the family can make), "
        "marked Fri 4 Dec 2026, 10:00 NZDT by USAM0001"
    ) in states
    assert "1. Ring the school about attendance (owner: UALEX001; due: Fri 4 Dec 2026; " in text


def test_markdown_keeps_peoples_text_literal_and_cannot_fake_a_heading():
    text = markdown()
    assert "Aroha & her brother <both> at school." in text, "no Slack escaping in a file"
    assert "&amp;" not in text
    assert "\n\\# Not a heading\n" in text
    assert "\n# Not a heading" not in text


def test_markdown_of_an_offline_note_and_of_a_case_with_one_note():
    text = markdown(CaseNotes("CASE-2026-014", "closed", (OFFLINE,)))
    assert "Case CASE-2026-014 (closed): 1 note, exported Sat 5 Dec 2026, 13:00 NZDT by UALEX001." in text
    assert "Held offline. One version." in text
    assert "(earlier" not in text and "### Where the actions are now" not in text, "no states to show"


def test_markdown_exported_from_the_command_line_says_so():
    text = export.to_markdown(
        CASE, exported_at=AT, exported_by="cli", zone=UTC, zone_name="UTC", render=render
    )
    assert "exported Sat 5 Dec 2026, 00:00 UTC by the casebot command line." in text


# --------------------------------------------------------------- small rules
def test_file_names_are_safe_and_sort_by_time():
    assert export.filename("CASE-2026-014", AT, "md") == "CASE-2026-014-notes-20261205T000000Z.md"
    assert export.filename("N/2026/7", AT, "json") == "N-2026-7-notes-20261205T000000Z.json"
    assert export.filename("../..", AT, "md") == "case-notes-20261205T000000Z.md"


@pytest.mark.parametrize(
    ("word", "fmt"),
    [("md", "md"), ("Markdown", "md"), ("JSON", "json"), (".json", "json"), ("pdf", None), ("", None)],
)
def test_formats(word, fmt):
    assert export.parse_format(word) == fmt


def test_one_version_of_a_note_says_whether_it_is_current():
    def one(version: int) -> str:
        return export.version_to_markdown(
            "CASE-2026-014", AMENDED, version, zone=NZ, zone_name="Pacific/Auckland", render=render
        )

    assert "Version 2 of 2, the current one." in one(2) and REASON_2 in one(2)
    assert "Version 1 of 2, replaced by version 2." in one(1) and "Amendment reason" not in one(1)
    with pytest.raises(KeyError):
        one(3)


REASON_2 = "**Amendment reason:** Sam's scale was recorded as Alex's"


# ------------------------------------------ names, told, structured sharing decisions
SHARED = {
    "what": "the contact plan",
    "with_whom": "the school",
    "why": "so they can support her on Mondays",
    "basis": "consent",
    "consent": "given",
    "decided_by": "Mere (team manager)",
}


def signed_with_names_and_sharing() -> CaseNotes:
    texts = sections(told="We told mum the plan is reviewed in 4 weeks.")
    with_sharing = tuple(
        SectionText(s.key, s.title, s.text, (SHARED,)) if s.key == "sharing" else s for s in texts
    )
    version = Version(
        recorder_id="UALEX001",
        sections=(people_section(("USAM0001", "UALEX001"), NAMES, ROLES), *with_sharing),
    )
    return CaseNotes("CASE-2026-014", "open", (record(version),))


def test_markdown_names_people_as_signed_with_their_role_once_and_no_slack_ids():
    text = markdown(signed_with_names_and_sharing())  # Slack names nobody: the note does
    assert "Recorded Wed 2 Dec 2026, 12:00 NZDT by Alex (social worker)." in text
    assert "**Participants:** Sam (newly qualified), co-worker; Alex (social worker), lead worker" in text
    assert "UALEX001" not in text.replace("by UALEX001.", "") and "USAM0001" not in text
    assert "#### Participants" not in text, "the participants row is not a section of text"


def test_markdown_and_json_keep_the_told_section_and_each_sharing_decision_as_fields():
    notes = signed_with_names_and_sharing()
    text = markdown(notes)
    told = text.index("#### What we told the child or family")
    assert "We told mum the plan is reviewed in 4 weeks." in text[told:]
    sharing = text[text.index("#### Information sharing") :]
    assert (
        "- the contact plan: with the school; why: so they can support her on Mondays; basis: consent; "
        "consent: given; decided by: Mere (team manager)"
    ) in sharing
    document = export.to_json(notes, exported_at=AT, exported_by="UALEX001")
    assert errors(document) == []
    (version,) = document["notes"][0]["versions"]
    (shared,) = [s for s in version["sections"] if s["key"] == "sharing"]
    assert shared["entries"] == [SHARED]
    assert version["content_hash_matches"] is True
    # the entries are signed: changing one breaks the hash
    tampered = copy.deepcopy(notes.notes[0].current)
    changed = tuple(
        SectionText(s.key, s.title, s.text, ({**SHARED, "consent": "overridden"},))
        if s.key == "sharing"
        else s
        for s in tampered.sections
    )
    assert not hash_matches(notes.notes[0], replace(tampered, sections=changed))
