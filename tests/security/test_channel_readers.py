"""Who can read a case thread: channel members who are not on the case are counted on the card, the
manager is told who they are (when the case opens and when someone joins), or the case is refused."""

from __future__ import annotations

import json

from slack_sdk import WebClient
from sqlalchemy import event, select

from bot.cases.flows_channel import STILL_READING, check_case
from bot.cases.rules_agreements import others_in_channel
from bot.ids import Block
from bot.sandbox.harness import ADMIN, CASE_CHANNEL, COLLEAGUE, MANAGER, OUTSIDER, Sandbox
from storage.models import Case, CaseMember, Experience, MemberRole, Person
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


def _refusing(database_url, clock) -> Sandbox:
    return Sandbox(database_url=database_url, clock=clock, rate_limits=False, refuse_exposed_channels=True)


def _cases(box) -> list[Case]:
    with box.deps.sessions() as session:
        return list(session.scalars(select(Case)))


def test_refuse_mode_holds_when_another_process_answers_the_form(database_url, clock):
    """The members read when the form opened are in the database, not in the memory of the process
    that opened it: a replica that never saw the form refuses it all the same."""
    with _refusing(database_url, clock) as box:
        make_manager(box)
        view = open_modal(box)
        # Another replica: none of this process's memory but the people it looked up.
        box.deps.slack_cache = {"users": box.deps.slack_cache["users"]}
        reply = submit(box, view)
        assert f"<@{COLLEAGUE}>" in reply.json["errors"][Block.COWORKERS]
        assert _cases(box) == []


def test_refuse_mode_sees_someone_who_joined_after_the_form_opened(database_url, clock):
    with _refusing(database_url, clock) as box:
        box.emu.channels[CASE_CHANNEL].members.remove(COLLEAGUE)  # only the case's people are in it
        make_manager(box)
        view = open_modal(box)
        box.emu.channels[CASE_CHANNEL].members.append(OUTSIDER)
        assert box.driver.member_joined(OUTSIDER, CASE_CHANNEL).status == 200
        error = submit(box, view).json["errors"][Block.COWORKERS]
        assert "1 person in this channel is not on this case" in error and f"<@{OUTSIDER}>" in error
        assert _cases(box) == []


def test_refuse_mode_reads_the_members_again_after_thirty_minutes_before_answering(database_url, clock):
    with _refusing(database_url, clock) as box:
        box.emu.channels[CASE_CHANNEL].members.remove(COLLEAGUE)
        make_manager(box)
        view = open_modal(box)
        box.emu.channels[CASE_CHANNEL].members.append(OUTSIDER)  # Slack told casebot nothing
        clock.advance(minutes=31)
        box.emu.clear_calls()
        first = submit(box, view)  # not trusted any more: read again after the ack
        assert first.json["errors"][Block.COWORKERS] == STILL_READING
        assert box.emu.calls_to("conversations.members")  # after the ack (the driver checks the order)
        again = submit(box, view)
        assert f"<@{OUTSIDER}>" in again.json["errors"][Block.COWORKERS]
        box.emu.channels[CASE_CHANNEL].members.remove(OUTSIDER)
        clock.advance(minutes=31)
        assert submit(box, view).json["errors"][Block.COWORKERS] == STILL_READING
        reply = submit(box, view)
        assert reply.status == 200 and not (reply.json or {}).get("errors")
        assert [c.reference for c in _cases(box)] == ["CASE-2026-014"]


def test_the_recount_reads_the_cases_people_in_the_same_statements_however_many(http_sandbox):
    """The recount's write transaction holds SQLite's one write lock, which acks wait for: it reads the
    case's people in two queries, not one lazy load per member (issue 17)."""
    box = http_sandbox
    open_case(box)
    client = WebClient(token=box.emu.bot_token, base_url=box.emu.base_url)
    with box.deps.sessions() as session:
        case = session.scalars(select(Case)).one()
        case_id, team_id = case.id, case.team_id

    def statements() -> int:
        counted: list[str] = []

        def count(_conn, _cursor, statement, *_args) -> None:
            counted.append(statement)

        event.listen(box.deps.engine, "before_cursor_execute", count)
        try:
            assert check_case(box.deps, client, case_id) == 1  # Kiri, as when it opened
        finally:
            event.remove(box.deps.engine, "before_cursor_execute", count)
        return len(counted)

    with_two = statements()
    with box.deps.sessions.begin() as session:
        for n in range(4):  # people added to the case who are not in its channel: the count stays 1
            person = Person(team_id=team_id, slack_user_id=f"UEXTRA{n}")
            session.add(person)
            session.flush()
            role, experience = MemberRole.CO_WORKER, Experience.EXPERIENCED
            session.add(
                CaseMember(
                    team_id=team_id, case_id=case_id, person_id=person.id, role=role, experience=experience
                )
            )
    assert statements() == with_two
