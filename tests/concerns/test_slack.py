"""Urgent concerns as people see them in Slack: the advice at once, one alert DM, the card line until
someone acknowledges it, and the alert passed on when nobody does.

The sandbox case opens on Wed 25 Nov 2026 10:00 NZDT; time moves only when a test moves the clock and
runs `jobs.run_pass`, as the scheduler would.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.ids import ActionId, Block, CallbackId
from bot.sandbox.harness import ADMIN, CASE_CHANNEL, COLLEAGUE, DEVELOPING, LEAD, MANAGER, Sandbox
from storage.models import FollowUpClaim, OutboxKind, OutboxMessage, UrgentConcern
from tests.discussion_steps import items, say, start
from tests.journey import open_case
from tests.reminder_steps import audits, away, body, click, ephemerals, pass_at, rows
from tests.slack_fixtures import assert_slack_accepted_everything

PROCEDURE = "does not replace your organisation's safeguarding procedure"
URGENT = "Urgent: dad turned up drunk at the school gate and tried to take her"
ON_CARD = "1 urgent concern not yet acknowledged"


@pytest.fixture
def duty_sandbox(request, database_url, clock):
    """A sandbox whose duty contact is Kiri (in the channel, not on the case), with a 30-minute wait."""
    with Sandbox(
        database_url=database_url,
        mode="http",
        clock=clock,
        rate_limits=False,
        urgent_duty_contact=COLLEAGUE,
        urgent_ack_minutes=30,
    ) as box:
        yield box
        assert_slack_accepted_everything(request, box)


def discussing(box) -> dict:
    card = open_case(box)
    start(box, card)
    return card


def alerts(box, user: str) -> list[dict]:
    """Urgent-concern DMs to `user`, as Slack shows them now."""
    return [m for m in box.emu.dms(user) if "Urgent concern on case" in body(m)]


def card_text(box, card: dict) -> str:
    return body(box.emu.message(CASE_CHANNEL, card["ts"]))


def buttons(message: dict) -> list[str]:
    return [
        e["action_id"] for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]
    ]


def acknowledge(box, user: str, dm: dict, on_dm_of: str | None = None):
    return click(box, user, ActionId.URGENT_ACKNOWLEDGE, dm, channel=box.emu.dm_channel_for(on_dm_of or user))


def concerns(box) -> list[UrgentConcern]:
    return rows(box, UrgentConcern)


def test_an_urgent_reply_is_answered_at_once_alerts_the_manager_once_and_shows_on_the_card(sandbox):
    box = sandbox
    card = discussing(box)
    say(box, card, DEVELOPING, URGENT)
    (told,) = ephemerals(box, DEVELOPING)
    assert PROCEDURE in told and "follow that procedure now" in told
    assert f"<@{MANAGER}> an alert by DM" in told and "may not see it straight away" in told
    (dm,) = alerts(box, MANAGER)
    assert f"raised by <@{DEVELOPING}>" in body(dm) and buttons(dm) == [ActionId.URGENT_ACKNOWLEDGE]
    assert "drunk" not in body(dm) and "drunk" not in card_text(box, card)  # no case text beyond the thread
    assert ON_CARD in card_text(box, card) and f"raised by <@{DEVELOPING}>" in card_text(box, card)
    (item,) = items(box, kind="urgent")  # it is on the record too, as an urgent concern
    assert [a.outcome for a in audits(box, "urgent.raise")] == ["ok"]
    (alerted,) = audits(box, "urgent.alert")
    assert alerted.detail["to"] == MANAGER and alerted.detail["role"] == "manager"
    assert "drunk" not in str(alerted.detail)


def test_retries_edits_deletion_and_a_second_mark_neither_repeat_nor_unsend_the_alert(http_sandbox):
    box = http_sandbox
    card = discussing(box)
    message = box.emu.post_user_message(CASE_CHANNEL, user=DEVELOPING, text=URGENT, thread_ts=card["ts"])
    box.people.deliver_message(message, CASE_CHANNEL, event_id="Ev0URGENT001")
    box.people.deliver_message(message, CASE_CHANNEL, event_id="Ev0URGENT001")  # Slack's retry
    box.people.edit(DEVELOPING, CASE_CHANNEL, message, URGENT + " (she is safe with nan now)")
    box.people.edit(DEVELOPING, CASE_CHANNEL, message, "Sorry, posted in the wrong thread")
    box.driver.shortcut_on_message(LEAD, CASE_CHANNEL, message, CallbackId.ADD_TO_RECORD)
    box.driver.submit(LEAD, box.emu.open_views_for(LEAD)[-1], {Block.CAPTURE_KIND: "urgent"})
    (again,) = ephemerals(box, LEAD)  # the second mark is advised too, and told it already went out
    assert PROCEDURE in again and "already went out" in again
    box.people.delete(CASE_CHANNEL, message)
    assert len(alerts(box, MANAGER)) == 1 and len(concerns(box)) == 1
    assert len(ephemerals(box, DEVELOPING)) == 1  # the edits said nothing more
    assert len(rows(box, OutboxMessage, kind=OutboxKind.URGENT_ALERT)) == 1
    assert ON_CARD in card_text(box, card)  # deleting the message does not withdraw the concern


def test_acknowledging_is_checked_per_concern_audited_and_clears_the_card(http_sandbox):
    box = http_sandbox
    card = discussing(box)
    say(box, card, DEVELOPING, URGENT)
    (dm,) = alerts(box, MANAGER)
    acknowledge(box, LEAD, dm, on_dm_of=MANAGER)  # a co-worker on the case, not in the chain
    # (Slack can't show it in someone else's DM, so the refusal comes by DM.)
    assert any("Only the case's" in t for t in ephemerals(box, LEAD) + [body(m) for m in box.emu.dms(LEAD)])
    assert [a.outcome for a in audits(box, "urgent.acknowledge")] == ["denied"]
    assert ON_CARD in card_text(box, card)
    acknowledge(box, MANAGER, dm)
    assert ON_CARD not in card_text(box, card)
    (dm,) = alerts(box, MANAGER)
    assert buttons(dm) == [] and f"Acknowledged by <@{MANAGER}>" in body(dm)
    notice = [body(m) for m in box.emu.dms(DEVELOPING) if "acknowledged the urgent concern" in body(m)]
    assert len(notice) == 1 and f"<@{MANAGER}>" in notice[0]
    assert [a.outcome for a in audits(box, "urgent.acknowledge")] == ["denied", "ok"]
    acknowledge(box, MANAGER, dm)  # a second press changes nothing
    assert [a.outcome for a in audits(box, "urgent.acknowledge")] == ["denied", "ok"]
    (concern,) = concerns(box)
    assert concern.acknowledged_by == MANAGER and concern.next_check_at is None


def test_an_alert_not_acknowledged_in_time_goes_to_the_duty_contact_once(duty_sandbox):
    box = duty_sandbox
    card = discussing(box)
    raised = box.deps.clock()
    say(box, card, DEVELOPING, URGENT)
    assert f"within 30 minutes, it goes to <@{COLLEAGUE}>" in ephemerals(box, DEVELOPING)[-1]
    assert len(alerts(box, MANAGER)) == 1 and alerts(box, COLLEAGUE) == []
    pass_at(box, raised + timedelta(minutes=29))
    assert alerts(box, COLLEAGUE) == []
    pass_at(box, raised + timedelta(minutes=30))
    pass_at(box, raised + timedelta(minutes=30))  # a second sweeper at the same moment
    pass_at(box, raised + timedelta(hours=5))  # nobody after the duty contact: nothing more
    (duty,) = alerts(box, COLLEAGUE)
    assert "as the duty contact" in body(duty) and f"<@{MANAGER}> was alerted" in body(duty)
    assert len(alerts(box, MANAGER)) == 1
    claims = [(c.subject, c.level) for c in rows(box, FollowUpClaim, subject="urgent")]
    assert claims == [("urgent", 0), ("urgent", 1)]
    assert [a.detail["to"] for a in audits(box, "urgent.alert")] == [MANAGER, COLLEAGUE]
    acknowledge(box, COLLEAGUE, duty)  # the duty contact may acknowledge
    assert ON_CARD not in card_text(box, card)


def test_an_acknowledged_alert_goes_no_further(duty_sandbox):
    box = duty_sandbox
    card = discussing(box)
    raised = box.deps.clock()
    say(box, card, DEVELOPING, URGENT)
    acknowledge(box, MANAGER, alerts(box, MANAGER)[0])
    pass_at(box, raised + timedelta(hours=2))
    assert alerts(box, COLLEAGUE) == []


def test_while_the_manager_is_away_their_cover_is_alerted_first(duty_sandbox):
    box = duty_sandbox
    card = discussing(box)
    assert "go to" in away(box, MANAGER, f"2026-12-20 <@{ADMIN}>")
    raised = box.deps.clock()
    say(box, card, LEAD, URGENT)
    assert alerts(box, MANAGER) == []
    (dm,) = alerts(box, ADMIN)
    assert f"covering <@{MANAGER}>'s leave" in body(dm)
    pass_at(box, raised + timedelta(minutes=30))
    assert len(alerts(box, COLLEAGUE)) == 1 and alerts(box, MANAGER) == []


def test_an_urgent_reply_with_no_discussion_under_way_still_alerts(http_sandbox):
    box = http_sandbox
    card = open_case(box)
    say(box, card, LEAD, URGENT)
    (told,) = ephemerals(box, LEAD)
    assert PROCEDURE in told and "no discussion under way" not in told
    assert len(alerts(box, MANAGER)) == 1 and ON_CARD in card_text(box, card)


def test_someone_not_on_the_case_is_advised_and_nobody_is_alerted(http_sandbox):
    box = http_sandbox
    card = discussing(box)
    say(box, card, COLLEAGUE, URGENT)
    (told,) = ephemerals(box, COLLEAGUE)
    assert PROCEDURE in told and "not on this case" in told
    assert alerts(box, MANAGER) == [] and concerns(box) == []


def test_the_manager_raising_one_with_no_duty_contact_is_told_nobody_was_alerted(http_sandbox):
    box = http_sandbox
    card = discussing(box)
    say(box, card, MANAGER, URGENT)
    (told,) = [t for t in ephemerals(box, MANAGER) if PROCEDURE in t]  # not the case-open channel note
    assert PROCEDURE in told and "not alerted anyone" in told
    assert alerts(box, MANAGER) == [] and ON_CARD not in card_text(box, card)


def test_marking_a_reply_urgent_with_the_shortcut_raises_it(http_sandbox):
    box = http_sandbox
    card = discussing(box)
    message = say(box, card, DEVELOPING, "Nan says mum has not been home for three days")
    box.driver.shortcut_on_message(LEAD, CASE_CHANNEL, message, CallbackId.ADD_TO_RECORD)
    reply = box.driver.submit(LEAD, box.emu.open_views_for(LEAD)[-1], {Block.CAPTURE_KIND: "urgent"})
    assert reply.status == 200 and not (reply.json or {}).get("errors")
    (told,) = ephemerals(box, LEAD)
    assert "Added to the case record as: urgent concern." in told and PROCEDURE in told
    (dm,) = alerts(box, MANAGER)
    assert f"raised by <@{LEAD}>" in body(dm)


def test_a_second_replica_that_missed_the_first_ones_row_still_raises_nothing(http_sandbox, monkeypatch):
    """Two processes handling the same message at once: the one whose look-up ran before the other's row
    was committed loses on the unique key, sends nothing, and only advises."""
    from bot.concerns import flows as concerns_flows
    from storage import concerns as concern_store
    from storage import repository as repo

    box = http_sandbox
    card = discussing(box)
    message = say(box, card, DEVELOPING, URGENT)
    monkeypatch.setattr(
        concern_store, "concern_for_message", _first_time_nothing(concern_store.concern_for_message)
    )
    with box.deps.sessions.begin() as session:
        (concern,) = session.query(UrgentConcern).all()
        case = repo.load_case(session, case_id=concern.case_id)
        told = concerns_flows.raise_concern(
            box.deps,
            session,
            case,
            channel_id=CASE_CHANNEL,
            message_ts=message["ts"],
            raised_by=LEAD,
            now=box.deps.clock(),
        )
    assert told is not None and "already went out" in told
    assert len(concerns(box)) == 1 and len(rows(box, FollowUpClaim, subject="urgent")) == 1
    assert len(rows(box, OutboxMessage, kind=OutboxKind.URGENT_ALERT)) == 1
    assert len(audits(box, "urgent.raise")) == 1


def _first_time_nothing(look_up):
    calls = []

    def racing(session, **where):
        calls.append(where)
        return None if len(calls) == 1 else look_up(session, **where)

    return racing
