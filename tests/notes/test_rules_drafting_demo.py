"""The demo's discussion (bot/sandbox/demo.py), drafted: every part lands in the section it belongs to.

The facts are the demo's questions and replies as the flow hands them over: the third question is the
"numbers differ" scaling question (lens "risk"), and its replies are an action each and a learning point.
"""

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.notes.rules_drafting import DiscussionFacts, Item, QuestionAsked, Reply, draft
from bot.notes.rules_drafting_sorting import sort_reply, unmarked
from tests.notes.test_rules_drafting import draft_renderer

ALEX, SAM = "UALEX001", "USAM0001"
NAMES = {ALEX: "Alex (social worker)", SAM: "Sam (newly qualified)"}
AUCKLAND = ZoneInfo("Pacific/Auckland")
DECIDED = "we explain the plan to mum together, in her first language, before the core group."
INTERPRETER = "book an interpreter for the joint visit"
SCHOOL = "ask the school how attendance has been"

DEMO = DiscussionFacts(
    reference="CASE-2026-014",
    framework_name="Critical friend",
    focus="What would help the family take part in the plan?",
    started_at=datetime(2026, 12, 9, 21, 10, tzinfo=UTC),
    ended_at=datetime(2026, 12, 9, 21, 40, tzinfo=UTC),
    participant_ids=(ALEX, SAM),
    recorder_id=ALEX,
    questions=(
        QuestionAsked(
            "Focus question",
            "What do you most want to come away from this discussion with?",
            (
                Reply(SAM, "I saw them at home on Monday with mum; the child was at school."),
                Reply(ALEX, "Health visitor saw the baby last week, reported by phone."),
            ),
        ),
        QuestionAsked(
            "Clarifying",
            "How are the child's attendance, learning and friendships at school or early learning?",
            (
                Reply(SAM, "Mum may be worried the plan is about taking the children, not supporting her."),
                Reply(ALEX, f"Decision: {DECIDED}"),
            ),
        ),
        QuestionAsked(
            "Probing, another lens",
            "Where do our numbers differ, and what explains the gap?",
            (
                Reply(SAM, f"Action: <@{SAM}> book an interpreter for the joint visit by Friday"),
                Reply(ALEX, f"Action: <@{ALEX}> ask the school how attendance has been by 16 Dec"),
                Reply(SAM, "Learning: asking mum what she already knew made the conversation easier."),
            ),
            lens="risk",
        ),
    ),
    items=(
        Item(
            "decision",
            "we explain the plan to mum together, in her first language, before the core group.",
            ALEX,
        ),
        Item(
            "action",
            f"<@{SAM}> book an interpreter for the joint visit by Friday",
            SAM,
            (SAM,),
            date(2026, 12, 11),
        ),
        Item(
            "action",
            f"<@{ALEX}> ask the school how attendance has been by 16 Dec",
            ALEX,
            (ALEX,),
            date(2026, 12, 16),
        ),
        Item("learning", "asking mum what she already knew made the conversation easier.", SAM),
    ),
    roles={ALEX: "lead worker", SAM: "co-worker"},
)


def demo_sections() -> dict[str, str]:
    d = draft(DEMO, names=NAMES, tz=AUCKLAND, render=draft_renderer())
    return {s.key: s.text for s in d.sections} | {"header": d.header.text}


def test_marked_replies_are_drafted_in_their_own_sections_only():
    s = demo_sections()
    # the scaling question's replies were an action each and a learning point: nothing is left for risk
    assert "interpreter" not in s["risk"] and "asking mum" not in s["risk"]
    assert s["risk"].startswith("(nothing recorded yet")
    assert "interpreter" in s["actions"] and "asking mum what she already knew" in s["learning"]
    # the Decision: reply is a decision, not something that happened
    assert "Decision" not in s["happened"] and "first language" not in s["happened"]
    assert "first language" in s["decisions"]


def test_what_happened_is_pre_sorted_into_observed_reported_and_views():
    happened = demo_sections()["happened"]
    assert happened.splitlines()[:9] == [
        "Observed first-hand:",
        "• @Sam: I saw them at home on Monday with mum; the child was at school.",
        "",
        "Reported, and who told us:",
        "• @Alex (source: health visitor): Health visitor saw the baby last week, reported by phone.",
        "",
        "Views, and whose:",
        "• @Sam: Mum may be worried the plan is about taking the children, not supporting her.",
        "",
    ]


def test_the_role_is_given_once_and_lines_use_the_short_name():
    s = demo_sections()
    assert (
        "Participants: @Alex (social worker), lead worker; @Sam (newly qualified), co-worker" in s["header"]
    )
    body = "\n".join(text for key, text in s.items() if key != "header")
    assert "(newly qualified)" not in body and "(social worker)" not in body
    assert "• @Sam book an interpreter for the joint visit by Friday" in s["actions"]


def test_every_question_asked_is_listed_once_under_the_purpose():
    purpose = demo_sections()["purpose"]
    assert purpose.count("Where do our numbers differ") == 1
    assert "• Focus question: What do you most want to come away from this discussion with?" in purpose


def test_sorting_a_reply():
    assert sort_reply("I saw them at home on Monday").sort == "observed"
    assert sort_reply("The school said he was late three times").sort == "reported"
    assert sort_reply("The school said he was late three times").source == "school"
    assert sort_reply("According to a neighbour, the car was gone").source == "neighbour"
    assert sort_reply("She rang to say it went well").source is None
    assert sort_reply("I think dad is finding it hard").sort == "view"
    assert sort_reply("The house was tidy").sort == "unsorted"


def test_unmarked_keeps_only_what_was_not_marked():
    text = "We talked it through.\nDecision: contact stays weekly\nand is supervised\n\nThen we stopped."
    assert unmarked(text) == "We talked it through.\n\nThen we stopped."
    assert unmarked("*Action:* <@U1> ring school by Friday") == ""
    assert unmarked("No decision: yet, we think") == "No decision: yet, we think"


def test_told_items_have_their_own_section_and_urgent_ones_are_drafted_under_risk():
    told = Item("told", "we told mum the plan is reviewed in four weeks", SAM)
    urgent = Item("urgent", "dad was seen at the school gate despite the order", ALEX)
    d = draft(
        replace(DEMO, items=(*DEMO.items, told, urgent)), names=NAMES, tz=AUCKLAND, render=draft_renderer()
    )
    s = {x.key: x.text for x in d.sections}
    assert d.section("told").title == "What we told the child or family"
    assert s["told"] == "• we told mum the plan is reviewed in four weeks (told by @Sam)"
    assert "we told mum" not in s["happened"]
    assert s["risk"].startswith(
        "• Urgent concern: dad was seen at the school gate despite the order (raised by @Alex)"
    )
