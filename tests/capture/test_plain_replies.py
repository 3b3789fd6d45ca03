"""A member's reply with nothing to capture, the commonest event of all, is stored in one statement, and
a retried one found in one more (issue 17: events stored at half the necessary work's rate or better;
`benchmarks/events.py` prints the ratio). Everything else keeps the full path."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from bot.capture import flows as replies
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, MANAGER, OUTSIDER, TEAM_ID
from storage import discussions as store
from tests.discussion_steps import items, say, start, stored
from tests.journey import open_case

LEAN = 2  # BEGIN, and the reply stored where it goes (the commit is not a statement)
RETRIED = 3  # and the reply found already stored


def reply(card: dict, n: int, user: str = DEVELOPING, text: str = "I saw them at home on Monday.") -> dict:
    return {
        "type": "message",
        "channel": CASE_CHANNEL,
        "user": user,
        "text": text,
        "ts": f"{1796529600 + n}.000100",
        "thread_ts": card["ts"],
    }


def statements(box, message: dict, event_id: str) -> list[str]:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(box.deps.engine, "before_cursor_execute", count)
    try:
        replies.on_message(box.deps, team_id=TEAM_ID, event=message, event_id=event_id)
    finally:
        event.remove(box.deps.engine, "before_cursor_execute", count)
    return seen


def test_a_members_plain_reply_is_stored_in_a_few_statements_and_once(sandbox):
    card = open_case(sandbox)
    start(sandbox, card)
    before = len(stored(sandbox))
    first = statements(sandbox, reply(card, 1), "Ev1")
    assert len(first) <= LEAN, first
    again = statements(sandbox, reply(card, 1), "Ev1")  # Slack's retry of the same event
    also = statements(sandbox, reply(card, 1), "Ev1b")  # the same message under another event id
    assert len(again) <= RETRIED and len(also) <= RETRIED, (again, also)
    rows = stored(sandbox)[before:]
    assert [(r.author_id, r.text) for r in rows] == [(DEVELOPING, "I saw them at home on Monday.")]


def test_a_reply_with_a_mark_still_captures_it(sandbox):
    card = open_case(sandbox)
    start(sandbox, card)
    replies.on_message(
        sandbox.deps,
        team_id=TEAM_ID,
        event=reply(card, 2, text="Decision: we visit together."),
        event_id="Ev2",
    )
    assert [i.text for i in items(sandbox)] == ["we visit together."]


def test_the_manager_is_stored_by_the_full_path_and_an_outsider_not_at_all(sandbox):
    card = open_case(sandbox)
    start(sandbox, card)
    before = len(stored(sandbox))
    replies.on_message(sandbox.deps, team_id=TEAM_ID, event=reply(card, 3, MANAGER), event_id="Ev3")
    replies.on_message(sandbox.deps, team_id=TEAM_ID, event=reply(card, 4, OUTSIDER), event_id="Ev4")
    assert [r.author_id for r in stored(sandbox)[before:]] == [MANAGER]


def test_no_discussion_under_way_stores_nothing(sandbox):
    card = open_case(sandbox)
    replies.on_message(sandbox.deps, team_id=TEAM_ID, event=reply(card, 5), event_id="Ev5")
    assert stored(sandbox) == []


def test_a_reply_nobody_is_told_about_is_acked_without_running_a_listener(sandbox, monkeypatch):
    """bolt answers with the storing middleware's ack; only a reply whose author is told something hands
    a listener to the pool (handing an idle one cost a thread switch beside the next request's ack)."""
    card = open_case(sandbox)
    handed: list[str] = []
    submit = sandbox.deps.executor.submit

    def counted(fn, /, *args, **kwargs):
        handed.append(getattr(fn, "__qualname__", repr(fn)))
        return submit(fn, *args, **kwargs)

    monkeypatch.setattr(sandbox.deps.executor, "submit", counted)
    told = len(sandbox.emu.calls_to("chat.postEphemeral"))
    say(sandbox, card, DEVELOPING, "Decision: we visit together.")  # no discussion: its author is told
    assert len(handed) == 1
    assert len(sandbox.emu.calls_to("chat.postEphemeral")) == told + 1
    start(sandbox, card)
    handed.clear()
    before = len(stored(sandbox))
    say(sandbox, card, DEVELOPING, "I saw them at home on Monday.")
    assert handed == [] and len(stored(sandbox)) == before + 1
    assert sandbox.ack_order.requests[-1].acked is not None  # acknowledged all the same


def test_thread_events_find_their_case_and_items_by_index(sandbox):
    """A team keeps all its cases, open and closed, in one channel, and every item it ever captured in
    one table: each reply read them all to find its case, each marked or edited one to find its items
    (issue 17: constant in the number of cases)."""
    if sandbox.deps.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL plans by its statistics: over one case, any index on cases is as good")
    card = open_case(sandbox)
    start(sandbox, card)
    inserted = run_noting(
        sandbox,
        "INSERT",
        lambda: replies.on_message(sandbox.deps, team_id=TEAM_ID, event=reply(card, 6), event_id="Ev6"),
    )
    assert "ix_cases_thread" in plan_of(sandbox, *inserted[0])

    def items_of_message() -> None:
        with sandbox.deps.reads() as session:
            store.items_of_message(session, message_id=1)

    assert "ix_captured_items_message_id" in plan_of(
        sandbox, *run_noting(sandbox, "SELECT", items_of_message)[0]
    )


def run_noting(box, verb: str, work) -> list[tuple[str, object]]:
    seen: list[tuple[str, object]] = []

    def note(_conn, _cursor, statement, parameters, *_args) -> None:
        if statement.lstrip().startswith(verb):
            seen.append((statement, parameters))

    event.listen(box.deps.engine, "before_cursor_execute", note)
    try:
        work()
    finally:
        event.remove(box.deps.engine, "before_cursor_execute", note)
    return seen


def plan_of(box, statement: str, parameters) -> str:
    with box.deps.engine.connect() as conn:
        return " ".join(
            str(row) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        )
