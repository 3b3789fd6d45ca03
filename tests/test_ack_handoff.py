"""A listener's work after its ack runs on the answers pool (bot/executor.py), never on the listener
thread: with 8 clients at once, work left on the listener threads held them all, and the next requests'
acks queued for a free one. The sandbox notes which thread made every database write (ack_order.py)."""

from __future__ import annotations

from bot.ids import ActionId
from bot.sandbox.ack_order import WRITES
from bot.sandbox.harness import CASE_CHANNEL, LEAD
from storage.models import AgreementAcceptance, Case, FormIntake
from tests.discussion_steps import NEXT, current, prompts, start
from tests.journey import make_manager, open_case, open_modal, submit
from tests.reminder_steps import click, rows


def _agree_values(agreement: dict) -> list[str]:
    return [b["accessory"]["value"] for b in agreement["blocks"] if b.get("accessory")]


def _writers_since(box, mark: int) -> set[str]:
    """The pools whose threads inserted, updated or deleted rows since `mark` (reads end in a commit too)."""
    return {w.thread.rsplit("_", 1)[0] for w in box.ack_order.writes[mark:] if w.verb in WRITES}


def test_agree_is_recorded_after_the_ack_off_the_listener_threads(sandbox):
    card = open_case(sandbox)
    agreement = sandbox.emu.thread(CASE_CHANNEL, card["ts"])[1]
    (value,) = [v for v in _agree_values(agreement) if v.endswith(LEAD)]
    mark = len(sandbox.ack_order.writes)
    sandbox.driver.click(LEAD, ActionId.AGREE, value=value, message=agreement, channel_id=CASE_CHANNEL)
    assert len(rows(sandbox, AgreementAcceptance)) == 1
    assert "casebot-listener" not in _writers_since(sandbox, mark)


def test_next_question_moves_on_after_the_ack_off_the_listener_threads(sandbox):
    card = open_case(sandbox)
    start(sandbox, card)
    mark = len(sandbox.ack_order.writes)
    click(sandbox, LEAD, NEXT, current(sandbox, card))
    assert len(prompts(sandbox)) == 2
    assert "casebot-listener" not in _writers_since(sandbox, mark)


def test_the_agreement_form_is_checked_and_kept_with_one_insert_and_saved_after_the_ack(sandbox):
    make_manager(sandbox)
    view = open_modal(sandbox)
    mark = len(sandbox.ack_order.writes)
    reply = submit(sandbox, view)
    assert reply.status == 200 and not (reply.json or {}).get("errors"), reply.body
    request = sandbox.ack_order.requests[-1]
    assert request.kind == "view_submission agreement_modal"
    written = [w.verb for w in sandbox.ack_order.writes_before_ack(request) if w.verb in WRITES]
    assert written == ["insert"]  # the form kept (storage/intake.py); reads' ends are noted as commits
    assert len(rows(sandbox, Case)) == 1
    assert rows(sandbox, FormIntake) == []  # the save dropped it
    # Kept in the listener's middleware, on the request's own thread (bot/cases/listeners_form.py); the
    # save is on the answers pool; no listener thread writes at all.
    by_request = [w.verb for w in sandbox.ack_order.writes[mark:] if w.thread == request.thread]
    assert [v for v in by_request if v in WRITES] == ["insert"]
    assert "casebot-listener" not in _writers_since(sandbox, mark)
    assert "casebot-answer" in _writers_since(sandbox, mark)
