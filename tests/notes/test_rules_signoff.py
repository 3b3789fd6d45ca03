"""What must be true of a note before it is signed off (issue 22 item 4), and the Shared: fields."""

from bot.notes import rules_signoff as signoff
from bot.notes.rules_actions import bare_action
from bot.notes.rules_sharing import as_line, consent_of, missing, parse_shared

CHILD = "She told her teacher she likes staying at Nana's."


def test_the_drafts_placeholders_are_found_wherever_they_are_left():
    assert signoff.placeholders("• Stay with Nana (noted by @Sam; decided by: …)") == ["decided by: …"]
    assert signoff.placeholders("• Dad thinks so (raised by @Alex)\n  Resolved or escalated: …") == [
        "Resolved or escalated: …"
    ]
    assert signoff.placeholders("• @Alex (source: …): the GP rang") == ["source: …"]
    assert signoff.placeholders("Decided by: ...") == ["Decided by: …"]
    assert signoff.placeholders("To sort (observed, reported or a view?):\n• @Sam: the house was tidy") == [
        "To sort (observed, reported or a view?):"
    ]


def test_filled_in_text_and_ordinary_ellipses_are_not_placeholders():
    assert signoff.placeholders("Decided by: @Mere and @Sam") == []
    assert signoff.placeholders("Mum said… and then stopped. We waited…") == []
    assert signoff.placeholders("Resolved or escalated: agreed to ask the manager … on Friday") == []


def test_sign_off_is_refused_next_to_each_field_with_a_placeholder():
    found = signoff.problems({"decisions": "• Stay (noted by @Sam; decided by: …)", "childs_voice": CHILD})
    assert list(found) == ["decisions"]
    assert found["decisions"].startswith('Fill in or take out "decided by: …" before signing off')


def test_the_childs_voice_is_required_but_not_seeing_the_child_can_be_said():
    found = signoff.problems({"happened": "We met.", "childs_voice": ""})
    assert found == {"childs_voice": signoff.CHILDS_VOICE_MISSING}
    assert "Not seen since" in signoff.CHILDS_VOICE_MISSING
    assert signoff.problems({"childs_voice": "Not seen since 2 Dec; to be seen alone by 16 Dec."}) == {}
    assert "childs_voice" in signoff.problems({"happened": "We met."}), "a form without the field"


def test_a_shared_item_is_read_into_its_fields():
    entry = parse_shared(
        "attendance worries with the school, so they can plan support, consent given, decided by @Mere"
    )
    assert entry == {
        "what": "attendance worries",
        "with_whom": "the school",
        "why": "so they can plan support",
        "basis": "consent",
        "consent": "given",
        "decided_by": "@Mere",
    }
    assert missing(entry) == []
    other = parse_shared("the plan with the health visitor under section 47 without consent")
    assert (other["with_whom"], other["basis"], other["consent"]) == (
        "the health visitor",
        "section 47",
        "not_sought",
    )
    assert missing(other) == ["why", "decided_by"]


def test_what_a_shared_item_does_not_say_is_left_to_fill_in():
    entry = parse_shared("Tell the school about the contact plan")
    assert entry["what"] == "Tell the school about the contact plan"
    assert missing(entry) == ["with_whom", "why", "basis", "consent", "decided_by"]
    assert "with (not said)" in as_line(entry)


def test_consent_words():
    assert consent_of("mum agreed") == "given"
    assert consent_of("consent not sought: risk of harm") == "not_sought"
    assert consent_of("dad refused; shared anyway") == "overridden"
    assert consent_of("with the school") == ""


def test_an_actions_owner_and_date_are_not_repeated_in_its_words():
    said = "<@USAM0001> book an interpreter for the joint visit by Friday"
    assert bare_action(said, has_owner=True, has_due=True) == "book an interpreter for the joint visit"
    assert bare_action(said, has_owner=False, has_due=False) == said
    assert (
        bare_action("Ring the school on behalf of mum by Friday", has_owner=False, has_due=True)
        == "Ring the school on behalf of mum"
    )
    assert bare_action("<@U1> by Friday", has_owner=True, has_due=True) == "<@U1> by Friday", "never empty"
