"""Least privilege: casebot never asks Slack about a DM or group DM (that needs im:read / mpim:read).

`/case open` typed in a direct message is refused with one kind line before any Slack call; an old
private channel, whose id also starts with G, still works.
"""

import json

from sqlalchemy import func, select

from bot.ids import Block
from bot.sandbox.harness import CASE_CHANNEL, COLLEAGUE, DEVELOPING, LEAD, MANAGER
from storage.models import Case
from tests.journey import make_manager, open_modal, submit

READS = ("conversations.info", "conversations.members", "conversations.history", "conversations.replies")


def _reads(box) -> list[str]:
    return [call.method for call in box.emu.calls if call.method in READS]


def _cases(box) -> int:
    with box.deps.sessions() as session:
        return session.scalar(select(func.count()).select_from(Case))


def test_open_in_the_bots_dm_is_refused_before_any_slack_call(sandbox):
    make_manager(sandbox)
    dm = sandbox.emu.dm_channel_for(MANAGER)
    sandbox.emu.clear_calls()
    reply = sandbox.driver.slash(MANAGER, "open", dm, channel_name="directmessage")
    assert reply.text == (
        "`/case open` works in your team's private case channel, not in a direct message. Run it there."
    )
    assert sandbox.emu.calls_to("views.open") == []
    assert _reads(sandbox) == []


def test_open_in_a_dm_between_two_people_is_refused(sandbox):
    make_manager(sandbox)
    sandbox.emu.clear_calls()
    reply = sandbox.driver.slash(MANAGER, "open", "D0PEOPLE1", channel_name="directmessage")
    assert "not in a direct message" in reply.text
    assert sandbox.emu.calls == []


def test_open_in_a_group_dm_is_refused(sandbox):
    make_manager(sandbox)
    sandbox.emu.clear_calls()
    # A group DM's id starts with G, like an old private channel: Slack names it mpdm-...
    reply = sandbox.driver.slash(MANAGER, "open", "G0MPIM001", channel_name="mpdm-mere--alex--sam-1")
    assert "not in a direct message" in reply.text
    assert sandbox.emu.calls == []


def test_open_in_an_old_private_channel_with_a_g_id_still_works(sandbox):
    team = [MANAGER, LEAD, DEVELOPING, COLLEAGUE]
    sandbox.emu.add_channel("G0LEGACY1", name="cases-east", is_private=True, members=team, bot_is_member=True)
    make_manager(sandbox)
    sandbox.driver.slash(MANAGER, "open", "G0LEGACY1", channel_name="cases-east")
    view = sandbox.emu.open_views_for(MANAGER)[-1]
    reply = submit(sandbox, view)
    assert reply.status == 200 and not (reply.json or {}).get("errors"), reply.body
    # conversations.members after the save: who else can read the thread (issue 18), groups:read too
    assert _reads(sandbox) == ["conversations.info", "conversations.members"]
    assert _cases(sandbox) == 1


def test_a_form_opened_for_a_dm_is_refused_on_save_without_reading_the_dm(sandbox):
    """A form opened before DMs were refused at the command still carries the DM's id."""
    make_manager(sandbox)
    view = dict(open_modal(sandbox, channel=CASE_CHANNEL))
    view["private_metadata"] = json.dumps({"channel_id": sandbox.emu.dm_channel_for(MANAGER)})
    sandbox.emu.clear_calls()
    reply = submit(sandbox, view)
    assert "not in a direct message" in reply.json["errors"][Block.REFERENCE]
    assert _reads(sandbox) == []
    assert _cases(sandbox) == 0
