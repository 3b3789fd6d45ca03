"""What people read about an urgent concern: never false assurance, never what the message said."""

from datetime import UTC, datetime

from bot.concerns.blocks import (
    SAFETY,
    AlertView,
    UrgentOnCard,
    alert_message,
    already_answer,
    card_lines,
    not_on_case_answer,
    raised_answer,
)
from bot.concerns.rules import COVER, DUTY, MANAGER, Contact
from bot.ids import ActionId

AT = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)


def text_of(blocks) -> str:
    parts = []
    for block in blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [e.get("text", "") for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return "\n".join(parts)


def test_whoever_raises_one_is_told_to_follow_the_procedure_first_and_what_was_done():
    told = raised_answer((Contact("UMGR", MANAGER), Contact("UDUTY", DUTY)), ack_minutes=90)
    assert told.startswith(SAFETY)
    assert "does not replace your organisation's safeguarding procedure" in told
    assert "<@UMGR>" in told and "may not see it straight away" in told
    assert "90 minutes" in told and "<@UDUTY>" in told
    nobody = raised_answer((), ack_minutes=60)
    assert nobody.startswith(SAFETY) and "not alerted anyone" in nobody
    assert not_on_case_answer().startswith(SAFETY) and "not alerted anyone" in not_on_case_answer()
    again = already_answer(AT, "UMGR", AT)
    assert again.startswith(SAFETY) and "already went out" in again and "<@UMGR> acknowledged" in again


def test_the_alert_names_the_case_who_and_when_and_carries_the_acknowledge_button():
    view = AlertView(
        concern_id=7,
        reference="CASE-1",
        channel_id="CCASES01",
        raised_by="USAM",
        raised_at=AT,
        recipient=Contact("UCOVER", COVER),
        manager_id="UMGR",
        earlier=(("UMGR", AT),),
        next_contact="UDUTY",
        ack_minutes=60,
        permalink="https://example.slack.test/archives/C/p1",
    )
    text, blocks = alert_message(view)
    shown = text_of(blocks)
    assert "Urgent concern on case CASE-1" in shown and "<@USAM>" in shown
    assert "covering <@UMGR>'s leave" in shown
    assert "<@UMGR> was alerted" in shown and "1 hour" in shown and "<@UDUTY>" in shown
    assert "does not replace your organisation's safeguarding procedure" in shown
    (button,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == ActionId.URGENT_ACKNOWLEDGE and button["value"] == "7"
    assert "CASE-1" in text


def test_the_card_says_how_many_who_and_when_only():
    assert card_lines(()) == []
    (one,) = card_lines((UrgentOnCard("USAM", AT),))
    assert one["text"]["text"].startswith(
        ":rotating_light: *1 urgent concern not yet acknowledged*, raised by <@USAM>"
    )
    many = card_lines(tuple(UrgentOnCard(f"U{i}", AT) for i in range(7)))
    assert "*7 urgent concerns not yet acknowledged*" in many[0]["text"]["text"]
    assert "+ 2 more" in many[0]["text"]["text"]
