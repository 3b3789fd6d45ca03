"""`casebot demo`: the real casebot against the local Slack emulator, on a fresh SQLite file.

It plays the co-working journey as people would, through signed HTTP requests, and prints what each
person would see in Slack. Later parts of the product extend the same script.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot import jobs
from bot.ids import ActionId, Block, CallbackId
from bot.notes.blocks import action_block, section_block
from bot.sandbox import demo_close, demo_home, demo_managers
from bot.sandbox.demo_transcript import LEGEND, Printer
from bot.sandbox.harness import ADMIN, CASE_CHANNEL, DEVELOPING, LEAD, MANAGER, ManualClock, Sandbox
from storage.models import Note, NoteType

START = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)  # Wednesday 25 November, 10:00 in Auckland

AGREEMENT: dict[str, Any] = {
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
    Block.INFORMATION_SHARING: "School and health visitor only, with parental consent",
}


def run_demo(db_path: str | None = None, out=print) -> int:
    started = time.perf_counter()
    path = Path(db_path) if db_path else Path(tempfile.mkdtemp(prefix="casebot-demo-")) / "casebot.db"
    clock = ManualClock(START)
    # Weeks pass in seconds on a hand-moved clock, and the outbox is not yet paced per channel
    # (issue 17), so the demo leaves Slack's posting rate off; everything else is as strict as Slack.
    with Sandbox(database_url=f"sqlite:///{path}", mode="http", clock=clock, rate_limits=False) as box:
        show = Printer(box.emu, out)
        drive = box.driver
        out(
            "casebot demo: the real bot, a local Slack emulator, no network. Times are the emulator's. "
            + LEGEND
        )

        def ask(user: str, text: str) -> None:
            show.narrate(f"@{box.emu.users[user].name} types `/case {text}` in #cases-north")
            reply = drive.slash(user, text, CASE_CHANNEL)
            show.ephemeral_reply(user, CASE_CHANNEL, reply.text)
            show.flush()

        show.scene("1. Mere, the team manager, opens a co-worked case")
        ask(MANAGER, "open")
        ask(ADMIN, f"admin manager add <@{MANAGER}|mere>")
        ask(MANAGER, "open")
        view = box.emu.open_views_for(MANAGER)[-1]
        show.narrate("@mere fills in the agreement, typing a child's name as the case reference by mistake")
        reply = drive.submit(MANAGER, view, {**AGREEMENT, Block.REFERENCE: "Jayden Smith"})
        assert reply.json is not None  # a modal's errors come back as JSON
        label = next(b["label"]["text"] for b in view["blocks"] if b.get("block_id") == Block.REFERENCE)
        out(f"    (the form stays open) {label}: {reply.json['errors'][Block.REFERENCE]}")
        show.narrate("@mere corrects the reference to CASE-2026-014 and saves")
        drive.submit(MANAGER, view, AGREEMENT)
        show.flush()
        card = box.emu.messages(CASE_CHANNEL)[-1]
        show.scene("2. Alex (lead) and Sam (newly qualified) agree to work the case together")
        for person in (LEAD, DEVELOPING):
            agreement = box.emu.thread(CASE_CHANNEL, card["ts"])[1]
            show.narrate(f"@{box.emu.users[person].name} clicks Agree")
            value = next(
                b["accessory"]["value"]
                for b in agreement["blocks"]
                if b.get("accessory", {}).get("value", "").endswith(person)
            )
            drive.click(person, ActionId.AGREE, value=value, message=agreement, channel_id=CASE_CHANNEL)
            show.flush()
        show.scene("3. The first discussion falls due: reminders, then the manager, then a snooze")
        _reminders(box, clock, show)
        show.scene("4. The reflective discussion, in the case thread")
        _discussion(box, show)
        show.scene("5. Alex signs off the summary, Mere reads the note, Alex exports it")
        exported = _summary(box, show, path.parent)
        demo_managers.play(box, clock, show)
        chart = demo_home.play(box, show, path.parent)
        show.scene(
            "8. Mere makes the discussions weekly and both co-workers confirm; then she closes the case"
        )
        demo_close.change(box, show)
        demo_close.close(box, show)
        refused = box.emu.refusals
    if refused:  # something real Slack would have turned down: the demo shows a Slack that never says no
        for call in refused:
            out(f"Slack would have refused {call.method}: {call.response.get('error')}")
        return 1
    out(
        f"\nDone in {time.perf_counter() - started:.1f}s. The case's notes, exported to Markdown, are in "
        f"{exported}; the digest's chart is {chart}; the case and its audit trail are in {path}"
    )
    return 0


# The reminder ladder in accelerated time: each stop is a moment in Auckland (NZDT, UTC+13).
LADDER = [
    (datetime(2026, 12, 1, 21, 0, tzinfo=UTC), "Wednesday 2 December, 10:00: the first discussion is due"),
    (datetime(2026, 12, 3, 21, 0, tzinfo=UTC), "Friday 4 December, 10:00: not started after 2 working days"),
    (datetime(2026, 12, 8, 21, 0, tzinfo=UTC), "Wednesday 9 December, 10:00: not held after 5 working days"),
]


def _reminders(box: Sandbox, clock: ManualClock, show: Printer) -> None:
    def at(moment: datetime, what: str) -> None:
        clock.move_to(moment)
        jobs.run_pass(box.deps)
        quiet = box.emu.transcript_length() == show.seen
        show.narrate(f"time passes... {what}" + (" (nothing new in Slack)" if quiet else ""))
        show.flush()

    for moment, what in LADDER:
        at(moment, what)
    reminder = next(
        m
        for m in reversed(box.emu.thread(CASE_CHANNEL, box.emu.messages(CASE_CHANNEL)[-1]["ts"]))
        if any(b.get("type") == "actions" for b in m.get("blocks", []))
    )
    show.narrate("@alex is in court today and snoozes the reminder by one working day")
    snooze = next(
        o["value"]
        for b in reminder["blocks"]
        if b.get("type") == "actions"
        for e in b["elements"]
        if e["action_id"] == ActionId.REMINDER_SNOOZE
        for o in e["options"]
        if o["value"].endswith(":1d")
    )
    box.driver.click(
        LEAD, ActionId.REMINDER_SNOOZE, message=reminder, channel_id=CASE_CHANNEL, selected_option=snooze
    )
    show.flush()
    at(
        datetime(2026, 12, 9, 3, 0, tzinfo=UTC),
        "Wednesday 9 December, 16:00: the snooze holds, nothing is sent",
    )
    at(datetime(2026, 12, 9, 21, 10, tzinfo=UTC), "Thursday 10 December, 10:10: the snooze is over")


FOCUS = "What would help the family take part in the plan?"


def _discussion(box: Sandbox, show: Printer) -> None:
    """The co-workers hold the discussion: three questions, replies, a decision, two actions, learning."""
    card = box.emu.messages(CASE_CHANNEL)[-1]
    people = box.people

    def say(user: str, text: str) -> dict:
        message = people.reply(user, CASE_CHANNEL, card["ts"], text)
        show.flush()
        return message

    def press(user: str, action_id: str, what: str, *, narrated: bool = False) -> None:
        """`narrated`: the narration already says what the press opens, so it is not printed again."""
        if not narrated:
            show.narrate(f"@{box.emu.users[user].name} presses {what}")
        question = next(
            m
            for m in reversed(box.emu.thread(CASE_CHANNEL, card["ts"]))
            if any(
                e["action_id"] == action_id
                for b in m.get("blocks", [])
                if b.get("type") == "actions"
                for e in b["elements"]
            )
        )
        box.driver.click(user, action_id, message=question, channel_id=CASE_CHANNEL)
        if narrated:
            show.seen = box.emu.transcript_length()
        else:
            show.flush()

    show.narrate(
        "@alex presses Start now on the reminder; in the form that opens, types a focus question and keeps "
        f'the default framework: "{FOCUS}"'
    )
    press(LEAD, ActionId.REMINDER_START, "", narrated=True)
    box.driver.submit(LEAD, box.emu.open_views_for(LEAD)[-1], {Block.FOCUS: FOCUS})
    show.flush()
    say(DEVELOPING, "I saw them at home on Monday with mum; the child was at school.")
    say(LEAD, "Health visitor saw the baby last week, reported by phone.")
    press(LEAD, ActionId.QUESTION_NEXT, "Next question")
    say(DEVELOPING, "Mum may be worried the plan is about taking the children, not supporting her.")
    say(LEAD, "Decision: we explain the plan to mum together, in her first language, before the core group.")
    press(DEVELOPING, ActionId.QUESTION_NEXT, "Next question")
    say(DEVELOPING, f"Action: <@{DEVELOPING}> book an interpreter for the joint visit by Friday")
    call = say(LEAD, f"Action: <@{LEAD}> ask the school how attendance has been")
    show.narrate("@alex edits that action to add a date")
    edited = people.edit(
        LEAD, CASE_CHANNEL, call, f"Action: <@{LEAD}> ask the school how attendance has been by 16 Dec"
    )
    show.user_edit(edited, CASE_CHANNEL)
    show.flush()
    show.narrate("@sam adds what they learnt")
    say(DEVELOPING, "Learning: asking mum what she already knew made the conversation easier.")
    press(LEAD, ActionId.QUESTION_WRAP_UP, "Wrap up")


PLANTED_DOB = "the child (DOB 14/03/2019) was at school"


def _summary(box: Sandbox, show: Printer, folder: Path) -> Path:
    """@alex records the summary: a planted date of birth is caught and fixed, the note saved and read
    by the manager, then exported."""
    view = next(v for v in box.emu.open_views_for(LEAD) if v.get("callback_id") == CallbackId.SUMMARY)
    block_id, label, before = _observed_field(view)
    signed = _signed(view)
    show.narrate(
        "@alex fills in what was observed, typing the child's date of birth by mistake, writes the "
        "child's voice and who decided, and saves"
    )
    planted = _with_observed(before, f"home visit on Monday with mum; {PLANTED_DOB}.")
    reply = box.driver.submit(LEAD, view, {**signed, block_id: planted})
    assert reply.json is not None  # a modal's errors come back as JSON
    show.out(f"    (the form stays open) {label}: {reply.json['errors'][block_id]}")
    show.narrate("@alex takes the date of birth out, says what done looks like for one action, and saves")
    fixed = _with_observed(before, "home visit on Monday with mum; the child was at school.")
    done = {action_block(1, "done"): "Interpreter booked, time confirmed with mum"}
    box.driver.submit(LEAD, view, {**signed, block_id: fixed, **done})
    show.flush()
    number = _discussion_note(box)
    show.narrate(f"@mere reads the signed-off note: `/case notes {number}` in #cases-north")
    reply = box.driver.slash(MANAGER, f"notes {number}", CASE_CHANNEL)
    show.ephemeral_reply(MANAGER, CASE_CHANNEL, reply.text)
    show.flush()
    show.narrate("@alex types `/case export md` in #cases-north")
    box.driver.slash(LEAD, "export md", CASE_CHANNEL)
    show.flush()
    sent = box.emu.files[-1]
    path = folder / sent["filename"]
    content = sent["content"]
    path.write_bytes(content if isinstance(content, bytes) else str(content).encode("utf-8"))
    return path


def _discussion_note(box: Sandbox) -> int:
    """The number of the note Alex just signed off (the agreement may have its own note before it)."""
    with box.deps.reads.begin() as session:
        found = session.scalar(select(func.max(Note.number)).where(Note.note_type == NoteType.DISCUSSION))
    return int(found or 1)


CHILDS_VOICE = "Not seen this week: at school during the home visit. To be seen alone at school by 16 Dec."


def _signed(view: dict) -> dict[str, str]:
    """What sign-off needs besides what happened: the child's voice, and who made each decision."""
    decisions = section_block("decisions")
    drafted = next(b for b in view["blocks"] if b.get("block_id") == decisions)["element"]
    return {
        section_block("childs_voice"): CHILDS_VOICE,
        decisions: drafted.get("initial_value", "").replace("decided by: …", "decided by: @alex and @sam"),
    }


def _observed_field(view: dict) -> tuple[str, str, str]:
    """(block id, label, pre-filled text) of the field for what was observed: a field of its own if
    the form has one, else "What happened" (whose "Observed:" line the demo fills in)."""
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    block = next((b for b in inputs if "observ" in b["block_id"]), None) or next(
        b for b in inputs if b["block_id"] == section_block("happened")
    )
    return block["block_id"], block["label"]["text"], block["element"].get("initial_value") or ""


def _with_observed(text: str, observed: str) -> str:
    lines = text.splitlines()
    at = next((i for i, line in enumerate(lines) if line.lower().startswith("observed")), None)
    if at is None:
        return "\n".join([observed, *lines])
    lines[at] = f"{lines[at].split(':', 1)[0]}: {observed}" if ":" in lines[at] else observed
    return "\n".join(lines)
