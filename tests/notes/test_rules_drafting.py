import random
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.content import Content
from bot.notes import rules_drafting as drafting
from bot.notes import rules_drafting_texts
from bot.notes.rules_drafting import (
    MAX_FIELD,
    MAX_SECTIONS,
    SECTIONS,
    DiscussionFacts,
    Item,
    QuestionAsked,
    Reply,
    Scale,
    draft,
    full_capture,
    slack_length,
)

AUCKLAND = ZoneInfo("Pacific/Auckland")
LONDON = ZoneInfo("Europe/London")
STARTED = datetime(
    2026, 12, 15, 21, 0, tzinfo=UTC
)  # Wed 16 Dec 10:00 in Auckland, Tue 15 Dec 21:00 in London
ENDED = datetime(2026, 12, 15, 22, 5, tzinfo=UTC)
NEXT = datetime(2026, 12, 29, 21, 0, tzinfo=UTC)  # Wed 30 Dec 10:00 in Auckland
NAMES = {"U1SAM": "Sam Taylor", "U2ALEX": "Alex Ngata", "U3MGR": "Mere"}
KEYS = [
    "purpose",
    "happened",
    "analysis",
    "childs_voice",
    "told",
    "risk",
    "culture",
    "differences",
    "decisions",
    "actions",
    "sharing",
    "learning",
    "next",
]


def draft_renderer():
    """How a flow renders drafts: bot.content's plain environment over prompts/templates (no Slack
    escaping: the text goes in a plain-text box), with the `words` filter for the banks' vocabulary."""
    content = Content()
    return lambda name, context: content.render_plain(name, **context)


RENDER = draft_renderer()


def facts(**changes) -> DiscussionFacts:
    base = dict(
        reference="CASE-2026-014",
        framework_name="Critical friend",
        focus="Is contact with dad still safe for Aroha?",
        started_at=STARTED,
        ended_at=ENDED,
        participant_ids=("U1SAM", "U2ALEX"),
        recorder_id="U1SAM",
        questions=(
            QuestionAsked(
                "Clarifying",
                "What did we each see at the last visit?",
                (
                    Reply("U1SAM", "The kitchen was clean and there was food in the fridge."),
                    Reply("U2ALEX", "Mum said dad had not been round since Sunday &amp; <@U1SAM> agreed."),
                ),
            ),
            QuestionAsked(
                "The child's voice",
                "What would Aroha say about her week?",
                (Reply("U2ALEX", "She told her teacher she likes staying at Nana's."),),
                lens="childs_voice",
            ),
        ),
        items=(
            Item("decision", "Contact stays at twice a week, supervised", "U1SAM"),
            Item(
                "action", "<@U2ALEX> to ring the school by Friday", "U1SAM", ("U2ALEX",), date(2026, 12, 18)
            ),
            Item("action", "Look into a referral to the parenting course", "U2ALEX"),
            Item("concern", "Missed health appointments", "U2ALEX"),
            Item("learning", "Ask the child first, then the adults", "U2ALEX"),
            Item("disagree", "Alex thinks unsupervised contact could start in January", "U2ALEX"),
            Item("shared", "Tell the school about the contact plan", "U1SAM"),
        ),
        next_discussion=NEXT,
        roles={"U1SAM": "lead worker", "U2ALEX": "co-worker"},
    )
    return DiscussionFacts(**(base | changes))


def sections(d: drafting.Draft) -> dict[str, str]:
    return {s.key: s.text for s in d.sections}


# ------------------------------------------------------------------ contents
def test_the_sections_follow_a_good_records_order():
    d = draft(facts(), names=NAMES, tz=AUCKLAND, render=RENDER)
    assert [s.key for s in d.sections] == KEYS
    assert len(d.sections) == len(SECTIONS) == MAX_SECTIONS
    assert d.sections[3].title == "The child's voice and lived experience"
    assert not d.condensed


def test_the_header_has_case_times_people_and_framework():
    header = draft(facts(), names=NAMES, tz=AUCKLAND, render=RENDER).header.text
    assert header.splitlines() == [
        "Case CASE-2026-014",
        "When: Wed 16 Dec 2026, 10:00 to 11:05 NZDT, in Slack",
        "Participants: @Sam Taylor, lead worker; @Alex Ngata, co-worker",
        "Recorder: @Sam Taylor",
        "Framework: Critical friend",
    ]


def test_each_section_gets_what_was_captured_for_it():
    s = sections(draft(facts(), names=NAMES, tz=AUCKLAND, render=RENDER))
    assert s["purpose"].splitlines() == [
        "Is contact with dad still safe for Aroha?",
        "",
        "Questions asked:",
        "• Clarifying: What did we each see at the last visit?",
        "• The child's voice: What would Aroha say about her week?",
    ]
    # replies to a question with no lens are pre-sorted for the recorder to confirm
    assert "Clarifying" not in s["happened"]
    assert "• @Sam Taylor: The kitchen was clean and there was food in the fridge." in s["happened"]
    assert (
        "Reported, and who told us:\n"
        "• @Alex Ngata (source: mum): Mum said dad had not been round since Sunday & @Sam Taylor agreed."
    ) in s["happened"]
    # a child's-voice question goes to the child's voice, not to what happened
    assert "• @Alex Ngata: She told her teacher she likes staying at Nana's." in s["childs_voice"]
    assert "Nana's" not in s["happened"]
    assert (
        s["decisions"] == "• Contact stays at twice a week, supervised (noted by @Sam Taylor; decided by: …)"
    )
    assert s["actions"].splitlines() == [
        "• @Alex Ngata to ring the school by Friday",
        "  Owner: @Alex Ngata · Due: Fri 18 Dec 2026 · Done looks like: …",
        "• Look into a referral to the parenting course",
        "  Owner: (to agree) · Due: (to agree) · Done looks like: …",
    ]
    assert s["risk"] == "• Concern: Missed health appointments (raised by @Alex Ngata)"
    assert s["learning"] == "• Ask the child first, then the adults (noted by @Alex Ngata)"
    assert s["differences"].splitlines() == [
        "• Alex thinks unsupervised contact could start in January (raised by @Alex Ngata)",
        "  Resolved or escalated: …",
    ]
    # each sharing decision is a row of its own fields in the form, not a line of the text box
    assert "Tell the school" not in s["sharing"] and "fields below" in s["sharing"]
    assert s["next"] == "Wed 30 Dec 2026, 10:00 NZDT"
    assert s["analysis"].startswith("(nothing recorded yet")


def test_decisions_name_who_made_them_when_known():
    made = Item("decision", "Stay with Nana over Christmas", "U1SAM", owner_ids=("U3MGR", "U1SAM"))
    s = sections(draft(facts(items=(made,)), names=NAMES, tz=AUCKLAND, render=RENDER))
    assert (
        s["decisions"]
        == "• Stay with Nana over Christmas (noted by @Sam Taylor; decided by: @Mere and @Sam Taylor)"
    )


def test_empty_sections_get_a_prompt_to_fill_never_nothing():
    empty = facts(
        focus=None, questions=(), items=(), next_discussion=None, recorder_id=None, participant_ids=()
    )
    d = draft(empty, names=NAMES, tz=AUCKLAND, render=RENDER)
    for s in d.sections:
        assert s.text.startswith("(") and s.text.endswith(")") and len(s.text) > 20, s
    text = sections(d)
    assert "what did the child say or show?" in text["childs_voice"]
    assert "what was decided, and by whom?" in text["decisions"]
    assert "when will you next meet?" in text["next"]
    assert "Recorder: (not agreed yet)" in d.header.text
    assert "Participants: (none recorded)" in d.header.text


def test_unknown_people_fall_back_to_their_id():
    s = sections(draft(facts(), names={}, tz=AUCKLAND, render=RENDER))
    assert "• @U1SAM: The kitchen was clean" in s["happened"]
    assert "@U2ALEX to ring the school" in s["actions"]


def test_slack_markup_is_shown_as_typed_not_escaped():
    q = QuestionAsked(
        "Clarifying",
        "Who said what?",
        (
            Reply("U1SAM", "Mum &amp; dad said &lt;not again&gt;, see <https://example.org/plan|the plan>"),
            Reply("U2ALEX", "<!here> ask <@U3MGR|mere> in <#C123|case-014>"),
        ),
    )
    text = sections(draft(facts(questions=(q,)), names=NAMES, tz=AUCKLAND, render=RENDER))["happened"]
    assert "Mum & dad said <not again>, see the plan (https://example.org/plan)" in text
    assert "@here ask @Mere in #case-014" in text
    assert "&amp;" not in text and "&lt;" not in text


# -------------------------------------------------------------------- scales
def scaled(*replies: Reply, given: tuple[Scale, ...] = ()) -> str:
    q = QuestionAsked("Scaling 0 to 10", "What is your number?", replies, lens="risk")
    return sections(
        draft(facts(questions=(q,), items=(), scales=given), names=NAMES, tz=AUCKLAND, render=RENDER)
    )["risk"]


def test_each_workers_scale_is_read_from_replies_latest_counting():
    risk = scaled(
        Reply("U2ALEX", "I'm at 4/10, worried about nights"),
        Reply("U1SAM", "Scale 6: school attendance is up"),
        Reply("U2ALEX", "Hearing that, I'd move to a 5 / 10"),
    )
    assert (
        "Scales (0 = harm is certain, 10 = safe enough to step back): @Sam Taylor 6/10, @Alex Ngata 5/10"
        in risk
    )
    assert "Scaling 0 to 10: What is your number?" in risk  # the question and replies are here too


def test_scales_given_win_and_look_alikes_are_not_scales():
    assert "Scales" not in scaled(
        Reply("U1SAM", "On a scale of 0 to 10 I'm not sure"), Reply("U2ALEX", "seen 6/10/2026")
    )
    risk = scaled(Reply("U1SAM", "7/10"), given=(Scale("U1SAM", 3),))
    assert "@Sam Taylor 3/10" in risk and "7/10" in risk.split("\n", 1)[1]
    with pytest.raises(ValueError):
        Scale("U1SAM", 11)


def test_an_unknown_item_kind_is_refused():
    with pytest.raises(ValueError):
        Item("idea", "text", "U1SAM")


# ---------------------------------------------------------------- dates, zones
def test_dates_are_shown_in_the_recorders_zone():
    london = draft(facts(), names=NAMES, tz=LONDON, render=RENDER)
    assert "When: Tue 15 Dec 2026, 21:00 to 22:05 GMT, in Slack" in london.header.text
    assert sections(london)["next"] == "Tue 29 Dec 2026, 21:00 GMT"
    assert "Due: Fri 18 Dec 2026" in sections(london)["actions"]  # a due date is a day, not a moment
    overnight = facts(ended_at=datetime(2026, 12, 16, 20, 30, tzinfo=UTC))
    header = draft(overnight, names=NAMES, tz=AUCKLAND, render=RENDER).header.text
    assert "When: Wed 16 Dec 2026, 10:00 to Thu 17 Dec 2026, 09:30 NZDT, in Slack" in header
    still_open = draft(facts(ended_at=None), names=NAMES, tz=AUCKLAND, render=RENDER).header.text
    assert "When: Wed 16 Dec 2026, 10:00 NZDT, not wrapped up yet, in Slack" in still_open


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        draft(facts(started_at=datetime(2026, 12, 16, 10, 0)), names=NAMES, tz=AUCKLAND, render=RENDER)


# ------------------------------------------------------------- long discussions
VOCABULARY = (
    "mum dad nana school teacher visit contact plan safe worried tired home room food sleep bruise calm "
    "angry late kind whānau GP nurse bus homework bedtime weekend appointment"
)
WORDS = VOCABULARY.split()


def long_discussion(
    seed: int = 7, questions: int = 20, replies: int = 50, items: int = 40
) -> DiscussionFacts:
    """`questions` × `replies` replies of 20-60 words in two or three sentences, some with mentions."""
    rng = random.Random(seed)
    lenses = (None, None, "childs_voice", "risk", None, "culture", "assumptions", None, "learning", None)

    def sentence(n: int) -> str:
        words = [rng.choice(WORDS) for _ in range(n)]
        if rng.random() < 0.3:
            words[rng.randrange(n)] = "<@U2ALEX>"
        return " ".join(words).capitalize().replace("<@u2alex>", "<@U2ALEX>") + "."

    def reply(i: int) -> Reply:
        n = rng.randint(20, 60)
        first = rng.randint(8, n - 8)
        return Reply(("U1SAM", "U2ALEX")[i % 2], f"{sentence(first)} {sentence(n - first)}")

    kinds = ("decision", "action", "concern", "learning", "disagree", "shared")
    return facts(
        questions=tuple(
            QuestionAsked(
                f"Stage {q + 1}",
                f"Question {q + 1}: what do we know about the child's week, and how do we know it?",
                tuple(reply(i) for i in range(replies)),
                lens=lenses[q % len(lenses)],
            )
            for q in range(questions)
        ),
        items=tuple(
            Item(
                kinds[i % 6],
                f"Item {i + 1}: " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 30))),
                ("U1SAM", "U2ALEX")[i % 2],
                ("U2ALEX",) if kinds[i % 6] == "action" else (),
                date(2026, 12, 18) if kinds[i % 6] == "action" else None,
            )
            for i in range(items)
        ),
    )


def reply_lines(text: str) -> int:
    return len(re.findall(r"^• @", text, re.MULTILINE))


def counted_replies(text: str) -> int:
    """Replies a section accounts for: shown, or counted in a "(+ N …)" line."""
    hidden = sum(int(n) for n in re.findall(r"\(\+ (\d+) earlier repl", text))
    hidden += sum(int(n) for n in re.findall(r"^\s*\((\d+) repl(?:y|ies) in the full capture\)", text, re.M))
    hidden += sum(int(n) for n in re.findall(r"more questions?, with (\d+) repl", text))
    return reply_lines(text) + hidden


def test_a_thousand_replies_fit_slack_condensed_and_nothing_is_dropped_silently():
    big = long_discussion()
    d = draft(big, names=NAMES, tz=AUCKLAND, render=RENDER)
    assert len(d.sections) == MAX_SECTIONS
    for s in (d.header, *d.sections):
        assert slack_length(s.text) <= MAX_FIELD, (s.key, slack_length(s.text))
    happened = d.section("happened")
    assert happened.condensed and happened.full_length > MAX_FIELD > len(happened.text)
    assert re.search(r"\(\+ \d+ earlier replies in the full capture\)", happened.text)
    question_sections = [
        s for s in d.sections if s.key in ("happened", "analysis", "childs_voice", "risk", "culture")
    ]
    assert all(s.condensed for s in question_sections)
    # every reply is shown or counted, in the section its question went to
    routed = {"happened": 0, "analysis": 0, "childs_voice": 0, "risk": 0, "culture": 0, "learning": 0}
    for q in big.questions:
        routed[drafting.SECTION_FOR_LENS.get(q.lens or "", "happened")] += len(q.replies)
    assert sum(routed.values()) == 1000
    for key, total in routed.items():
        assert counted_replies(d.section(key).text) == total, key
    # condensed replies are first sentences, at most ~160 characters each
    for line in happened.text.splitlines():
        if line.startswith("• @"):
            assert len(line.split(": ", 1)[1]) <= drafting.REPLY_CHARS + 30, line


def test_items_that_do_not_fit_are_counted_never_dropped():
    many = long_discussion(questions=0, items=0)
    decisions = tuple(
        Item("decision", f"Decision {i + 1}: " + "the plan stays as agreed with the family " * 3, "U1SAM")
        for i in range(200)
    )
    d = draft(
        DiscussionFacts(**(many.__dict__ | {"items": decisions})), names=NAMES, tz=AUCKLAND, render=RENDER
    )
    text = d.section("decisions").text
    assert d.section("decisions").condensed and slack_length(text) <= MAX_FIELD
    shown = len(re.findall(r"^• Decision \d+:", text, re.MULTILINE))
    (more,) = re.findall(r"^\(\+ (\d+) more decisions in the full capture\)$", text, re.MULTILINE)
    assert shown > 5 and shown + int(more) == 200
    assert "Decision 1:" in text  # the first ones are kept


def test_concerns_are_kept_before_replies_in_risk():
    big = long_discussion()
    risk = draft(big, names=NAMES, tz=AUCKLAND, render=RENDER).section("risk").text
    concerns = [i for i in big.items if i.kind == "concern"]
    assert len(re.findall(r"^• Concern: ", risk, re.MULTILINE)) == len(concerns)


def test_a_huge_text_is_cut_at_a_line_and_says_so():
    d = draft(facts(focus="Why " + "is this so? " * 2000), names=NAMES, tz=AUCKLAND, render=RENDER)
    purpose = d.section("purpose")
    assert purpose.condensed and purpose.full_length > 20_000
    assert slack_length(purpose.text) <= MAX_FIELD
    assert purpose.text.endswith("(… the rest is in the full capture)")


def test_emoji_count_double_as_slack_counts_them():
    q = QuestionAsked(
        "Clarifying", "How was it?", tuple(Reply("U1SAM", "👍" * 100 + " good") for _ in range(40))
    )
    d = draft(facts(questions=(q,)), names=NAMES, tz=AUCKLAND, render=RENDER)
    text = d.section("happened").text
    assert slack_length(text) <= MAX_FIELD < 2 * len(text) and d.section("happened").condensed
    assert slack_length("👍") == 2


# -------------------------------------------------------------------- mentions
def test_a_mention_is_never_cut_in_half():
    replies = tuple(
        # a user's own label can hold spaces; names win over labels, so it shows as "@Mere"
        Reply(
            "U1SAM",
            " ".join(["word"] * (20 + i)) + " <@U3MGR|mere te ao> and <@U2ALEX> " + "more words " * 30,
        )
        for i in range(20)
    )
    q = QuestionAsked("Clarifying", "Who does what?", replies)
    item = Item("decision", "x " * 148 + "<@U2ALEX> decides " + "and more " * 40, "U1SAM")
    d = draft(facts(questions=(q,), items=(item,) * 12), names=NAMES, tz=AUCKLAND, render=RENDER)
    happened, decisions = d.section("happened"), d.section("decisions")
    assert happened.condensed and decisions.condensed
    for text in (happened.text, decisions.text):
        assert "<" not in text and "|" not in text and "@U2" not in text and "@U3" not in text
        assert "te ao" not in text and not re.search(r"@Alex(?! Ngata)", text)
    assert "@Alex Ngata" in happened.text  # shown whole where it fits
    assert re.search(r"word …$|word…$", happened.text, re.MULTILINE)  # and left out whole where it does not


@given(
    st.lists(
        st.one_of(
            st.sampled_from(["<@U2ALEX>", "<@U3MGR|mere>", "<https://x.org/a b|a link>", "&amp;"]),
            st.text("ab "),
        ),
        max_size=40,
    ),
    st.integers(min_value=10, max_value=200),
)
def test_clipping_never_ends_inside_a_slack_token(parts, limit):
    raw = "".join(parts)
    clipped = rules_drafting_texts.clip(raw, limit)
    kept = clipped.removesuffix("…")
    assert " ".join(raw.split()).startswith(kept)
    assert clipped == kept or len(kept) <= limit or kept.endswith(">")  # only a whole long link overruns
    assert kept.count("<") == kept.count(">")
    assert not re.search(r"&[a-z]*$", kept)


# ------------------------------------------------------------ determinism, export
def test_drafting_is_deterministic():
    big = long_discussion()
    first = draft(big, names=NAMES, tz=AUCKLAND, render=RENDER)
    again = draft(long_discussion(), names=dict(reversed(NAMES.items())), tz=AUCKLAND, render=RENDER)
    assert first == again
    assert full_capture(big, names=NAMES, tz=AUCKLAND, render=RENDER) == full_capture(
        big, names=NAMES, tz=AUCKLAND, render=RENDER
    )


def test_the_full_capture_has_every_reply_and_item_uncondensed():
    big = long_discussion()
    full = full_capture(big, names=NAMES, tz=AUCKLAND, render=RENDER)
    for q in big.questions:
        assert q.text in full
        for r in q.replies:
            assert r.text.replace("<@U2ALEX>", "@Alex Ngata") in full
    for i in big.items:
        assert i.text in full
    assert reply_lines(full) == 1000
    assert "full capture)" not in full  # nothing left out of it
    assert full.startswith("Discussion with colleague\nCase CASE-2026-014\n")


def test_the_full_capture_leaves_out_empty_sections():
    full = full_capture(facts(items=()), names=NAMES, tz=AUCKLAND, render=RENDER)
    assert "\nWhat happened\n" in full and "\nThe child's voice and lived experience\n" in full
    assert "\nDecisions\n" not in full and "nothing recorded yet" not in full
