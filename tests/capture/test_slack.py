"""Capture over the emulator: prefixes, reactions, the message shortcut, edits, deletions, duplicate
deliveries, bots, and messages that are not in a case thread."""

from __future__ import annotations

from datetime import date

from bot.ids import Block, CallbackId
from bot.sandbox import payloads
from bot.sandbox.harness import APP_USER, CASE_CHANNEL, COLLEAGUE, DEVELOPING, LEAD, QUIET_CHANNEL
from storage.models import ProcessedEvent
from tests.discussion_steps import WRAP, current, items, say, start, stored
from tests.journey import open_case
from tests.reminder_steps import audits, body, click, ephemerals, rows, thread_texts


def discussing(box) -> dict:
    card = open_case(box)
    start(box, card)
    return card


def test_prefixed_replies_become_items_on_the_discussion(sandbox):
    box = sandbox
    card = discussing(box)
    say(box, card, LEAD, "Decision: we visit together on Thursday")
    say(
        box,
        card,
        DEVELOPING,
        f"Action: <@{DEVELOPING}> book the interpreter by 2026-12-04\nConcern: dad not seen",
    )
    say(box, card, LEAD, "Learning: asking the child first changed the conversation")
    say(box, card, DEVELOPING, "Disagree: I think school should hear now\nShared: school told about the plan")
    kinds = sorted(i.kind.value for i in items(box))
    assert kinds == ["action", "concern", "decision", "disagree", "learning", "shared"]
    (action,) = items(box, kind="action")
    assert action.owner_ids == [DEVELOPING] and action.due == date(2026, 12, 4)
    assert all(i.discussion_id == 1 for i in items(box))


def test_an_action_without_a_date_or_owner_is_asked_about_in_the_thread_once(sandbox):
    box = sandbox
    card = discussing(box)
    message = say(box, card, LEAD, f"Action: <@{LEAD}> call the school")
    asks = [t for t in thread_texts(box, card) if f"<@{LEAD}>" in t and "By when" in t]
    assert len(asks) == 1
    box.people.edit(LEAD, CASE_CHANNEL, message, f"Action: <@{LEAD}> call the school again")
    assert len([t for t in thread_texts(box, card) if "By when" in t]) == 1  # not nagged twice
    say(box, card, DEVELOPING, "Action: tidy the chronology by Friday")
    assert any("Who will take it on" in t for t in thread_texts(box, card))


def test_an_edit_updates_the_item_and_can_add_a_date(sandbox):
    box = sandbox
    card = discussing(box)
    message = say(box, card, LEAD, f"Action: <@{LEAD}> call the school")
    box.people.edit(LEAD, CASE_CHANNEL, message, f"Action: <@{LEAD}> call the school by 2026-12-10")
    (action,) = items(box)
    assert action.due == date(2026, 12, 10) and "by 2026-12-10" in action.text
    (row,) = stored(box)
    assert row.text.endswith("by 2026-12-10") and row.edited_at is not None


def test_an_edit_that_removes_the_prefix_withdraws_the_item(sandbox):
    box = sandbox
    card = discussing(box)
    message = say(box, card, LEAD, "Decision: close the case")
    box.people.edit(LEAD, CASE_CHANNEL, message, "On reflection, not yet.")
    assert items(box) == []


def test_a_deleted_message_withdraws_its_items_and_its_text_is_gone(sandbox):
    box = sandbox
    card = discussing(box)
    message = say(box, card, LEAD, "Decision: we visit together on Thursday")
    box.people.react(DEVELOPING, CASE_CHANNEL, message, "warning")
    assert len(items(box)) == 2
    box.people.delete(CASE_CHANNEL, message)
    assert items(box) == []
    (row,) = stored(box)
    assert row.text is None and row.deleted_at is not None


def test_reactions_mark_and_unmark_a_reply(sandbox):
    box = sandbox
    card = discussing(box)
    message = say(box, card, DEVELOPING, "I'll ask the school nurse about the appointments")
    box.people.react(LEAD, CASE_CHANNEL, message, "pushpin")
    box.people.react(DEVELOPING, CASE_CHANNEL, message, "pushpin::skin-tone-3")  # same kind: one item
    box.people.react(LEAD, CASE_CHANNEL, message, "tada")  # not configured: nothing
    (action,) = items(box)
    assert action.kind.value == "action" and action.source == "reaction"
    box.people.react(LEAD, CASE_CHANNEL, message, "pushpin", removed=True)
    assert items(box) == []


def test_a_reaction_by_someone_outside_the_case_marks_nothing_and_is_audited(http_sandbox):
    box = http_sandbox
    card = discussing(box)
    message = say(box, card, DEVELOPING, "We agreed to wait for the assessment")
    box.people.react(COLLEAGUE, CASE_CHANNEL, message, "white_check_mark")
    assert items(box) == []
    assert [a.outcome for a in audits(box, "capture.reaction")] == ["denied"]


def test_the_shortcut_asks_for_the_kind_and_marks_the_message(sandbox):
    box = sandbox
    card = discussing(box)
    message = say(box, card, DEVELOPING, "Nan said the child is happier at hers")
    box.driver.shortcut_on_message(LEAD, CASE_CHANNEL, message, CallbackId.ADD_TO_RECORD)
    view = box.emu.open_views_for(LEAD)[-1]
    reply = box.driver.submit(LEAD, view, {Block.CAPTURE_KIND: "concern"})
    assert reply.status == 200 and not (reply.json or {}).get("errors")
    (marked,) = items(box)
    assert marked.kind.value == "concern" and marked.source == "shortcut" and marked.marked_by == LEAD
    assert any("Added to the case record as: concern" in t for t in ephemerals(box, LEAD))


def test_the_shortcut_without_a_choice_answers_next_to_the_field(http_sandbox):
    box = http_sandbox
    card = discussing(box)
    message = say(box, card, DEVELOPING, "Something to remember")
    box.driver.shortcut_on_message(LEAD, CASE_CHANNEL, message, CallbackId.ADD_TO_RECORD)
    reply = box.driver.submit(LEAD, box.emu.open_views_for(LEAD)[-1], {})
    assert Block.CAPTURE_KIND in reply.json["errors"]
    assert items(box) == []


def test_the_shortcut_outside_a_case_thread_stores_nothing(http_sandbox):
    box = http_sandbox
    discussing(box)
    views_before = len(box.emu.views)
    message = box.emu.post_user_message(QUIET_CHANNEL, user=LEAD, text="Decision: lunch at noon")
    box.driver.shortcut_on_message(LEAD, QUIET_CHANNEL, message, CallbackId.ADD_TO_RECORD)
    assert len(box.emu.views) == views_before
    # casebot isn't in that channel, so the answer comes by DM.
    assert any(
        "isn't a reply in a case thread" in body(m) or "isn't a reply" in m.get("text", "")
        for m in box.emu.dms(LEAD)
    )
    assert stored(box) == []


def test_a_duplicate_event_delivery_is_processed_once(sandbox):
    box = sandbox
    card = discussing(box)
    message = box.emu.post_user_message(
        CASE_CHANNEL, user=LEAD, text="Decision: we visit together", thread_ts=card["ts"]
    )
    box.people.deliver_message(message, CASE_CHANNEL, event_id="Ev0DUPLICATE1")
    box.people.deliver_message(message, CASE_CHANNEL, event_id="Ev0DUPLICATE1")
    assert len(items(box)) == 1 and len(stored(box)) == 1
    assert len(rows(box, ProcessedEvent, key="event:Ev0DUPLICATE1")) == 1


def test_a_plain_reply_delivered_again_is_stored_once_by_its_own_key(sandbox):
    """A reply with nothing marked takes the short path, which claims no event id: the message's unique
    (team, channel, ts) is what makes Slack's retry, or the same reply under another event id, a no-op."""
    box = sandbox
    card = discussing(box)
    message = box.emu.post_user_message(
        CASE_CHANNEL, user=LEAD, text="We saw the family on Tuesday", thread_ts=card["ts"]
    )
    told_before = len(ephemerals(box, LEAD))
    for event_id in ("Ev0PLAIN00001", "Ev0PLAIN00001", "Ev0PLAIN00002"):
        assert box.people.deliver_message(message, CASE_CHANNEL, event_id=event_id).status == 200
    assert [m.text for m in stored(box)] == ["We saw the family on Tuesday"]
    assert rows(box, ProcessedEvent, key="event:Ev0PLAIN00001") == []
    assert len(ephemerals(box, LEAD)) == told_before


def test_messages_from_bots_and_from_casebot_are_ignored(sandbox):
    box = sandbox
    card = discussing(box)
    for user_id, bot_id in ((APP_USER, "B0OTHERBOT"), (box.emu.bot_user_id, box.emu.bot_id)):
        box.driver.event(
            payloads.message_event(
                user_id=user_id,
                channel_id=CASE_CHANNEL,
                text="Decision: a bot decided this",
                ts="1790000000.000100",
                thread_ts=card["ts"],
                team_id=box.driver.team_id,
                bot_id=bot_id,
            )
        )
    assert stored(box) == [] and items(box) == []


def test_messages_outside_case_threads_are_not_stored(sandbox):
    box = sandbox
    card = discussing(box)
    box.people.reply(LEAD, QUIET_CHANNEL, "1790000000.000001", "Decision: elsewhere")
    top = box.emu.post_user_message(CASE_CHANNEL, user=LEAD, text="Decision: top level")
    box.people.deliver_message(top, CASE_CHANNEL)
    other = box.emu.post_user_message(CASE_CHANNEL, user=LEAD, text="hello")
    box.people.reply(LEAD, CASE_CHANNEL, other["ts"], "Decision: in another thread")
    assert stored(box) == [] and items(box) == []
    assert current(box, card)  # the discussion is untouched


def test_a_prefix_with_no_discussion_under_way_is_explained_and_not_stored(http_sandbox):
    box = http_sandbox
    card = open_case(box)
    say(box, card, LEAD, "Decision: we visit together")
    say(box, card, LEAD, "just chatting")
    assert stored(box) == [] and items(box) == []
    (said,) = ephemerals(box, LEAD)
    assert "no discussion under way" in said


def test_replies_after_wrap_up_still_reach_the_wrapped_discussion_until_it_is_recorded(http_sandbox):
    box = http_sandbox
    card = discussing(box)
    click(box, LEAD, WRAP, current(box, card))
    say(box, card, DEVELOPING, "Learning: I want to chair the next meeting")
    (learning,) = items(box)
    assert learning.discussion_id == 1


def test_dates_are_read_in_the_authors_time_zone(http_sandbox):
    box = http_sandbox
    card = discussing(box)
    # 22:30 on Thursday 3 December in London is already Friday 4 December in Auckland.
    from datetime import UTC, datetime

    from storage.models import Person

    box.deps.clock.move_to(datetime(2026, 12, 3, 22, 30, tzinfo=UTC))
    with box.deps.sessions.begin() as session:
        from sqlalchemy import select

        session.scalar(select(Person).where(Person.slack_user_id == LEAD)).tz = "Europe/London"
        session.scalar(select(Person).where(Person.slack_user_id == DEVELOPING)).tz = "Pacific/Auckland"
    say(box, card, LEAD, f"Action: <@{LEAD}> send the letter by tomorrow")
    say(box, card, DEVELOPING, f"Action: <@{DEVELOPING}> send the report by tomorrow")
    london, auckland = sorted(items(box), key=lambda i: i.id)
    assert london.due == date(2026, 12, 4) and auckland.due == date(2026, 12, 5)
