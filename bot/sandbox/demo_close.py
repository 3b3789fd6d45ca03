"""The demo's last part (issue 16): Mere changes the agreement's cadence and both co-workers confirm the
new version, then she closes the case with its closing review: every open action settled, the case
closed, its chases cancelled, the card left with *Notes* only."""

from __future__ import annotations

from typing import Any

from bot.cases.rules_change import REASON_BLOCK
from bot.closing import blocks as closing_form
from bot.closing.rules import COMPLETED, DROPPED, HANDED_OVER
from bot.ids import ActionId, Block, CallbackId
from bot.sandbox.demo_transcript import Printer
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD, MANAGER, Sandbox

CLOSING = {
    "changed": "Mum takes part in the plan; the children are seen at school and at home.",
    "learned": "Joint visits with an interpreter made the plan hers, not ours.",
    "continues": "School pastoral support; Alex checks in with the school each month.",
}


REASON = "Weekly while the family is new to the plan and the interpreter visits start."


def change(box: Sandbox, show: Printer) -> None:
    """`/case agreement` → *Change*: weekly discussions, a new version that both co-workers confirm."""
    show.narrate("@mere types `/case agreement` in #cases-north: the agreement as it stands, with Change")
    box.driver.slash(MANAGER, "agreement", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    show.flush()
    answer = next(e for e in reversed(box.emu.ephemerals) if e["user"] == MANAGER)
    value = next(
        e["value"]
        for b in answer.get("blocks", [])
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ActionId.AGREEMENT_CHANGE
    )
    show.narrate(
        "@mere presses Change: the agreement form opens filled in as it stands; she makes the discussions "
        f'weekly, gives the reason ("{REASON}") and saves'
    )
    before = {v["id"] for v in box.emu.open_views_for(MANAGER)}
    box.driver.click(MANAGER, ActionId.AGREEMENT_CHANGE, value=value, message=answer, channel_id=CASE_CHANNEL)
    box.deps.executor.wait_idle()
    view = _opened(box, CallbackId.AGREEMENT_CHANGE, before)
    show.seen = box.emu.transcript_length()  # the form: narrated above
    box.driver.submit(MANAGER, view, {Block.DISCUSSION_FREQUENCY: "weekly", REASON_BLOCK: REASON})
    box.deps.executor.wait_idle()
    show.flush()
    show.narrate("@alex, then @sam, click Agree under version 2")
    card = box.emu.messages(CASE_CHANNEL)[-1]
    for person in (LEAD, DEVELOPING):
        thread = box.emu.thread(CASE_CHANNEL, card["ts"])
        agreement, value = next((m, v) for m in reversed(thread) if (v := _agree_for(m, person)))
        box.driver.click(person, ActionId.AGREE, value=value, message=agreement, channel_id=CASE_CHANNEL)
        box.deps.executor.wait_idle()
        show.flush()


def _agree_for(message: dict[str, Any], person: str) -> str | None:
    """The value of `person`'s Agree button on an agreement post, if it has one."""
    return next(
        (
            b["accessory"]["value"]
            for b in message.get("blocks", [])
            if b.get("accessory", {}).get("action_id") == ActionId.AGREE
            and b["accessory"].get("value", "").endswith(person)
        ),
        None,
    )


def _opened(box: Sandbox, callback_id: str, before: set[str]) -> dict[str, Any]:
    return next(
        v
        for v in reversed(box.emu.open_views_for(MANAGER))
        if v.get("callback_id") == callback_id and v["id"] not in before
    )


def close(box: Sandbox, show: Printer) -> None:
    """`/case close`: the closing review, each open action settled, the case closed."""
    show.narrate(
        "the plan is working: @mere types `/case close`; in the closing review that opens she says what "
        "changed for the child, what was learned and what continues (Alex holds it), marks the interpreter "
        "booked, hands Alex's school check to Sam, drops the rest with a reason, and saves"
    )
    before = {v["id"] for v in box.emu.open_views_for(MANAGER)}
    box.driver.slash(MANAGER, "close", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    view = _opened(box, CallbackId.CLOSE, before)
    show.seen = box.emu.transcript_length()  # the form: narrated above
    box.driver.submit(MANAGER, view, _answers(view))
    box.deps.executor.wait_idle()
    show.flush()


def _answers(view: dict[str, Any]) -> dict[str, Any]:
    """The closing review's answers, and an outcome for each open action the form lists (read from the
    words the form shows above it): the interpreter booked, the school check handed to Sam, the rest
    dropped with a reason."""
    prefix = closing_form.ACTION_PREFIX
    answers: dict[str, Any] = {
        **{f"{closing_form.ANSWER_PREFIX}{key}": text for key, text in CLOSING.items()},
        closing_form.HOLDER: LEAD,
    }
    words = ""
    for block in view["blocks"]:
        block_id = block.get("block_id", "")
        if block["type"] == "section":
            words = block["text"]["text"]
        elif block_id.startswith(prefix) and block_id.endswith("_outcome"):
            at = block_id.removesuffix("outcome")
            if "interpreter" in words:
                answers[f"{at}outcome"] = COMPLETED
            elif "school" in words:
                answers |= {f"{at}outcome": HANDED_OVER, f"{at}to": DEVELOPING}
            else:
                answers |= {f"{at}outcome": DROPPED, f"{at}reason": "Covered by the school's support plan."}
    return answers
