"""An acknowledged agreement form is never lost: it is kept (encrypted) with one insert before the ack and
saved after it; if the process stops in between, or the save fails, the next scheduled pass saves it."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from bot import jobs
from bot.cases import flows
from bot.ids import Block
from bot.outbox.wake import Listener
from bot.sandbox import payloads
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, MANAGER, TEAM_ID
from bot.worker import FormSaver
from storage.models import Case, FormIntake, Person
from tests.journey import GOOD_ANSWERS, make_manager, open_modal
from tests.reminder_steps import rows


def _checked(box) -> tuple[flows.Submitted, flows.Submission]:
    """The form as its listener checks it before the ack; what runs after the ack is left to the caller."""
    make_manager(box)
    view = open_modal(box)
    values = payloads.state_values_from_inputs(view["blocks"], GOOD_ANSWERS)
    body = payloads.view_submission(user_id=MANAGER, team_id=TEAM_ID, view=view, values=values)
    sub = flows.submission_from(body)
    submitted = flows.submit_agreement(box.deps, box.app.client, sub)
    assert submitted.errors is None
    return submitted, sub


def _cards(box) -> list[dict]:
    return [m for m in box.emu.messages(CASE_CHANNEL) if m.get("blocks")]


def test_a_form_acked_by_a_process_that_stopped_is_saved_by_the_next_pass(http_sandbox, clock):
    box = http_sandbox
    submitted, _sub = _checked(box)  # acknowledged; the process stops before the save after the ack
    assert len(rows(box, FormIntake)) == 1 and rows(box, Case) == []

    jobs.run_pass(box.deps)  # too soon to tell a stopped save from a running one
    assert rows(box, Case) == []
    clock.advance(minutes=2)
    jobs.run_pass(box.deps)
    box.deps.executor.wait_idle()
    assert len(rows(box, Case)) == 1 and rows(box, FormIntake) == []
    assert _cards(box), "the case card was posted"

    submitted.then()  # the first save turning up late opens nothing twice
    assert len(rows(box, Case)) == 1


def test_a_save_that_fails_after_the_ack_keeps_the_form(http_sandbox, clock, monkeypatch):
    box = http_sandbox
    submitted, _sub = _checked(box)
    real_save = flows._save

    def database_down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(flows, "_save", database_down)
    with contextlib.suppress(OperationalError):  # logged by type on the answers pool
        submitted.then()
    told = [e["text"] for e in box.emu.ephemerals if e["user"] == MANAGER]
    assert any("What you entered is kept" in t for t in told), told
    assert len(rows(box, FormIntake)) == 1 and rows(box, Case) == []

    monkeypatch.setattr(flows, "_save", real_save)
    clock.advance(minutes=2)
    jobs.run_pass(box.deps)
    assert len(rows(box, Case)) == 1 and rows(box, FormIntake) == []


def test_the_kept_form_is_encrypted_at_rest(http_sandbox):
    box = http_sandbox
    _checked(box)
    typed = GOOD_ANSWERS[Block.INFORMATION_SHARING]  # free text the manager typed
    with box.deps.engine.connect() as conn:
        (stored,) = conn.execute(text("SELECT form_values FROM form_intake")).one()
    assert "health visitor" not in str(stored)
    with box.deps.sessions() as session:
        kept = session.scalars(select(FormIntake)).one()
        assert typed in str(kept.form_values)  # readable through the data keys


def test_the_save_after_the_ack_reads_everyone_on_the_form_at_once(http_sandbox):
    """The manager, the co-workers and the zones Slack gave: one query for the people, not one each (the
    save runs beside later requests' acks, so its round trips are theirs too: issue 17)."""
    from sqlalchemy import event

    box = http_sandbox
    submitted, _sub = _checked(box)
    people_reads: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM people" in statement:
            people_reads.append(statement)

    event.listen(box.deps.engine, "before_cursor_execute", note)
    try:
        submitted.then()
    finally:
        event.remove(box.deps.engine, "before_cursor_execute", note)
    assert len(rows(box, Case)) == 1
    one_by_one = [s for s in people_reads if "people.slack_user_id = " in s]
    at_once = [s for s in people_reads if "people.slack_user_id IN" in s]
    # The second read at once: the co-workers are new to casebot here, and are read back once inserted.
    assert one_by_one == [] and len(at_once) == 2, people_reads


def _zones(box) -> dict[str, str | None]:
    with box.deps.sessions() as session:
        return {p.slack_user_id: p.tz for p in session.scalars(select(Person))}


def test_a_form_saved_by_the_next_pass_keeps_the_time_zones_slack_gave(http_sandbox, clock):
    """The reminders of a case opened by the recovery pass follow each person's own zone from the start,
    as they would had the acking process saved it (Sam works on Chatham time)."""
    box = http_sandbox
    _checked(box)
    clock.advance(minutes=2)
    jobs.run_pass(box.deps)
    assert len(rows(box, Case)) == 1
    assert _zones(box)[DEVELOPING] == "Pacific/Chatham" and _zones(box)[MANAGER] == "Pacific/Auckland"


def test_casebot_web_hands_the_form_to_a_worker_on_postgresql(http_sandbox, database_url):
    """`casebot web` keeps the form and acks; a worker, woken by the keep's NOTIFY, saves it at once (not a
    minute later, as the recovery pass would) and the card is posted."""
    if not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's; on SQLite the process that acks saves the form")
    box = http_sandbox
    box.deps.forms_to_workers = True
    saver = FormSaver(box.deps).start()
    listener = Listener(box.deps.engine, box.delivery.wake, forms=saver.take).start()
    try:
        time.sleep(1.0)  # the listener's LISTEN has taken effect
        mark = len(box.ack_order.writes)
        submitted, _sub = _checked(box)
        # The keep and its NOTIFY are one statement (WITH kept AS (INSERT …)), committed as it ends.
        mine = [w.verb for w in box.ack_order.writes[mark:] if w.thread == threading.current_thread().name]
        assert "insert" in mine and mine[-1] == "commit", mine
        submitted.then()  # the web process's work after the ack: nothing to save
        (kept,) = rows(box, FormIntake)
        assert kept.form_values["casebot:zones"][DEVELOPING] == "Pacific/Chatham"
        deadline = time.monotonic() + 10
        while rows(box, FormIntake) and time.monotonic() < deadline:
            time.sleep(0.05)
        saver.wait_idle()
        box.deps.executor.wait_idle()
    finally:
        listener.stop()
        saver.stop(timeout=10)
    assert len(rows(box, Case)) == 1 and rows(box, FormIntake) == []
    assert _zones(box)[DEVELOPING] == "Pacific/Chatham"
    assert _cards(box), "the case card was posted"


def test_the_form_is_answered_by_its_middleware_with_no_listener_on_the_pool(http_sandbox, monkeypatch):
    """bolt looks for a pooled listener's ack every 10 ms; the form is answered where it is checked, its
    errors too, and only the save after the ack goes to the answers pool."""
    box = http_sandbox
    make_manager(box)
    pooled: list[object] = []
    submit = box.deps.executor.submit
    monkeypatch.setattr(
        box.deps.executor, "submit", lambda fn, *a, **kw: pooled.append(fn) or submit(fn, *a, **kw)
    )
    view = open_modal(box)
    pooled.clear()
    refused = box.driver.submit(MANAGER, view, {**GOOD_ANSWERS, Block.REFERENCE: ""})
    errors = (refused.json or {}).get("errors") or {}
    assert Block.REFERENCE in errors, refused.body
    assert pooled == [], "the refusal was answered without a listener"
    view = open_modal(box)
    pooled.clear()  # `/case open` itself runs a listener
    accepted = box.driver.submit(MANAGER, view, GOOD_ANSWERS)
    assert accepted.status == 200 and not (accepted.json or {}).get("errors")
    box.deps.executor.wait_idle()
    assert len(rows(box, Case)) == 1, "saved after the ack"
    assert not any(getattr(fn, "__name__", "") == "run_ack_function_asynchronously" for fn in pooled), pooled
