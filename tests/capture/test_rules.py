from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.capture.rules import (
    DEFAULT_REACTIONS,
    DUE_DATE,
    OWNER,
    TITLES,
    Captured,
    Kind,
    capture_as,
    describe_missing,
    kind_for_reaction,
    parse_action,
    parse_message,
)
from bot.capture.rules_due import read_due
from bot.kernel.rules_dates import WEEKDAYS, DayProblem
from tests.calendars import ZONES

LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wednesday 25 November 2026, 10:00 in London
TODAY = date(2026, 11, 25)


def one(text: str, *, now: datetime = NOW, tz: ZoneInfo = LONDON) -> Captured:
    items = parse_message(text, now=now, tz=tz)
    assert len(items) == 1, items
    return items[0]


def due(body: str, *, now: datetime = NOW, tz: ZoneInfo = LONDON) -> date | None:
    return one(f"Action: <@U1> {body}", now=now, tz=tz).due


# ------------------------------------------------------------------ prefixes
@pytest.mark.parametrize(
    ("prefix", "kind"),
    [
        ("Decision", Kind.DECISION),
        ("Decided", Kind.DECISION),
        ("Action", Kind.ACTION),
        ("Action point", Kind.ACTION),
        ("Concern", Kind.CONCERN),
        ("Worry", Kind.CONCERN),
        ("Learning", Kind.LEARNING),
        ("Learnt", Kind.LEARNING),
        ("Learned", Kind.LEARNING),
        ("Disagree", Kind.DISAGREE),
        ("Disagreement", Kind.DISAGREE),
        ("Difference of view", Kind.DISAGREE),
        ("Shared", Kind.SHARED),
        ("Sharing", Kind.SHARED),
        ("Information sharing", Kind.SHARED),
        ("Told", Kind.TOLD),
        ("We told", Kind.TOLD),
        ("Urgent", Kind.URGENT),
        ("Urgent concern", Kind.URGENT),
    ],
)
def test_each_prefix_and_synonym_marks_its_kind(prefix, kind):
    item = one(f"{prefix}: contact stays at twice a week")
    assert item.kind is kind
    assert item.text == "contact stays at twice a week"


def test_every_kind_has_a_title():
    assert {kind: TITLES[kind] for kind in Kind} == {
        Kind.DECISION: "Decision",
        Kind.ACTION: "Action",
        Kind.CONCERN: "Concern",
        Kind.LEARNING: "Learning",
        Kind.DISAGREE: "Difference of view",
        Kind.SHARED: "Information sharing",
        Kind.TOLD: "Told the child or family",
        Kind.URGENT: "Urgent concern",
    }
    assert Kind.DECISION.title() == "Decision"  # still a str: `label` does not hide str.title


@pytest.mark.parametrize(
    "line",
    [
        "decision: keep the plan",
        "DECISION: keep the plan",
        "Decision:keep the plan",
        "Decision : keep the plan",
        "*Decision:* keep the plan",
        "*Decision*: keep the plan",
        "_Decision_: keep the plan",
        "*Decision: keep the plan*",
        "- Decision: keep the plan",
        "• Decision: keep the plan",
        "* Decision: keep the plan",
        "1. Decision: keep the plan",
        "   Decision:   keep the plan   ",
    ],
)
def test_slack_formatting_and_bullets_are_tolerated(line):
    item = one(line)
    assert (item.kind, item.text) == (Kind.DECISION, "keep the plan")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "We talked about school and contact.",
        "We made a decision: keep the plan",  # the prefix must start the line
        "Decisionmaking: who decides",
        "Decisions are hard",
        "&gt; Decision: quoted from someone else",
        "Decision:",  # nothing to record
        "Action:   \n\nthe next paragraph",
    ],
)
def test_text_without_a_prefixed_item_gives_nothing(text):
    assert parse_message(text, now=NOW, tz=LONDON) == []


def test_a_message_with_two_items_and_continuation_lines():
    text = (
        "Thanks all, good discussion.\n"
        "Decision: contact stays at twice a week\n"
        "  reviewed after the school holidays\n"
        "Concern: mum has missed two appointments\n"
        "and did not answer the phone\n"
        "\n"
        "This line is after a blank line, so it belongs to nothing."
    )
    assert parse_message(text, now=NOW, tz=LONDON) == [
        Captured(Kind.DECISION, "contact stays at twice a week\nreviewed after the school holidays"),
        Captured(Kind.CONCERN, "mum has missed two appointments\nand did not answer the phone"),
    ]


def test_an_item_can_start_on_the_line_after_its_prefix():
    assert one("*Learning:*\nask the child first").text == "ask the child first"


def test_continuation_lines_count_towards_an_actions_due_date():
    item = one("Action: <@U1> to ring the school\nabout the transport by Friday")
    assert item.text == "<@U1> to ring the school\nabout the transport by Friday"
    assert item.due == date(2026, 11, 27)


def test_non_actions_carry_no_owners_or_dates():
    item = one("Decision: <@U1> leads the review by Friday")
    assert (item.owner_ids, item.due, item.missing, item.date_problem) == ((), None, (), None)


# ------------------------------------------------------------------- owners
@pytest.mark.parametrize(
    ("body", "owners"),
    [
        ("<@U1> to ring the school by Friday", ("U1",)),
        ("<@U1|sam> to ring the school by Friday", ("U1",)),
        ("<@U1> and <@U2> to visit by Friday", ("U1", "U2")),
        ("<@U1>, <@W2> &amp; <@U3> to meet by Friday", ("U1", "W2", "U3")),
        ("<@U1>: ask <@U2> for the report by Friday", ("U1",)),  # the people at the start own it
        ("ring the school, <@U2> by Friday", ("U2",)),  # none at the start: anyone mentioned
        ("ring <@U2> then <@U3> by Friday", ("U2", "U3")),
        ("<@U1> <@U1> to visit by Friday", ("U1",)),
    ],
)
def test_owners_are_the_people_mentioned(body, owners):
    item = one(f"Action: {body}")
    assert item.owner_ids == owners
    assert item.text == body  # the mentions stay in the text
    assert item.missing == ()


def test_an_action_without_an_owner_or_date_says_what_is_missing():
    item = one("Action: ring the school")
    assert (item.owner_ids, item.due, item.date_problem) == ((), None, None)
    assert item.missing == (OWNER, DUE_DATE)


def test_an_action_without_a_date():
    item = one("Action: <@U1> to ring the school")
    assert item.missing == (DUE_DATE,)
    assert item.date_problem is None


def test_an_action_without_an_owner():
    item = one("Action: ring the school by Friday")
    assert item.missing == (OWNER,)
    assert item.due == date(2026, 11, 27)


# ------------------------------------------------------------------- dates
@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("by Friday", date(2026, 11, 27)),
        ("by friday.", date(2026, 11, 27)),
        ("by fri", date(2026, 11, 27)),
        ("by Thurs", date(2026, 11, 26)),
        ("by Wednesday", TODAY),  # today counts
        ("by Tuesday", date(2026, 12, 1)),
        ("by this Friday", date(2026, 11, 27)),
        ("by 12 March", date(2027, 3, 12)),  # passed this year, so next year
        ("by March 12", date(2027, 3, 12)),
        ("by 12th March", date(2027, 3, 12)),
        ("by the 5th of March", date(2027, 3, 5)),
        ("by 12/3", date(2027, 3, 12)),  # day first, as in NZ and the UK
        ("by 3/12", date(2026, 12, 3)),
        ("by 2027-01-05", date(2027, 1, 5)),
        ("by Friday 4 December", date(2026, 12, 4)),
        ("by 4 Dec 2027", date(2027, 12, 4)),
        ("by tomorrow", date(2026, 11, 26)),
        ("by today", TODAY),
        ("by next Friday", date(2026, 12, 4)),  # the Friday of next week, not this one
        ("by Friday next week", date(2026, 12, 4)),
        ("by next Monday", date(2026, 11, 30)),
        ("by next Wednesday", date(2026, 12, 2)),  # a week today
        ("by end of week", date(2026, 11, 27)),
        ("by the end of the week", date(2026, 11, 27)),
        ("by end of this week", date(2026, 11, 27)),
        ("by the weekend", date(2026, 11, 27)),
        ("by the end of next week", date(2026, 12, 4)),
        ("by end of month", date(2026, 11, 30)),
        ("by the end of the month", date(2026, 11, 30)),
        ("by end of next month", date(2026, 12, 31)),
        ("by end of February", date(2027, 2, 28)),
        ("by the 12th", date(2026, 12, 12)),  # the next 12th
        ("by the 25th", TODAY),
        ("by the 31st", date(2026, 12, 31)),
        ("by 5pm", TODAY),
        ("by end of day", TODAY),
        ("by Friday 5pm", date(2026, 11, 27)),
        ("before Friday", date(2026, 11, 27)),
        ("due 12/3", date(2027, 3, 12)),
        ("on Monday", date(2026, 11, 30)),
        ("by phone on Monday", date(2026, 11, 30)),
        ("(by Friday)", date(2026, 11, 27)),
        ("by *Friday*!", date(2026, 11, 27)),
        ("by Friday <@U2>", date(2026, 11, 27)),
        ("by 1 December and chase the report by Friday", date(2026, 11, 27)),  # the last phrase
    ],
)
def test_natural_due_dates(phrase, expected):
    item = one(f"Action: <@U1> to ring the school {phrase}")
    assert item.due == expected
    assert item.missing == ()
    assert item.date_problem is None


@pytest.mark.parametrize(
    ("weekday", "next_friday", "end_of_week"),
    [
        (date(2026, 11, 23), date(2026, 12, 4), date(2026, 11, 27)),  # Monday
        (date(2026, 11, 25), date(2026, 12, 4), date(2026, 11, 27)),  # Wednesday
        (date(2026, 11, 27), date(2026, 12, 4), date(2026, 11, 27)),  # Friday: end of week is today
        (date(2026, 11, 28), date(2026, 12, 4), date(2026, 12, 4)),  # Saturday: this week's Friday has gone
        (date(2026, 11, 29), date(2026, 12, 4), date(2026, 12, 4)),  # Sunday
    ],
)
def test_next_friday_is_in_next_week_and_end_of_week_is_the_coming_friday(weekday, next_friday, end_of_week):
    assert read_due("next Friday", today=weekday) == next_friday
    assert read_due("end of week", today=weekday) == end_of_week


def test_next_monday_on_a_sunday_is_tomorrow():
    assert read_due("next Monday", today=date(2026, 11, 29)) == date(2026, 11, 30)
    assert read_due("next Monday", today=date(2026, 11, 30)) == date(2026, 12, 7)


@pytest.mark.parametrize(
    "phrase",
    [
        "by the 45th",
        "by next blursday week",
        "by 32 Dec",
        "by March",  # which day?
        "by 12",  # noon, or the 12th?
        "by Thursday 4 December",  # 4 December 2026 is a Friday
        "by next week",
    ],
)
def test_a_date_that_cannot_be_read_is_missing_with_a_message(phrase):
    item = one(f"Action: <@U1> to ring the school {phrase}")
    assert item.due is None
    assert item.missing == (DUE_DATE,)
    assert item.date_problem and "by Friday" in item.date_problem
    assert "school" not in item.date_problem


@pytest.mark.parametrize(
    "body",
    [
        "<@U1> to speak to dad by phone",
        "<@U1> to write to the school on behalf of mum",
        "<@U1> to ring by Friday to discuss the plan and the transport to school",  # not the final phrase
        "<@U1> to read up on attachment",
    ],
)
def test_a_final_phrase_that_is_not_a_date_is_not_a_due_date(body):
    item = one(f"Action: {body}")
    assert (item.due, item.missing, item.date_problem) == (None, (DUE_DATE,), None)


def test_the_day_is_the_authors_local_day():
    now = datetime(2026, 11, 26, 12, 30, tzinfo=UTC)  # Thursday in London, 01:30 Friday in Auckland
    assert due("by tomorrow", now=now, tz=LONDON) == date(2026, 11, 27)
    assert due("by tomorrow", now=now, tz=AUCKLAND) == date(2026, 11, 28)
    assert due("by Thursday", now=now, tz=LONDON) == date(2026, 11, 26)
    assert due("by Thursday", now=now, tz=AUCKLAND) == date(2026, 12, 3)
    assert due("by today", now=now, tz=AUCKLAND) == date(2026, 11, 27)


def test_a_naive_now_is_refused():
    with pytest.raises(ValueError, match="aware"):
        parse_message("Action: <@U1> by Friday", now=datetime(2026, 11, 25, 10), tz=LONDON)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("by 5 January", date(2027, 1, 5)),
        ("by 5/1", date(2027, 1, 5)),
        ("by the 3rd", date(2027, 1, 3)),
        ("by end of next month", date(2027, 1, 31)),
        ("by next Friday", date(2027, 1, 1)),
        ("by 24 December", date(2026, 12, 24)),
    ],
)
def test_dates_roll_over_the_year(phrase, expected):
    assert due(phrase, now=datetime(2026, 12, 23, 9, tzinfo=UTC)) == expected


DAY_NAMES = [*WEEKDAYS, *(w[:3] for w in WEEKDAYS), *(w.capitalize() for w in WEEKDAYS)]
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@given(
    day=st.sampled_from(DAY_NAMES),
    qualifier=st.sampled_from(["", "this ", "next "]),
    now=MOMENTS,
    zone=st.sampled_from(ZONES),
)
def test_a_weekday_is_that_weekday_within_the_next_fortnight(day, qualifier, now, zone):
    tz = ZoneInfo(zone)
    today = now.astimezone(tz).date()
    got = due(f"to ring the school by {qualifier}{day}", now=now, tz=tz)
    assert got is not None
    assert got.weekday() == [w[:3] for w in WEEKDAYS].index(day[:3].lower())
    assert today <= got < today + timedelta(days=14)
    if qualifier == "next ":
        assert got > today
        assert got.isocalendar()[:2] == (today + timedelta(weeks=1)).isocalendar()[:2]
    else:
        assert got < today + timedelta(days=7)


@given(text=st.text(max_size=300), now=MOMENTS, zone=st.sampled_from(ZONES))
def test_any_text_is_read_without_error_and_no_date_is_in_the_past(text, now, zone):
    tz = ZoneInfo(zone)
    for item in parse_message(text, now=now, tz=tz):
        assert item.due is None or item.due >= now.astimezone(tz).date()


def test_read_due_raises_day_problem_for_nonsense():
    with pytest.raises(DayProblem):
        read_due("blursday", today=TODAY)


def test_parse_action_directly():
    assert parse_action("<@U1> to visit by Friday", today=TODAY) == Captured(
        Kind.ACTION, "<@U1> to visit by Friday", ("U1",), date(2026, 11, 27)
    )


# ---------------------------------------------------------------- reactions
@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("white_check_mark", Kind.DECISION),
        ("pushpin", Kind.ACTION),
        ("warning", Kind.CONCERN),
        ("seedling", Kind.LEARNING),
        ("thinking_face", Kind.DISAGREE),
        ("handshake", Kind.SHARED),
        ("handshake::skin-tone-2", Kind.SHARED),
        (":white_check_mark:", Kind.DECISION),
        ("heart", None),
        ("", None),
    ],
)
def test_default_reactions(name, kind):
    assert kind_for_reaction(name, DEFAULT_REACTIONS) is kind


def test_a_custom_reaction_mapping():
    mapping = {":eyes:": "Concern", "thumbsup::skin-tone-3": "decision", "fire": "not-a-kind"}
    assert kind_for_reaction("eyes", mapping) is Kind.CONCERN
    assert kind_for_reaction("thumbsup::skin-tone-5", mapping) is Kind.DECISION
    assert kind_for_reaction("fire", mapping) is None
    assert kind_for_reaction("pushpin", mapping) is None  # the defaults are not mixed in


def test_a_reacted_message_is_captured_whole():
    item = capture_as(Kind.ACTION, "<@U1> to ring the school by Friday", now=NOW, tz=LONDON)
    assert (item.owner_ids, item.due) == (("U1",), date(2026, 11, 27))
    item = capture_as(Kind.CONCERN, "Concern: missed appointments\nagain", now=NOW, tz=LONDON)
    assert item == Captured(Kind.CONCERN, "missed appointments\nagain")
    item = capture_as(Kind.CONCERN, "Decision: keep the plan", now=NOW, tz=LONDON)
    assert item.text == "Decision: keep the plan"  # another kind's prefix stays as written


# --------------------------------------------------------------- follow-ups
SECRET = "Zebedee's placement"


def test_no_question_for_complete_actions_or_other_kinds():
    assert describe_missing(one(f"Action: <@U1> to review {SECRET} by Friday")) is None
    assert describe_missing(one(f"Concern: {SECRET}")) is None


@pytest.mark.parametrize(
    ("body", "asks"),
    [
        (f"review {SECRET}", ["Who will take it on, and by when?"]),
        (f"review {SECRET} by Friday", ["Who will take it on?"]),
        (f"<@U1> and <@U2> to review {SECRET}", ["<@U1> and <@U2>", "By when"]),
        (f"<@U1> to review {SECRET} by the 45th", ["<@U1>", "couldn't read the date", "by Friday"]),
        (f"review {SECRET} by the 45th", ["Who will take it on?", "couldn't read the date"]),
    ],
)
def test_a_friendly_question_that_never_repeats_the_action(body, asks):
    question = describe_missing(one(f"Action: {body}"))
    assert question is not None
    for phrase in asks:
        assert phrase in question
    assert "Zebedee" not in question
    assert "placement" not in question
    assert "`Action: @name … by Friday`" in question
