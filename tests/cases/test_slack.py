"""The foundation journey through the emulator, over signed HTTP and Socket Mode."""

from sqlalchemy import func, select

from bot import logs
from bot.ids import ActionId, Block
from bot.sandbox.harness import (
    ADMIN,
    APP_USER,
    CASE_CHANNEL,
    COLLEAGUE,
    DEVELOPING,
    LEAD,
    LEFT,
    MANAGER,
    OUTSIDER,
    PUBLIC_CHANNEL,
    QUIET_CHANNEL,
    SHARED_CHANNEL,
)
from storage.models import Agreement, AgreementAcceptance, AuditEntry, Case, CaseMember, OutboxMessage
from tests.journey import make_manager, open_case, open_modal, submit


def count(box, model) -> int:
    with box.deps.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def audit(box, action: str) -> list[AuditEntry]:
    with box.deps.sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_help_is_ephemeral_and_lists_the_subcommands(sandbox):
    reply = sandbox.driver.slash(OUTSIDER, "help", CASE_CHANNEL)
    assert reply.status == 200
    assert "/case open" in reply.text and "/case list" in reply.text
    assert sandbox.emu.calls_to("chat.postMessage") == []


def test_unknown_subcommand_answers_with_help(sandbox):
    reply = sandbox.driver.slash(LEAD, "frobnicate", CASE_CHANNEL)
    assert "I don't know `frobnicate`" in reply.text and "/case open" in reply.text


def test_non_manager_cannot_open_and_the_denial_is_audited(sandbox):
    reply = sandbox.driver.slash(LEAD, "open", CASE_CHANNEL)
    assert "Only managers can open" in reply.text
    assert sandbox.emu.calls_to("views.open") == []
    assert [a.outcome for a in audit(sandbox, "case.open")] == ["denied"]


def test_admin_grants_and_removes_the_manager_role_with_audit(sandbox):
    make_manager(sandbox)
    open_modal(sandbox)
    assert len(sandbox.emu.calls_to("views.open")) == 1
    reply = sandbox.driver.slash(ADMIN, f"admin manager remove <@{MANAGER}|mere>", CASE_CHANNEL)
    assert "no longer a manager" in reply.text
    assert "Only managers" in sandbox.driver.slash(MANAGER, "open", CASE_CHANNEL).text
    assert [a.action for a in audit(sandbox, "role.manager.add")] == ["role.manager.add"]
    assert len(audit(sandbox, "role.manager.remove")) == 1


def test_non_admin_cannot_grant_roles(sandbox):
    reply = sandbox.driver.slash(LEAD, f"admin manager add <@{LEAD}|alex>", CASE_CHANNEL)
    assert "Only casebot administrators" in reply.text
    assert [a.outcome for a in audit(sandbox, "role.manager")] == ["denied"]


def test_opening_a_case_posts_the_card_and_the_agreement_in_its_thread(sandbox):
    card = open_case(sandbox)
    assert card["blocks"][0]["text"]["text"] == "Case CASE-2026-014"
    assert card.get("thread_ts") in (None, card["ts"])
    thread = sandbox.emu.thread(CASE_CHANNEL, card["ts"])
    assert len(thread) == 2
    agreement = thread[1]
    assert "Co-working agreement, version 1" in agreement["blocks"][0]["text"]["text"]
    agree_buttons = [b["accessory"]["value"] for b in agreement["blocks"] if b.get("accessory")]
    assert [v.split(":")[1] for v in agree_buttons] == [LEAD, DEVELOPING]
    for call in sandbox.emu.calls_to("chat.postMessage"):
        assert call.params["unfurl_links"] is False and call.params["unfurl_media"] is False
    with sandbox.deps.sessions() as session:
        case = session.scalar(select(Case))
        assert case.thread_ts == card["ts"] and case.reference == "CASE-2026-014"
        members = session.scalars(select(CaseMember).order_by(CaseMember.id)).all()
        assert [(m.role.value, m.experience.value) for m in members] == [
            ("lead", "experienced"),
            ("co_worker", "developing"),
        ]
        assert session.scalar(select(Agreement)).version == 1


def test_the_card_of_a_case_with_a_developing_worker_says_discussions_are_weekly_during_induction(sandbox):
    card = open_case(sandbox)  # fortnightly on Wednesdays, agreed on Wed 25 Nov 2026; Sam is developing
    terms_line = card["blocks"][2]["text"]["text"]
    assert "Discussions: weekly until 6 Jan 2027 (induction), then fortnightly on Wednesdays at 10:00" in (
        terms_line
    )
    agreement = sandbox.emu.thread(CASE_CHANNEL, card["ts"])[1]
    text = "\n".join(b["text"]["text"] for b in agreement["blocks"] if b["type"] == "section")
    assert (
        "fortnightly on Wednesdays at 10:00 (weekly until 6 Jan 2027 while the developing worker is new)"
        in text
    )


def test_agree_buttons_record_agreement_and_rerender_the_card_in_place(sandbox):
    card = open_case(sandbox)
    agreement = sandbox.emu.thread(CASE_CHANNEL, card["ts"])[1]
    sandbox.driver.click(
        LEAD, ActionId.AGREE, value=_value_for(agreement, LEAD), message=agreement, channel_id=CASE_CHANNEL
    )
    updates = sandbox.emu.calls_to("chat.update")
    assert {u.params["ts"] for u in updates} == {card["ts"], agreement["ts"]}
    card_now = sandbox.emu.message(CASE_CHANNEL, card["ts"])
    assert "waiting for 1 co-worker to agree" in _all_text(card_now)
    agreement = sandbox.emu.message(CASE_CHANNEL, agreement["ts"])
    sandbox.driver.click(
        DEVELOPING,
        ActionId.AGREE,
        value=_value_for(agreement, DEVELOPING),
        message=agreement,
        channel_id=CASE_CHANNEL,
    )
    assert "agreed by everyone" in _all_text(sandbox.emu.message(CASE_CHANNEL, card["ts"]))
    assert count(sandbox, AgreementAcceptance) == 2
    assert len(sandbox.emu.messages(CASE_CHANNEL)) == 1  # re-rendered, never re-posted


def test_a_coworker_cannot_agree_for_someone_else(sandbox):
    card = open_case(sandbox)
    agreement = sandbox.emu.thread(CASE_CHANNEL, card["ts"])[1]
    sandbox.driver.click(
        LEAD,
        ActionId.AGREE,
        value=_value_for(agreement, DEVELOPING),
        message=agreement,
        channel_id=CASE_CHANNEL,
    )
    assert count(sandbox, AgreementAcceptance) == 0
    assert "can confirm their own agreement" in sandbox.emu.ephemerals[-1]["text"]
    assert [a.outcome for a in audit(sandbox, "agreement.agree")] == ["denied"]


def test_double_clicked_agree_records_once(sandbox):
    card = open_case(sandbox)
    agreement = sandbox.emu.thread(CASE_CHANNEL, card["ts"])[1]
    for _ in range(2):
        sandbox.driver.click(
            LEAD,
            ActionId.AGREE,
            value=_value_for(agreement, LEAD),
            message=agreement,
            channel_id=CASE_CHANNEL,
        )
    assert count(sandbox, AgreementAcceptance) == 1


def test_double_submitted_agreement_opens_one_case_and_posts_once(sandbox):
    make_manager(sandbox)
    view = open_modal(sandbox)
    first = submit(sandbox, view)
    second = submit(sandbox, view)  # Slack delivers the same view again (double click, retry)
    assert first.status == second.status == 200
    assert count(sandbox, Case) == 1
    assert len(sandbox.emu.messages(CASE_CHANNEL)) == 1
    assert count(sandbox, OutboxMessage) == 2


def test_reference_already_open_is_refused_in_the_modal(sandbox):
    open_case(sandbox)
    reply = submit(sandbox, open_modal(sandbox))
    assert "already open" in reply.json["errors"][Block.REFERENCE]
    assert count(sandbox, Case) == 1


def test_field_errors_come_back_inside_the_modal(sandbox):
    make_manager(sandbox)
    reply = submit(
        sandbox,
        open_modal(sandbox),
        **{
            Block.REFERENCE: "Jane Smith",
            Block.COWORKERS: [LEAD, APP_USER],
            Block.LEAD: MANAGER,
            Block.REVIEW_DATE: "2026-01-01",
        },
    )
    assert reply.json["response_action"] == "errors"
    errors = reply.json["errors"]
    assert "person's name" in errors[Block.REFERENCE]
    assert "an app" in errors[Block.COWORKERS]
    assert "must be one of the co-workers" in errors[Block.LEAD]
    assert "after today" in errors[Block.REVIEW_DATE]
    assert count(sandbox, Case) == 0


def test_deactivated_and_too_few_coworkers_are_refused(sandbox):
    make_manager(sandbox)
    view = open_modal(sandbox)
    assert (
        "deactivated"
        in submit(sandbox, view, **{Block.COWORKERS: [LEAD, LEFT]}).json["errors"][Block.COWORKERS]
    )
    one = submit(sandbox, view, **{Block.COWORKERS: [LEAD], Block.DEVELOPING: []})
    assert "at least two" in one.json["errors"][Block.COWORKERS]


def test_bot_not_in_channel_is_told_how_to_invite_before_anything_is_typed(sandbox):
    make_manager(sandbox)
    notice = open_modal(sandbox, channel=QUIET_CHANNEL)
    assert "/invite @casebot" in notice["blocks"][0]["text"]["text"]
    assert not any(b["type"] == "input" for b in notice["blocks"]) and not notice.get("submit")
    sandbox.emu.set_bot_membership(QUIET_CHANNEL, True)
    reply = submit(sandbox, open_modal(sandbox, channel=QUIET_CHANNEL))
    assert reply.status == 200 and not (reply.json or {}).get("errors"), reply.body
    assert count(sandbox, Case) == 1


def test_public_and_shared_channels_are_refused(sandbox):
    make_manager(sandbox)
    public = open_modal(sandbox, channel=PUBLIC_CHANNEL)
    assert "public channel" in public["blocks"][0]["text"]["text"]
    shared = open_modal(sandbox, channel=SHARED_CHANNEL)
    assert "outside your organisation" in shared["blocks"][0]["text"]["text"]
    assert count(sandbox, Case) == 0


def test_user_text_is_escaped_in_slack(sandbox):
    card = open_case(sandbox, **{Block.LEARNING_GOALS: "<!channel> ask <@UTOM0001> & co"})
    agreement = sandbox.emu.thread(CASE_CHANNEL, card["ts"])[1]
    text = _all_text(agreement)
    assert "&lt;!channel&gt; ask &lt;@UTOM0001&gt; &amp; co" in text
    assert "<!channel>" not in text


def test_list_shows_the_callers_cases_only(sandbox):
    open_case(sandbox)
    assert "CASE-2026-014" in sandbox.driver.slash(LEAD, "list", CASE_CHANNEL).answer
    assert "CASE-2026-014" in sandbox.driver.slash(MANAGER, "list", CASE_CHANNEL).answer
    assert "no open cases" in sandbox.driver.slash(OUTSIDER, "list", CASE_CHANNEL).answer


def test_card_agreement_button_shows_members_only(sandbox):
    card = open_case(sandbox)
    sandbox.driver.click(DEVELOPING, ActionId.CARD_AGREEMENT, message=card, channel_id=CASE_CHANNEL)
    assert "Co-working agreement" in _all_text(sandbox.emu.ephemerals[-1])
    sandbox.driver.click(COLLEAGUE, ActionId.CARD_AGREEMENT, message=card, channel_id=CASE_CHANNEL)
    assert "Only the case's co-workers" in sandbox.emu.ephemerals[-1]["text"]
    assert [a.outcome for a in audit(sandbox, "agreement.view")] == ["ok", "denied"]


def test_someone_outside_the_channel_clicking_the_card_is_answered_by_dm(sandbox):
    # An ephemeral can't reach someone who is not in the channel (user_not_in_channel); raising after
    # the ack would lose the answer, so the refusal comes by DM and every click is acknowledged.
    card = open_case(sandbox)
    agreement = sandbox.emu.thread(CASE_CHANNEL, card["ts"])[1]
    agree = sandbox.driver.click(
        OUTSIDER,
        ActionId.AGREE,
        value=_value_for(agreement, LEAD),
        message=agreement,
        channel_id=CASE_CHANNEL,
    )
    show = sandbox.driver.click(OUTSIDER, ActionId.CARD_AGREEMENT, message=card, channel_id=CASE_CHANNEL)
    assert (agree.status, show.status) == (200, 200)
    told = [m["text"] for m in sandbox.emu.dms(OUTSIDER)]
    assert any("can confirm their own agreement" in t for t in told)
    assert any("Only the case's co-workers" in t for t in told)
    assert count(sandbox, AgreementAcceptance) == 0


def test_logs_hold_ids_not_case_text(sandbox, caplog):
    caplog.set_level("DEBUG")
    logs.quiet_slack_libraries()  # what production start-up does (bot.startup)
    open_case(sandbox, **{Block.LEARNING_GOALS: "SECRET-LEARNING-GOAL"})
    assert "SECRET-LEARNING-GOAL" not in caplog.text
    assert sandbox.emu.bot_token not in caplog.text


def _value_for(message: dict, user_id: str) -> str:
    return next(
        b["accessory"]["value"]
        for b in message["blocks"]
        if b.get("accessory") and b["accessory"]["value"].endswith(user_id)
    )


def _all_text(message: dict) -> str:
    parts = [message.get("text") or ""]
    for block in message.get("blocks") or []:
        parts.append((block.get("text") or {}).get("text", ""))
        parts.extend(e.get("text", "") for e in block.get("elements", []) if isinstance(e.get("text"), str))
    return "\n".join(parts)
