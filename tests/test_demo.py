"""`casebot demo`: the journey plays, and its transcript reads as a story a manager could follow (issue 14).

The transcript's wording is the bot's and changes as the bot does, so these tests check its shape (how
long it is, that nothing is printed twice, where each message is said to be) and the words the demo's
people type themselves, more than the bot's own words.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bot.cli import main
from bot.sandbox.demo import run_demo
from bot.sandbox.demo_render import changes, form_lines, home_lines, message_lines, repeated
from bot.sandbox.demo_transcript import Printer

LIMIT = 200  # lines: the bar for "a story a manager could follow"


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    lines: list[str] = []
    assert run_demo(db_path=str(folder / "demo.db"), out=lines.append) == 0
    return folder, "\n".join(lines).splitlines()


def messages(transcript: list[str]) -> list[tuple[str, tuple[str, ...]]]:
    """(header, body lines) of each message printed over several lines: a header, then indented lines."""
    found: list[tuple[str, tuple[str, ...]]] = []
    for line in transcript:
        if line.startswith("    ") and found:
            found[-1] = (found[-1][0], (*found[-1][1], line))
        elif line.startswith("["):
            found.append((line, ()))
    return found


def test_the_demo_plays_the_journey_and_says_where_the_database_is(played):
    folder, transcript = played
    text = "\n".join(transcript)
    assert text.index("(only visible to @mere)") < text.index("[form «") < text.index("(the form stays open)")
    ladder = text[text.index("the first discussion is due") :]
    assert ladder.index("[DM to @alex]") < ladder.index("[DM to @sam]") < ladder.index("[DM to @mere]")
    snoozed = ladder[ladder.index("snoozes the reminder") :]
    assert "(nothing new in Slack)" in snoozed  # the snooze holds
    assert "[#cases-north › thread] casebot" in snoozed.split("the snooze is over")[1]
    summary = text[text.index("typing the child's date of birth by mistake") :]
    assert "(the form stays open)" in summary.splitlines()[1]  # the identifier check fired
    exported = next(folder.glob("CASE-2026-014-notes-*.md"))
    assert str(exported) in transcript[-1] and str(folder / "demo.db") in transcript[-1]
    assert "Interpreter booked, time confirmed with mum" in exported.read_text()
    assert "14/03/2019" not in exported.read_text()
    assert (folder / "demo.db").exists()


def test_the_transcript_is_short_and_prints_nothing_twice(played):
    _folder, transcript = played
    assert len(transcript) < LIMIT, f"{len(transcript)} lines"
    bodies = Counter(body for _header, body in messages(transcript) if len(body) > 1)
    assert [body for body, times in bodies.items() if times > 1] == []
    # nor three lines in a row anywhere else (a card reprinted inside another message, say)
    runs = Counter(tuple(transcript[i : i + 3]) for i in range(len(transcript) - 2))
    assert [run for run, times in runs.items() if times > 1 and all(line.strip() for line in run)] == []
    assert sum(line.strip() == "== Case CASE-2026-014 ==" for line in transcript) == 1  # the card, once


def test_the_transcript_speaks_to_people_not_developers(played):
    _folder, transcript = played
    text = "\n".join(transcript)
    assert not re.search(r"<[@#!]", text)  # no raw Slack mentions, channels or dates, narration included
    assert ">>> @ira types `/case admin manager add @mere`" in text
    for word in ("critical_friend", "wrapped)", "notes exported", "In the case-note store"):
        assert word not in text


def test_edits_are_shown_where_they_happen(played):
    _folder, transcript = played
    for line in transcript:
        if " edited «Question" in line:  # the questions are posted in the case's thread
            assert line.startswith("[#cases-north › thread]"), line
    at = next(i for i, line in enumerate(transcript) if line.startswith(">>> @alex edits"))
    assert transcript[at + 1] == (
        "[#cases-north › thread] alex (edited): "
        "Action: @alex ask the school how attendance has been by 16 Dec"
    )
    learning = next(i for i, line in enumerate(transcript) if "sam: Learning:" in line)
    assert learning > at + 1 and transcript[learning - 1].startswith(">>> @sam")


def test_it_shows_the_summary_form_the_saved_note_and_the_export(played):
    _folder, transcript = played
    text = "\n".join(transcript)
    wrap_up = text[text.index(">>> @alex presses Wrap up") :]
    form = next(body for header, body in messages(wrap_up.splitlines()) if header.startswith("[form «"))
    assert any("filled in:" in line for line in form) and any("empty:" in line for line in form)
    note = text[text.index(">>> @mere reads the signed-off note") :]
    (header, body), *_ = messages(note.splitlines())
    assert header.startswith("[form «") and header.endswith("opens for @mere] casebot:")
    assert len(body) > 5 and any("Interpreter booked, time confirmed with mum" in line for line in body)
    export = note[note.index("/case export md") :]
    dm = next((header, body) for header, body in messages(export.splitlines()) if "[DM to @alex]" in header)
    assert dm[1][-1].lstrip().startswith("📎 CASE-2026-014-notes-") and dm[1][-1].rstrip().endswith(")")


def test_it_ends_with_the_managers_home_tab_and_the_weeks_digest_with_its_chart_on_disk(played):
    folder, transcript = played
    text = "\n".join(transcript)
    end = text[text.index("=== 7. ") :]
    (home_header, home), *rest = messages(end.splitlines())
    assert home_header == "[Home tab of @mere] casebot:"
    assert home[0].strip().startswith("*Team view*: 1 open case")
    assert home[1].strip().startswith("*CASE-2026-014* in #cases-north") and home[1].endswith(
        "[Review]  [Record supervision]"
    )  # the row's buttons, on the row they act on
    digest_header, digest = next((h, b) for h, b in rest if h == "[DM to @mere] casebot:")
    assert "*Your weekly casebot digest*" in digest[0]
    assert any(
        "📎 casebot-digest-" in line and line.rstrip().endswith(".png (Co-working health, last 12 weeks)")
        for line in digest
    )
    chart = next(folder.glob("casebot-digest-*.png"))
    assert f"The chart, as Mere sees it, is written to {chart}" in text and str(chart) in transcript[-1]
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    alt = next(line for line in transcript if line.strip().startswith("Its alt text: "))
    assert "Line chart of co-working health" in alt and "Discussions held against planned" in alt


def test_the_cadence_changes_both_confirm_then_the_case_closes_with_notes_only_on_the_card(played):
    _folder, transcript = played
    text = "\n".join(transcript)
    end = text[text.index("=== 8. ") :]
    assert ">>> @mere types `/case agreement`" in end and "[Change]" in end
    changed = end[end.index("@mere presses Change") :]
    assert "The co-working agreement is now version 2" in changed
    assert "+ *Reflective discussions:* weekly" in changed  # only what changed from version 1
    confirmed = changed[changed.index("click Agree under version 2") :]
    assert "*Agreement v2: agreed by everyone*" in confirmed.split("/case close")[0]
    closed = end[end.index("`/case close`") :]
    assert "🔒 @mere closed case CASE-2026-014" in closed
    (card,) = [
        body for header, body in messages(closed.splitlines()) if "edited «Case CASE-2026-014»" in header
    ]
    assert "(closed)" in card[0] and card[-1].endswith("[Notes]")  # no buttons but Notes


def test_playing_the_demo_twice_on_one_file_says_so_in_one_line(tmp_path, capsys):
    path = str(tmp_path / "same.db")
    assert main(["demo", "--db", path]) == 0
    capsys.readouterr()
    assert main(["demo", "--db", path]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "already exists" in captured.err


# ------------------------------------------------------------------------------------------------ rendering
def test_an_edited_message_prints_only_what_changed():
    before = [
        "== Case X ==",
        "Next discussion: Wed 2 Dec",
        "Overdue: Wed 2 Dec",
        "Case status: open  [Start]",
    ]
    after = ["== Case X ==", "Next discussion: Wed 9 Dec", "Case status: open"]
    assert changes(before, after) == ["+ Next discussion: Wed 9 Dec", "− Overdue: Wed 2 Dec"]
    assert changes(["Time to meet", "Planned Wed  [Start]"], ["It was not held."]) == ["+ It was not held."]
    assert changes(after, after) == []


def test_buttons_follow_their_text_and_short_bullets_share_a_line():
    blocks = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "*Who does what:*\n• Visits: Shared\n• Plans: Lead"},
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": "• Reports: Lead"}},
        {
            "type": "actions",
            "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Agree"}}],
        },
    ]
    assert message_lines(blocks, "") == [
        "*Who does what:*",
        "• Visits: Shared; Plans: Lead; Reports: Lead  [Agree]",
    ]


def test_a_form_shows_its_fields_briefly():
    def field(label: str, element: dict) -> dict:
        return {"type": "input", "label": {"type": "plain_text", "text": label}, "element": element}

    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Summary for case *C-1*.\nMore words."}},
        field("What happened", {"type": "plain_text_input", "initial_value": "Observed: …\nReported: …"}),
        field("Who will do it", {"type": "users_select", "initial_user": "USAM0001"}),
        field("By when", {"type": "datepicker", "initial_date": "2026-12-11"}),
        field("What done looks like", {"type": "plain_text_input"}),
    ]
    assert form_lines(blocks) == [
        "Summary for case *C-1*.",
        "filled in: What happened · Who will do it: <@USAM0001> · By when: Fri 11 Dec 2026",
        "empty: What done looks like",
    ]


def test_a_home_tab_reads_row_by_row_with_each_rows_buttons_on_its_first_line():
    def section(text: str) -> dict:
        return {"type": "section", "text": {"type": "mrkdwn", "text": text}}

    def buttons(*labels: str) -> dict:
        return {
            "type": "actions",
            "elements": [{"type": "button", "text": {"type": "plain_text", "text": t}} for t in labels],
        }

    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "casebot"}},
        section("*Team view*: 2 open cases"),
        section("*C-1*\n• 1 discussion missed"),
        buttons("Review", "Record supervision"),
        section("*C-2*\nNo drift signals."),
        buttons("Review", "Record supervision"),
        {"type": "divider"},
    ]
    assert home_lines(blocks) == [
        "*Team view*: 2 open cases",
        "*C-1*  [Review]  [Record supervision]",
        "• 1 discussion missed",
        "*C-2*  [Review]  [Record supervision]",
        "No drift signals.",
    ]


def test_a_line_that_moved_in_an_edit_is_said_where_it_went_not_also_removed():
    before = ["Open, not yet due:", "• @sam, due Fri", "Status"]
    after = ["Past their date:", "• @sam, due Fri", "Open, not yet due:", "Status"]
    assert changes(before, after) == ["+ Past their date:", "+ • @sam, due Fri"]


def test_a_message_sent_again_for_another_person_or_day_is_recognised():
    first = ["Hi @alex, the discussion planned for Wed 2 Dec hasn't started.", "[Start now]"]
    to_sam = ["Hi @sam, the discussion planned for Wed 2 Dec hasn't started.", "[Start now]"]
    later = ["Hi @alex, the discussion planned for Thu 10 Dec hasn't started.", "[Start now]"]
    assert repeated([first], to_sam) == (first, [])
    assert repeated([first], later) == (first, [later[0]])
    assert repeated([first], ["Something else entirely", "[Start now]"]) is None


class _Emulator:
    """Just enough of the emulator for the Printer: a transcript, no users or channels."""

    bot_user_id = "UBOT"
    users: dict = {}
    channels: dict = {}

    def __init__(self) -> None:
        self.entries: list[dict] = []

    def transcript(self, since: int = 0) -> list[dict]:
        return self.entries[since:]


def test_a_long_message_much_like_an_earlier_one_prints_only_what_differs():
    emu, printed = _Emulator(), []
    printer = Printer(emu, printed.append)

    def post(ts: str, lines: list[str]) -> None:
        emu.entries.append(
            {"kind": "post", "channel": "C1", "ts": ts, "user": "UBOT", "text": "\n".join(lines)}
        )
        printer.flush()

    first = ["*Agreement, version 1*", "Discussions: fortnightly", "Visits: shared", "Reports: lead"]
    first += ["Plans: shared", "Review by March", "Please confirm it.  [Agree]"]
    post("1.0", first)
    assert "\n".join(printed).count("\n") == 4  # the header, then two lines, "… 4 more lines …" and the last
    printed.clear()
    second = ["*Agreement, version 2*", "Discussions: weekly", *first[2:]]
    post("2.0", second)
    assert printed == [
        "[#C1] casebot: «Agreement, version 1» again, with changes: "
        "+ *Agreement, version 2*; + Discussions: weekly"  # reworded lines: their new wording
    ]
