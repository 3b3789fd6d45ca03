"""The demo's last part (issue 16): Mere changes the agreement's cadence and both co-workers confirm the
new version, then she closes the case with its closing review: every open action settled, the case
closed, its chases cancelled, the card left with *Notes* only."""

from __future__ import annotations

from typing import Any

from bot.closing import blocks as closing_form
from bot.closing.rules import COMPLETED, DROPPED, HANDED_OVER
from bot.ids import CallbackId
from bot.sandbox.demo_transcript import Printer
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, LEAD, MANAGER, Sandbox

CLOSING = {
    "changed": "Mum takes part in the plan; the children are seen at school and at home.",
    "learned": "Joint visits with an interpreter made the plan hers, not ours.",
    "continues": "School pastoral support; Alex checks in with the school each month.",
}


def close(box: Sandbox, show: Printer) -> None:
    """`/case close`: the closing review, each open action settled, the case closed."""
    show.narrate("the plan is working: @mere types `/case close` in #cases-north; the closing review opens")
    before = {v["id"] for v in box.emu.open_views_for(MANAGER)}
    box.driver.slash(MANAGER, "close", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    view = next(
        v
        for v in reversed(box.emu.open_views_for(MANAGER))
        if v.get("callback_id") == CallbackId.CLOSE and v["id"] not in before
    )
    show.flush()
    show.narrate(
        "@mere says what changed for the child, what was learned and what continues (Alex holds it), "
        "marks the interpreter booked, hands Alex's school check to Sam, drops the rest with a reason, "
        "and saves"
    )
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
