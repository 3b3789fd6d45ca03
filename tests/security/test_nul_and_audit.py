"""NUL bytes are refused next to the field or removed, never a 500 or a lost reply; refusals are audited."""

from __future__ import annotations

from sqlalchemy import select

from bot.cases.rules_agreements import NUL_MESSAGE, nul_problems
from bot.ids import Block
from bot.sandbox.harness import LEAD
from storage.models import AuditEntry, Case
from tests.discussion_steps import items, say, start, stored
from tests.journey import make_manager, open_case, open_modal, submit


def _rows(box, model, *where):
    with box.deps.sessions() as session:
        return list(session.scalars(select(model).where(*where)))


def test_a_nul_in_the_reference_is_refused_next_to_the_field(http_sandbox):
    box = http_sandbox
    make_manager(box)
    reply = submit(box, open_modal(box), **{Block.REFERENCE: "CASE-2026-\x00014"})
    assert reply.status == 200
    assert reply.json["errors"] == {Block.REFERENCE: NUL_MESSAGE}
    assert _rows(box, Case) == []


def test_a_nul_in_a_free_text_field_is_refused_next_to_that_field(http_sandbox):
    box = http_sandbox
    make_manager(box)
    reply = submit(box, open_modal(box), **{Block.LEARNING_GOALS: "Chair\x00 the core group"})
    assert reply.json["errors"] == {Block.LEARNING_GOALS: NUL_MESSAGE}


def test_nul_problems_reads_only_typed_text():
    values = {"a": {"a": {"type": "plain_text_input", "value": "x\x00y"}}, "b": {"b": {"selected_users": []}}}
    assert nul_problems(values) == {"a": NUL_MESSAGE}
    assert nul_problems({"a": {"a": {"type": "plain_text_input", "value": None}}}) == {}


def test_a_thread_reply_with_a_nul_is_stored_without_it(http_sandbox):
    box = http_sandbox
    card = open_case(box)
    start(box, card)
    say(box, card, LEAD, "Decision: we visit\x00 together on Thursday")
    texts = [m.text for m in stored(box)]
    assert "Decision: we visit together on Thursday" in texts
    assert [i.kind.value for i in items(box)] == ["decision"]


def test_an_agreement_submitted_by_a_non_manager_is_refused_and_audited(http_sandbox):
    box = http_sandbox
    make_manager(box)
    view = open_modal(box)
    reply = submit(box, view, user_id=LEAD)
    assert "Only managers can open" in reply.json["errors"][Block.REFERENCE]
    denied = _rows(box, AuditEntry, AuditEntry.action == "case.open", AuditEntry.outcome == "denied")
    assert [(a.actor, a.detail) for a in denied] == [(LEAD, {"via": "agreement form"})]
