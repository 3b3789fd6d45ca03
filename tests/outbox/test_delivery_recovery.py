"""The outbox when a row is bad or Slack can't be read: one bad row never blocks the rest, and crash
recovery finds its own post in long threads within Slack's terms, or holds the row rather than guess.

A crash mid-send is simulated as in test_delivery.py: `_remember` raises SystemExit after Slack has
accepted the post and before the row is marked sent. Time is the shared `clock` (the emulator's too).
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.cases import outbox as cases_outbox
from bot.outbox import delivery, recovery
from bot.outbox.delivery import deliver_due
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.harness import CASE_CHANNEL, LEAD, MANAGER, TEAM_ID
from storage import repository as repo
from storage.models import AuditEntry, Case, OutboxMessage, OutboxStatus
from tests.journey import make_manager, open_modal, submit

REFERENCE = "CASE-2026-014"  # the journey's agreement
SECOND = "CASE-2026-015"
SECRET = "Jayden lives at 4 Rata Street"  # case text an exception message might quote


# ------------------------------------------------------------------ helpers
@pytest.fixture
def box(http_sandbox):
    return http_sandbox


def open_cases(box, *references: str) -> None:
    make_manager(box)
    for reference in references:
        reply = submit(box, open_modal(box), reference=reference)
        assert reply.status == 200 and not (reply.json or {}).get("errors"), reply.body


def rows(box, *where) -> list[OutboxMessage]:
    with box.deps.sessions() as session:
        return list(session.scalars(select(OutboxMessage).where(*where).order_by(OutboxMessage.id)))


def row(box, row_id: int) -> OutboxMessage:
    (found,) = rows(box, OutboxMessage.id == row_id)
    return found


def cards(box) -> dict[str, OutboxMessage]:
    with box.deps.sessions() as session:
        refs = dict(session.execute(select(Case.id, Case.reference)).all())
    return {refs[r.case_id]: r for r in rows(box, OutboxMessage.kind == "post_card")}


def audits(box, action: str) -> list[AuditEntry]:
    with box.deps.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def case_id(box, reference: str = REFERENCE) -> int:
    with box.deps.sessions() as session:
        return session.scalar(select(Case.id).where(Case.reference == reference))


def queue_note(box, clock, text: str) -> int:
    with box.deps.sessions.begin() as session:
        note = repo.enqueue(
            session,
            team_id=TEAM_ID,
            case_id=case_id(box),
            kind="thread_note",
            payload={"case_id": case_id(box), "text": text},
            now=clock(),
        )
        return note.id


def crash_sending(box, monkeypatch) -> None:
    """One delivery pass whose process dies after Slack took the post, before the row was marked sent."""

    def process_dies(*args, **kwargs):
        raise SystemExit("killed between Slack's answer and the commit")

    with monkeypatch.context() as patch:
        patch.setattr(delivery, "_remember", process_dies)
        with pytest.raises(SystemExit):
            deliver_due(box.deps)


def notes_in_thread(box, thread_ts: str, text: str) -> list[dict]:
    return [m for m in box.emu.thread(CASE_CHANNEL, thread_ts) if m.get("text") == text]


def thread_of_card(box) -> str:
    with box.deps.sessions() as session:
        return session.scalar(select(Case.thread_ts).where(Case.reference == REFERENCE))


def replies(box, thread_ts: str, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        box.emu.post_user_message(CASE_CHANNEL, user=LEAD, text=f"reply {n}", thread_ts=thread_ts)


def posts_of(box, outbox_id: int) -> list:
    return [
        c
        for c in box.emu.calls_to("chat.postMessage")
        if ((c.params.get("metadata") or {}).get("event_payload") or {}).get("outbox_id") == outbox_id
    ]


# --------------------------------------------------- item 4: one bad row never blocks the others
def test_a_row_that_cannot_be_built_is_dead_lettered_and_the_next_case_goes_out_in_the_same_pass(
    box, clock, monkeypatch, caplog
):
    # Both cards wait behind a rate limit, so one pass then has both rows due, the bad one first.
    box.emu.inject_error("chat.postMessage", "ratelimited", retry_after=30, times=2, channel=CASE_CHANNEL)
    open_cases(box, REFERENCE, SECOND)
    assert {ref: r.status for ref, r in cards(box).items()} == {
        REFERENCE: OutboxStatus.PENDING,
        SECOND: OutboxStatus.PENDING,
    }
    real_card = cases_outbox.case_card

    def over_long_for_the_first_case(view, *rest):
        if view.reference == REFERENCE:
            raise ValueError(f"section text over Slack's 3000-character limit: {SECRET}")
        return real_card(view, *rest)

    monkeypatch.setattr(cases_outbox, "case_card", over_long_for_the_first_case)
    clock.advance(seconds=30)
    with caplog.at_level(logging.DEBUG):
        report = deliver_due(box.deps)

    bad, good = cards(box)[REFERENCE], cards(box)[SECOND]
    assert (bad.status, bad.last_error) == (OutboxStatus.DEAD, "unbuildable:ValueError")
    assert good.status == OutboxStatus.SENT, "the second case's card went out in the same pass"
    posted = [m for m in box.emu.messages(CASE_CHANNEL) if SECOND in m["text"]]
    assert len(posted) == 1 and report.dead >= 1 and report.sent >= 1
    (dead,) = audits(box, "outbox.dead")
    assert (dead.object_id, dead.detail) == (str(bad.id), {"error": "unbuildable:ValueError"})
    waiting = rows(box, OutboxMessage.kind == "post_agreement", OutboxMessage.case_id == bad.case_id)
    assert [r.status for r in waiting] == [OutboxStatus.DEAD], "its agreement shares the card's fate"

    deliver_due(box.deps)  # the manager's notice was queued with the dead letter
    (notice,) = box.emu.dms(MANAGER)
    assert REFERENCE in notice["text"] and "unbuildable:ValueError" in notice["text"]
    logged = caplog.text + " ".join(str(vars(r)) for r in caplog.records)
    assert SECRET not in logged and SECRET not in notice["text"], "ids and the type only, never case text"
    assert str(bad.id) in " ".join(str(getattr(r, "outbox_id", "")) for r in caplog.records)


@pytest.mark.parametrize("error", ["invalid_arguments", "msg_blocks_too_long", "invalid_metadata_format"])
def test_a_post_slack_refuses_as_invalid_is_dead_lettered_at_once_and_the_manager_told(box, clock, error):
    box.emu.inject_error("chat.postMessage", error, channel=CASE_CHANNEL)
    open_cases(box, REFERENCE)
    card = cards(box)[REFERENCE]
    assert (card.status, card.attempts, card.last_error) == (OutboxStatus.DEAD, 1, error)
    deliver_due(box.deps)
    (notice,) = box.emu.dms(MANAGER)
    assert REFERENCE in notice["text"] and error in notice["text"]
    assert "Slack doesn't accept" in notice["text"]
    clock.advance(hours=1)
    deliver_due(box.deps)
    assert posts_of(box, card.id)[-1].response["error"] == error and len(posts_of(box, card.id)) == 1


# ------------------------------------ item 5: crash recovery in long threads, within Slack's terms
def test_crashed_post_near_the_end_of_a_long_thread_is_found_and_not_sent_again(box, clock, monkeypatch):
    open_cases(box, REFERENCE)
    thread_ts = thread_of_card(box)
    replies(box, thread_ts, 240)
    earlier = queue_note(box, clock, "an earlier note")  # confirmed before the crash: the read starts there
    deliver_due(box.deps)
    assert row(box, earlier).status == OutboxStatus.SENT
    replies(box, thread_ts, 10, start=240)
    clock.advance(minutes=5)
    note = queue_note(box, clock, "the crashed note")
    crash_sending(box, monkeypatch)
    replies(box, thread_ts, 20, start=250)  # the thread goes on while casebot is down
    assert len(box.emu.thread(CASE_CHANNEL, thread_ts)) > 270
    assert len(notes_in_thread(box, thread_ts, "the crashed note")) == 1

    clock.advance(seconds=delivery.LEASE.total_seconds())
    box.emu.clear_calls()
    deliver_due(box.deps)

    found = row(box, note)
    assert found.status == OutboxStatus.SENT
    assert len(notes_in_thread(box, thread_ts, "the crashed note")) == 1, "found, not posted again"
    assert found.result["ts"] == notes_in_thread(box, thread_ts, "the crashed note")[0]["ts"]
    assert posts_of(box, note) == []
    (read,) = box.emu.calls_to("conversations.replies")
    assert read.params["oldest"] == row(box, earlier).result["ts"], "read from the last confirmed post"
    assert len(read.response["messages"]) < 40


def test_the_check_reads_from_the_first_attempts_time_not_the_whole_history(box, clock, monkeypatch):
    box.emu.distribution = "non_marketplace"  # 15 a page, a call a minute: a long read would take hours
    open_cases(box, REFERENCE)
    thread_ts = thread_of_card(box)
    replies(box, thread_ts, 300)  # a busy thread, long before; casebot has posted nothing since the card
    clock.advance(hours=2)
    note = queue_note(box, clock, "the crashed note")
    crash_sending(box, monkeypatch)

    clock.advance(seconds=delivery.LEASE.total_seconds())
    box.emu.clear_calls()
    deliver_due(box.deps)

    assert row(box, note).status == OutboxStatus.SENT
    assert len(notes_in_thread(box, thread_ts, "the crashed note")) == 1, "found, not posted again"
    (read,) = box.emu.calls_to("conversations.replies")
    started = row(box, note).first_attempt_at
    oldest = (started - recovery.SLACK_CLOCK_SKEW).timestamp()
    assert float(read.params["oldest"]) == pytest.approx(oldest, abs=1e-6)
    assert len(read.response["messages"]) <= 2, "one page from the first attempt, not 300 replies"


def test_non_marketplace_terms_fifteen_a_page_one_call_a_minute_still_find_the_post(box, clock, monkeypatch):
    box.emu.distribution = "non_marketplace"
    open_cases(box, REFERENCE)
    thread_ts = thread_of_card(box)
    replies(box, thread_ts, 250)  # no confirmed post of ours after the agreement: the read is long
    note = queue_note(box, clock, "the crashed note")
    crash_sending(box, monkeypatch)
    replies(box, thread_ts, 5, start=250)

    clock.advance(seconds=delivery.LEASE.total_seconds())
    for _ in range(40):  # one pass a minute, as `casebot run` sweeps
        deliver_due(box.deps)
        if row(box, note).status == OutboxStatus.SENT:
            break
        assert row(box, note).status == OutboxStatus.UNCERTAIN
        clock.advance(seconds=60)

    assert row(box, note).status == OutboxStatus.SENT
    assert len(notes_in_thread(box, thread_ts, "the crashed note")) == 1
    assert posts_of(box, note)[-1].response.get("ok") and len(posts_of(box, note)) == 1
    answered = [c for c in box.emu.calls_to("conversations.replies") if c.status == 200]
    assert len(answered) >= 17, "15 a page: the whole thread, page by page"
    assert all(len(c.response["messages"]) <= 15 for c in answered)
    assert all(int(c.params["limit"]) == recovery.CHECK_PAGE for c in answered)
    assert not [m for m in box.emu.dms(MANAGER) if "not sure" in m["text"]], "slow, not stuck: nobody told"
    cursors = [c.params.get("cursor") for c in answered]
    assert len(set(cursors)) == len(cursors), "each page read once: the place is kept between passes"


def test_a_check_answered_429_leaves_the_row_uncertain_and_retried_after_retry_after(box, clock, monkeypatch):
    box.emu.inject_error("chat.postMessage", "ratelimited", retry_after=1, channel=CASE_CHANNEL)
    open_cases(box, REFERENCE)
    clock.advance(seconds=1)
    crash_sending(box, monkeypatch)
    card = cards(box)[REFERENCE]
    assert len(posts_of(box, card.id)) == 2  # the 429, then the post Slack took before the crash
    box.emu.inject_error("conversations.history", "ratelimited", retry_after=45, channel=CASE_CHANNEL)

    clock.advance(seconds=delivery.LEASE.total_seconds())
    checked_at = clock()
    report = deliver_due(box.deps)
    card = cards(box)[REFERENCE]
    assert report.uncertain == 1
    assert (card.status, card.last_error) == (OutboxStatus.UNCERTAIN, "uncertain:ratelimited")
    assert card.next_attempt_at == checked_at + timedelta(seconds=45), "Retry-After honoured"
    assert card.attempts == 1, "a check that could not be made is not another attempt at the post"
    assert len(posts_of(box, card.id)) == 2, "not posted again on a guess"

    clock.advance(seconds=44)
    before = len(box.emu.calls_to("conversations.history"))
    deliver_due(box.deps)
    assert len(box.emu.calls_to("conversations.history")) == before, "not before Retry-After"
    clock.advance(seconds=1)
    deliver_due(box.deps)
    card = cards(box)[REFERENCE]
    assert card.status == OutboxStatus.SENT and len(posts_of(box, card.id)) == 2
    assert len(box.emu.messages(CASE_CHANNEL)) == 1
    assert box.emu.dms(MANAGER) == [], "resolved quickly: nobody needed telling"


def test_a_check_that_keeps_failing_tells_the_manager_once_and_never_posts_twice(box, clock, monkeypatch):
    box.emu.inject_error("chat.postMessage", "ratelimited", retry_after=1, channel=CASE_CHANNEL)
    open_cases(box, REFERENCE)
    clock.advance(seconds=1)
    crash_sending(box, monkeypatch)
    card_id = cards(box)[REFERENCE].id
    box.emu.inject_error("conversations.history", status=500, times=None, channel=CASE_CHANNEL)

    clock.advance(seconds=delivery.LEASE.total_seconds())
    for _ in range(recovery.TELL_AFTER_CHECKS + 4):
        deliver_due(box.deps)
        card = row(box, card_id)
        assert card.status == OutboxStatus.UNCERTAIN
        clock.now = max(clock(), card.next_attempt_at)
    deliver_due(box.deps)  # sends the notice queued by the last check

    notices = [m for m in box.emu.dms(MANAGER) if "not sure" in m["text"]]
    assert len(notices) == 1, "told once, however many checks fail"
    assert REFERENCE in notices[0]["text"] and f"<#{CASE_CHANNEL}>" in notices[0]["text"]
    (held,) = audits(box, "outbox.uncertain")
    assert held.object_id == str(card_id)
    assert len(posts_of(box, card_id)) == 2 and len(box.emu.messages(CASE_CHANNEL)) == 1
    assert audits(box, "outbox.dead") == [], "held, not dropped"
    assert row(box, card_id).next_attempt_at - clock() <= recovery.RECHECK_AT_MOST

    box.emu.clear_faults()
    clock.advance(seconds=recovery.RECHECK_AT_MOST.total_seconds())
    deliver_due(box.deps)
    assert row(box, card_id).status == OutboxStatus.SENT
    assert len(box.emu.messages(CASE_CHANNEL)) == 1


# ----------------------------------------------- the emulator reads as Slack does for each app type
@pytest.fixture
def emu():
    with SlackEmulator() as emulator:
        emulator.add_user("U1", name="alex")
        emulator.add_channel("C1", name="cases", is_private=True, members=["U1"])
        now = [1_800_000_000.0]
        emulator.clock = lambda: now[0]
        emulator.now = now  # type: ignore[attr-defined]
        yield emulator


def test_emulator_non_marketplace_reads_fifteen_a_page_and_one_call_a_minute(emu):
    client = WebClient(token=emu.bot_token, base_url=emu.base_url, retry_handlers=[])
    parent = client.chat_postMessage(channel="C1", text="root")
    for n in range(30):
        emu.post_user_message("C1", user="U1", text=f"r{n}", thread_ts=parent["ts"])
    emu.distribution = "non_marketplace"

    first = client.conversations_replies(channel="C1", ts=parent["ts"], limit=200)
    assert len(first["messages"]) == 15 and first["has_more"]
    with pytest.raises(SlackApiError) as refused:
        client.conversations_replies(
            channel="C1", ts=parent["ts"], cursor=first["response_metadata"]["next_cursor"]
        )
    assert refused.value.response.status_code == 429
    assert refused.value.response["error"] == "ratelimited"
    assert int(refused.value.response.headers["Retry-After"]) == 60
    client.conversations_history(channel="C1")  # each method has its own minute

    emu.now[0] += 60
    second = client.conversations_replies(
        channel="C1", ts=parent["ts"], cursor=first["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in second["messages"]] == [f"r{n}" for n in range(14, 29)]


def test_emulator_internal_app_has_tier_3_and_big_pages(emu):
    client = WebClient(token=emu.bot_token, base_url=emu.base_url, retry_handlers=[])
    parent = client.chat_postMessage(channel="C1", text="root")
    for n in range(1100):
        emu.post_user_message("C1", user="U1", text=f"r{n}", thread_ts=parent["ts"])
    assert len(client.conversations_replies(channel="C1", ts=parent["ts"], limit=5000)["messages"]) == 1000
    for _ in range(49):
        client.conversations_replies(channel="C1", ts=parent["ts"], limit=1)
    with pytest.raises(SlackApiError) as refused:
        client.conversations_replies(channel="C1", ts=parent["ts"], limit=1)
    assert refused.value.response.status_code == 429
    emu.now[0] += 60
    assert client.conversations_replies(channel="C1", ts=parent["ts"], limit=1)["ok"]


def test_emulator_replies_honour_oldest(emu):
    client = WebClient(token=emu.bot_token, base_url=emu.base_url, retry_handlers=[])
    parent = client.chat_postMessage(channel="C1", text="root")
    sent = [
        emu.post_user_message("C1", user="U1", text=f"r{n}", thread_ts=parent["ts"])["ts"] for n in range(5)
    ]
    after = client.conversations_replies(channel="C1", ts=parent["ts"], oldest=sent[2])
    assert [m["text"] for m in after["messages"]] == ["r3", "r4"]
