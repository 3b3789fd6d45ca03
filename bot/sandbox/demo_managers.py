"""The demo's managers' part: Sam's own start date brings supervision forward, the check-in falls due
and Mere records it (with a wellbeing check that appears nowhere but Sam's supervision record), then
Mere reviews the co-working arrangement with its measured facts."""

from __future__ import annotations

from datetime import UTC, datetime

from bot import jobs
from bot.ids import ActionId, CallbackId
from bot.review import blocks as review_form
from bot.sandbox.demo_transcript import Printer
from bot.sandbox.harness import CASE_CHANNEL, DEVELOPING, MANAGER, ManualClock, Sandbox
from bot.supervision import blocks as supervision_form

SUPERVISION_DUE = datetime(2026, 12, 13, 21, 0, tzinfo=UTC)  # Monday 14 December, 10:00 in Auckland
WIDTH = 150  # the review form's facts share lines up to this width
WELLBEING = "Tired after the court week; taking Friday off."


def play(box: Sandbox, clock: ManualClock, show: Printer) -> None:
    show.scene("6. Supervision for Sam as newly qualified, recorded by Mere; then her review")
    show.narrate("@mere records Sam's own start date: `/case supervision start @sam 2026-11-23`")
    reply = box.driver.slash(MANAGER, f"supervision start <@{DEVELOPING}|sam> 2026-11-23", CASE_CHANNEL)
    show.ephemeral_reply(MANAGER, CASE_CHANNEL, reply.text)
    box.deps.executor.wait_idle()
    show.flush()
    clock.move_to(SUPERVISION_DUE)
    jobs.run_pass(box.deps)
    show.narrate("time passes... Monday 14 December, 10:00: the check-in is due; Mere gets the agenda")
    show.flush()
    agenda = next(m for m in reversed(box.emu.dms(MANAGER)) if "Suggested agenda" in str(m.get("blocks")))
    box.driver.click(
        MANAGER, ActionId.SUPERVISION_RECORD, message=agenda, channel_id=box.emu.dm_channel_for(MANAGER)
    )
    view = next(v for v in box.emu.open_views_for(MANAGER) if v.get("callback_id") == CallbackId.SUPERVISION)
    show.narrate(
        "@mere meets Alex and Sam, presses Record supervision, writes the decision, an action for Sam and "
        "Sam's wellbeing check (kept on Sam's supervision record only, never in the thread or notes), saves"
    )
    box.driver.submit(
        MANAGER,
        view,
        {
            supervision_form.DECISIONS: "Sam co-presents at the core group; Alex chairs.",
            f"{supervision_form.ACTION_PREFIX}1_text": "Prepare the core group summary with Alex",
            f"{supervision_form.ACTION_PREFIX}1_owner": DEVELOPING,
            f"{supervision_form.ACTION_PREFIX}1_due": "2026-12-18",
            f"{supervision_form.WELLBEING_PREFIX}{DEVELOPING}": WELLBEING,
        },
    )
    box.deps.executor.wait_idle()
    show.flush()
    show.narrate("@mere types `/case review` in #cases-north: the form opens with the measured facts")
    box.driver.slash(MANAGER, "review", CASE_CHANNEL)
    box.deps.executor.wait_idle()
    show.seen = box.emu.transcript_length()  # the form itself: its facts below, its questions narrated
    view = next(v for v in box.emu.open_views_for(MANAGER) if v.get("callback_id") == CallbackId.REVIEW)
    show.out("    " + "\n    ".join(_facts(view)))
    show.narrate("@mere answers the protocol's questions, chooses Continue and a review in March, and saves")
    box.driver.submit(MANAGER, view, _review_answers())
    box.deps.executor.wait_idle()
    show.flush()


def _facts(view: dict) -> list[str]:
    """The measured facts as the review form shows them."""
    text = next(
        b["text"]["text"]
        for b in view["blocks"]
        if b.get("text", {}).get("text", "").startswith("*Measured facts*")
    )
    lines = text.replace("*", "").splitlines()[1:]
    # Two short lines of facts share a printed line; the responsibilities' lines stay whole.
    joined: list[str] = []
    for line in lines:
        if joined and len(joined[-1]) + len(line) < WIDTH and not line.startswith(("•", "Responsib")):
            joined[-1] += " " + line
        else:
            joined.append(line)
    return joined


def _review_answers() -> dict[str, str]:
    answers = {
        "plan": "Yes: the family now takes part in the plan.",
        "sharing": "Shared with school and health visitor, with consent.",
        "tasks": "Both actions done on time.",
        "issues": "None open.",
        "progress": "Sam explains the plan to mum with growing confidence.",
    }
    return {
        **{f"{review_form.ANSWER_PREFIX}{key}": text for key, text in answers.items()},
        review_form.OUTCOME: "continue",
        review_form.NEXT: "2027-03-10",
    }
