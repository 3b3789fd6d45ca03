"""Steps of the open-a-case journey, shared by the Slack-level tests."""

from __future__ import annotations

from bot.ids import Block
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD, MANAGER, Sandbox


def make_manager(box: Sandbox, user_id: str = MANAGER) -> None:
    from bot.sandbox.harness import ADMIN

    reply = box.driver.slash(ADMIN, f"admin manager add <@{user_id}|someone>", CASE_CHANNEL)
    assert "can now open and manage cases" in reply.text


def open_modal(box: Sandbox, user_id: str = MANAGER, channel: str = CASE_CHANNEL) -> dict:
    box.driver.slash(user_id, "open", channel)
    return box.emu.open_views_for(user_id)[-1]


GOOD_ANSWERS = {
    Block.REFERENCE: "CASE-2026-014",
    Block.COWORKERS: [LEAD, DEVELOPING],
    Block.LEAD: LEAD,
    Block.DEVELOPING: [DEVELOPING],
    Block.REASONS: ["learning", "complexity"],
    Block.DISCUSSION_FREQUENCY: "fortnightly",
    Block.DISCUSSION_DAY: "2",
    Block.DISCUSSION_TIME: "10:00",
    Block.RECORDER: "rotating",
    Block.SUPERVISION_FREQUENCY: "monthly",
    Block.LEARNING_GOALS: "Chair the next core group with support",
}


def submit(box: Sandbox, view: dict, user_id: str = MANAGER, **changes):
    return box.driver.submit(user_id, view, {**GOOD_ANSWERS, **changes})


def open_case(box: Sandbox, **changes) -> dict:
    """Manager opens a case; returns the card message as the emulator holds it."""
    make_manager(box)
    reply = submit(box, open_modal(box), **changes)
    assert reply.status == 200 and not (reply.json or {}).get("errors"), reply.body
    return box.emu.messages(CASE_CHANNEL)[-1]
