"""Retention of raw thread text: deleted the configured number of days after the note is signed off, not
before, never for a discussion still to be recorded; the note itself is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from bot import jobs
from bot.closing import blocks as form
from bot.notes import flows_retention as retention
from bot.notes import flows_timeliness as timeliness
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD, MANAGER, Sandbox
from storage import retention as store
from storage.models import (
    AuditEntry,
    CapturedItem,
    Discussion,
    DiscussionStatus,
    Note,
    NoteType,
    NoteVersion,
    ThreadMessage,
)
from tests.closing.test_slack import answers, close_form
from tests.discussion_steps import WRAP, current, say, start
from tests.journey import open_case, recorded
from tests.reminder_steps import click, rows

SECTIONS = [{"key": "happened", "title": "What happened", "text": "We agreed a joint visit."}]


@pytest.fixture
def box(database_url, clock):
    with Sandbox(database_url=database_url, clock=clock, rate_limits=False) as sandbox:
        yield sandbox


def held(box) -> tuple[dict, dict]:
    """A wrapped-up discussion with a focus, two replies and one marked decision; (card, a reply)."""
    card = open_case(box)
    start(box, card, focus="Is the child safe at home?")
    reply = say(box, card, LEAD, "Decision: we visit together on Thursday.")
    say(box, card, DEVELOPING, "Mum mentioned the new partner.")
    click(box, DEVELOPING, WRAP, current(box, card))
    return card, reply


def sign_off(box) -> None:
    """What saving the note does (the saving flow itself is built elsewhere): a note, and the discussion
    marked recorded."""
    now = box.deps.clock()
    with box.deps.sessions.begin() as session:
        (discussion,) = session.query(Discussion).all()
        discussion.status, discussion.recorded_at = DiscussionStatus.RECORDED, now
        timeliness.stop(discussion, now)
        note = Note(
            team_id=discussion.team_id,
            case_id=discussion.case_id,
            number=2,  # note 1 is the agreement's decision, written when the case opened
            note_type=NoteType.DISCUSSION,
            discussion_id=discussion.id,
            event_at=discussion.started_at,
            created_at=now,
            latest_version=1,
        )
        session.add(note)
        session.flush()
        session.add(
            NoteVersion(
                team_id=discussion.team_id,
                note_id=note.id,
                version=1,
                recorded_at=now,
                recorder_id=LEAD,
                participants=[LEAD, DEVELOPING],
                sections=SECTIONS,
                actions=[],
                confirmations=[],
                content_hash="0" * 64,
            )
        )


def texts(box) -> tuple[list, list, str | None]:
    (discussion,) = rows(box, Discussion)
    return (
        [m.text for m in rows(box, ThreadMessage)],
        [i.text for i in rows(box, CapturedItem)],
        discussion.focus,
    )


def test_raw_text_is_kept_for_thirty_days_after_sign_off_then_deleted_and_the_note_kept(box):
    held(box)
    sign_off(box)
    signed = box.deps.clock()
    box.deps.clock.move_to(signed + timedelta(days=30) - timedelta(minutes=1))
    assert retention.sweep(box.deps).purged == 0
    replies, items, focus = texts(box)
    assert replies == ["Decision: we visit together on Thursday.", "Mum mentioned the new partner."]
    assert items == ["we visit together on Thursday."] and focus == "Is the child safe at home?"

    box.deps.clock.move_to(signed + timedelta(days=30))
    assert retention.sweep(box.deps).purged == 1
    assert texts(box) == ([None, None], [None], None)
    (discussion,) = rows(box, Discussion)
    assert discussion.raw_purged_at == box.deps.clock()
    (audit,) = rows(box, AuditEntry, action="retention.raw_text")
    assert audit.actor is None and audit.object_id == str(discussion.id)
    assert audit.detail == {"replies": 2, "items": 1, "focus": 1}
    (version,) = recorded(box, NoteVersion)
    assert version.sections == SECTIONS and len(recorded(box, Note)) == 1
    # Marked items keep their kind, owners and dates: only the words are gone.
    (item,) = rows(box, CapturedItem)
    assert item.kind.value == "decision" and item.withdrawn_at is None


def test_a_second_sweep_purges_and_audits_nothing_more(box):
    held(box)
    sign_off(box)
    box.deps.clock.advance(days=31)
    assert retention.sweep(box.deps).purged == 1
    assert retention.sweep(box.deps).looked_at == 0
    assert len(rows(box, AuditEntry, action="retention.raw_text")) == 1


def test_a_discussion_not_yet_recorded_keeps_its_text_however_old(box):
    held(box)
    box.deps.clock.advance(days=400)
    assert retention.sweep(box.deps).looked_at == 0
    assert texts(box)[2] == "Is the child safe at home?"


def test_zero_days_deletes_the_text_at_the_next_sweep_after_sign_off(database_url, clock):
    with Sandbox(database_url=database_url, clock=clock, raw_text_retention_days=0, rate_limits=False) as box:
        held(box)
        assert retention.sweep(box.deps).purged == 0  # wrapped up, not signed off
        sign_off(box)
        report = jobs.run_pass(box.deps)
        assert report.raw_text is not None and report.raw_text.purged == 1
        assert texts(box) == ([None, None], [None], None)


def test_an_edit_in_slack_after_the_purge_does_not_bring_the_text_back(box):
    _, reply = held(box)
    sign_off(box)
    box.deps.clock.advance(days=31)
    retention.sweep(box.deps)
    box.people.edit(LEAD, CASE_CHANNEL, reply, "Decision: we visit together on Friday instead.")
    assert texts(box) == ([None, None], [None], None)


def test_the_sweep_finds_due_discussions_by_the_partial_index(engine, sessions, clock):
    if engine.dialect.name != "sqlite":
        pytest.skip("the query plan is read from SQLite here")
    seen: list[tuple[str, tuple]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    with sessions.begin() as session:
        store.due_for_purge(session, recorded_before=clock(), limit=200)
    event.remove(engine, "before_cursor_execute", capture)
    ((statement, parameters),) = seen
    with engine.connect() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    assert any("ix_discussions_raw_text_kept" in str(row) for row in plan), plan


def test_a_discussion_never_signed_off_loses_its_text_when_its_case_has_been_closed_thirty_days(box):
    held(box)  # wrapped up, its summary never written
    view = close_form(box)
    good = {k: v for k, v in answers([1, 2]).items() if not k.startswith(form.ACTION_PREFIX)}
    assert not (box.driver.submit(MANAGER, view, good).json or {}).get("errors")
    box.deps.executor.wait_idle()
    closed = box.deps.clock()
    box.deps.clock.move_to(closed + timedelta(days=30) - timedelta(minutes=1))
    assert retention.sweep(box.deps).purged == 0
    assert texts(box)[0] == ["Decision: we visit together on Thursday.", "Mum mentioned the new partner."]
    box.deps.clock.move_to(closed + timedelta(days=30))
    assert retention.sweep(box.deps).purged == 1
    assert texts(box) == ([None, None], [None], None)
    assert retention.sweep(box.deps).looked_at == 0
