"""Who can read a case thread: channel members who are not on the case are counted on the card, the
manager is told who they are (when the case opens and when someone joins), or the case is refused."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.cases.rules_agreements import others_in_channel
from bot.ids import Block
from bot.sandbox.harness import ADMIN, CASE_CHANNEL, COLLEAGUE, MANAGER, OUTSIDER, Sandbox
from storage.models import Case
from tests.journey import make_manager, open_case, open_modal, submit
from tests.reminder_steps import dms, ephemerals


def _card_text(box) -> str:
    with box.deps.sessions() as session:
        case = session.scalars(select(Case)).one()
        ts = case.thread_ts
    return json.dumps(box.emu.message(CASE_CHANNEL, ts)["blocks"])


def _others(box) -> int | None:
    with box.deps.sessions() as session:
        return session.scalars(select(Case.channel_others)).one()


def test_others_are_members_not_on_the_case_nor_admins_nor_casebot():
    members = ["UA", "UB", "UBOT", "UADMIN", "UC", "UA"]
    assert others_in_channel(members, allowed={"UA", "UADMIN"}, bot_user_id="UBOT") == ["UB", "UC"]


def test_the_card_counts_who_else_can_read_and_the_manager_is_told_who(http_sandbox):
    box = http_sandbox
    open_case(box)  # the channel also holds Kiri, who is not on this case
    assert _others(box) == 1
    assert "1 other person in this channel can read this thread" in _card_text(box)
    (warning,) = [t for t in ephemerals(box, MANAGER) if "can read its thread" in t]  # in the channel
    assert f"<@{COLLEAGUE}>" in warning and "can read its thread" in warning
    assert f"<@{ADMIN}>" not in warning  # admins are expected in case channels


def test_someone_joining_the_channel_updates_the_card_and_tells_the_manager(http_sandbox):
    box = http_sandbox
    open_case(box)
    box.emu.channels[CASE_CHANNEL].members.append(OUTSIDER)
    reply = box.driver.member_joined(OUTSIDER, CASE_CHANNEL, inviter=COLLEAGUE)
    assert reply.status == 200
    assert _others(box) == 2
    assert "2 others in this channel can read this thread" in _card_text(box)
    assert f"<@{OUTSIDER}>" in dms(box, MANAGER)[-1]


def test_refuse_mode_refuses_to_open_a_case_in_a_channel_others_can_read(database_url, clock):
    with Sandbox(
        database_url=database_url, clock=clock, rate_limits=False, refuse_exposed_channels=True
    ) as box:
        make_manager(box)
        reply = submit(box, open_modal(box))
        error = reply.json["errors"][Block.COWORKERS]
        assert "1 person in this channel is not on this case" in error and f"<@{COLLEAGUE}>" in error
        with box.deps.sessions() as session:
            assert session.scalars(select(Case)).all() == []


def test_the_daily_recount_finds_a_member_casebot_was_not_told_about_once_a_day(http_sandbox, clock):
    from bot.cases import flows_channel

    box = http_sandbox
    open_case(box)
    box.emu.channels[CASE_CHANNEL].members.append(OUTSIDER)  # no event: Slack did not tell casebot
    clock.advance(days=1)
    assert flows_channel.daily(box.deps, box.app.client) == 1
    assert _others(box) == 2
    box.emu.clear_calls()
    assert flows_channel.daily(box.deps, box.app.client) == 0  # the same day again: already done
    assert box.emu.calls_to("conversations.members") == []
