"""The agreement form is answered at once whatever the team size: people come from the look-up cache."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.cases import flows
from bot.ids import Block
from bot.sandbox import payloads
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD, MANAGER, TEAM_ID
from storage.models import Case, CaseMember
from tests.journey import GOOD_ANSWERS, make_manager, open_modal, submit

EXTRA = [f"UTEAM{n:04d}" for n in range(8)]  # with LEAD and DEVELOPING: ten co-workers


def _calls_before_ack(box) -> list[str]:
    request = box.ack_order.requests[-1]
    assert request.kind == "view_submission agreement_modal" and request.acked is not None
    return [c.method for c in box.emu.calls if request.arrived < c.seq < request.acked]


def _members(box) -> int:
    with box.deps.sessions() as session:
        return session.scalar(select(func.count()).select_from(CaseMember))


def test_ten_coworkers_are_acknowledged_without_a_slack_call_first(sandbox):
    for user_id in EXTRA:
        sandbox.emu.add_user(user_id, name=user_id.lower(), tz="Pacific/Auckland")
    make_manager(sandbox)
    view = open_modal(sandbox)  # the form opens, then the workspace's people are read once (users.list)
    sandbox.emu.inject_timeout("users.info", 0.25, times=None)  # Slack at 250 ms a call
    reply = submit(sandbox, view, **{Block.COWORKERS: [LEAD, DEVELOPING, *EXTRA]})
    assert reply.status == 200 and not (reply.json or {}).get("errors"), reply.body
    assert _calls_before_ack(sandbox) == []
    assert sandbox.emu.calls_to("users.info") == []
    assert _members(sandbox) == 10


def test_someone_the_cache_does_not_know_is_checked_after_the_ack(sandbox):
    make_manager(sandbox)
    view = open_modal(sandbox)
    sandbox.emu.add_user("UNEW0001", name="newcomer", tz="Pacific/Auckland")  # joined after it opened
    first = submit(sandbox, view, **{Block.COWORKERS: [LEAD, "UNEW0001"], Block.DEVELOPING: []})
    assert "still checking <@UNEW0001>" in first.json["errors"][Block.COWORKERS]
    assert _calls_before_ack(sandbox) == []
    request = sandbox.ack_order.requests[-1]
    assert [c.seq > request.acked for c in sandbox.emu.calls_to("users.info")] == [True]
    second = submit(sandbox, view, **{Block.COWORKERS: [LEAD, "UNEW0001"], Block.DEVELOPING: []})
    assert second.status == 200 and not (second.json or {}).get("errors"), second.body
    assert _calls_before_ack(sandbox) == []


def test_a_429_on_users_info_is_try_again_never_not_found(sandbox):
    make_manager(sandbox)
    view = open_modal(sandbox)
    sandbox.emu.add_user("UNEW0001", name="newcomer", tz="Pacific/Auckland")
    sandbox.emu.inject_error("users.info", "ratelimited", retry_after=1)
    answers = {Block.COWORKERS: [LEAD, "UNEW0001"], Block.DEVELOPING: []}
    submit(sandbox, view, **answers)  # "still checking"; the look-up after the ack is refused (429)
    busy = submit(sandbox, view, **answers).json["errors"][Block.COWORKERS]
    assert "Slack is busy" in busy and "try again in a moment" in busy and "<@UNEW0001>" in busy
    assert "can't find" not in busy
    saved = submit(sandbox, view, **answers)  # Slack answered the look-up after the second save
    assert saved.status == 200 and not (saved.json or {}).get("errors"), saved.body
    with sandbox.deps.sessions() as session:
        assert session.scalar(select(Case).where(Case.channel_id == CASE_CHANNEL)) is not None


def test_a_workspace_too_big_for_one_page_is_read_page_by_page(sandbox):
    for n in range(250):
        sandbox.emu.add_user(f"UBIG{n:05d}", name=f"big{n}")
    make_manager(sandbox)
    view = open_modal(sandbox)
    assert len(sandbox.emu.calls_to("users.list")) == 2  # 200 a page
    reply = submit(sandbox, view, **{Block.COWORKERS: [LEAD, "UBIG00249"], Block.DEVELOPING: []})
    assert reply.status == 200 and not (reply.json or {}).get("errors"), reply.body


def test_a_reference_taken_between_the_check_and_the_save_is_told_in_the_channel(sandbox):
    make_manager(sandbox)
    views = [open_modal(sandbox), open_modal(sandbox)]  # two managers' forms, say, with one reference
    values = [payloads.state_values_from_inputs(v["blocks"], GOOD_ANSWERS) for v in views]
    bodies = [
        payloads.view_submission(user_id=MANAGER, team_id=TEAM_ID, view=v, values=s)
        for v, s in zip(views, values, strict=True)
    ]
    # Both are checked (and acknowledged) before either is saved: the check alone can't see the clash.
    checked = [
        flows.submit_agreement(sandbox.deps, sandbox.app.client, flows.submission_from(b)) for b in bodies
    ]
    assert [c.errors for c in checked] == [None, None]
    for submitted in checked:
        submitted.then()
    with sandbox.deps.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1
    told = [e["text"] for e in sandbox.emu.ephemerals if e["user"] == MANAGER]
    assert any("CASE-2026-014 was opened at the same moment" in t for t in told), told
