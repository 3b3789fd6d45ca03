"""Draft-note checks: likely identifiers and non-SMART actions (bot/notes/rules_checks.py,
rules_identifiers.py, rules_birth_dates.py, rules_actions.py)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.notes.rules_actions import check_action
from bot.notes.rules_checks import Finding, unconfirmed
from bot.notes.rules_identifiers import find_identifiers, nhi_check_ok, nhs_check_ok, ni_prefix_ok

TODAY = date(2026, 4, 15)
REFERENCE = r"^[A-Z0-9][A-Z0-9/-]{2,23}$"  # bot.config.DEFAULT_REFERENCE_PATTERN


def found(text: str, **kwargs) -> list[tuple[str, str]]:
    """(kind, matched text) for each finding."""
    kwargs.setdefault("reference_pattern", REFERENCE)
    return [(f.kind, text[f.start : f.end]) for f in find_identifiers(text, today=TODAY, **kwargs)]


def compact(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value).upper()


def nhs_check_digit(nine: str) -> int:
    """Independent of the code under test: weights 10..2, 11 - (sum mod 11), 11 -> 0, 10 -> none."""
    check = 11 - sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True)) % 11
    return 0 if check == 11 else check


# ------------------------------------------------------------------ check digits
def test_nhs_check_digit():
    # 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2 = 299; 299 mod 11 = 2; 11 - 2 = 9.
    assert nhs_check_ok("9434765919")
    assert nhs_check_ok("943 476 5919") and nhs_check_ok("943-476-5919")
    assert not nhs_check_ok("9434765918")
    assert not nhs_check_ok("943476591")  # nine digits
    # 000000001x: sum = 2, 11 - 2 = 9 ... and 000000006x: sum = 12, 12 mod 11 = 1, 11 - 1 = 10: never valid.
    assert not any(nhs_check_ok(f"000000006{d}") for d in range(10))


def test_nhi_check_old_format():
    # Z=24 (I and O are skipped). ZZZ0016: 24*7 + 24*6 + 24*5 + 0*4 + 0*3 + 1*2 = 434;
    # 434 mod 11 = 5; 11 - 5 = 6, the last digit. ZZZ0024: 432 + 2*2 = 436; 436 mod 11 = 7; 11 - 7 = 4.
    assert nhi_check_ok("ZZZ0016") and nhi_check_ok("ZZZ0024") and nhi_check_ok("zzz0016")
    assert not nhi_check_ok("ZZZ0017")
    # ZZZ004x: 432 + 4*2 = 440, 440 mod 11 = 0: no check digit makes it valid.
    assert not any(nhi_check_ok(f"ZZZ004{d}") for d in range(10))
    assert not nhi_check_ok("ZZI0016")  # I is never used


def test_nhi_check_new_format():
    # ZZZ00AC: 432 + A(1)*2 = 434; 434 mod 23 = 20; 23 - 20 = 3 = C.
    # ZHW58CV: Z 24*7 + H 8*6 + W 21*5 + 5*4 + 8*3 + C 3*2 = 371; 371 mod 23 = 3; 23 - 3 = 20 = V.
    assert nhi_check_ok("ZZZ00AC") and nhi_check_ok("ZHW58CV") and nhi_check_ok("zhw58cv")
    assert not nhi_check_ok("ZZZ00AA")
    assert not nhi_check_ok("ZZZ00AX")  # right under the withdrawn 2022 mod-24 rule, not HISO 10046:2023


def test_ni_prefixes():
    assert ni_prefix_ok("AB") and ni_prefix_ok("jg")
    assert not any(ni_prefix_ok(p) for p in ("QQ", "DA", "AO", "GB", "BG", "NK", "KN", "NT", "TN", "ZZ"))


# ------------------------------------------------------------------ true positives
@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("NHS no 943 476 5919 on file", "nhs_number", "943 476 5919"),
        ("NHS no 943-476-5919", "nhs_number", "943-476-5919"),
        ("nhs 9434765919.", "nhs_number", "9434765919"),
        ("Mum's mobile is 07700 900123", "phone", "07700 900123"),
        ("Mum's mobile is 07700900123", "phone", "07700900123"),
        ("ring +44 7700 900123", "phone", "+44 7700 900123"),
        ("ring +44 (0)7700 900 123", "phone", "+44 (0)7700 900 123"),
        ("school: 020 7946 0958", "phone", "020 7946 0958"),
        ("school: (0161) 496 0000", "phone", "(0161) 496 0000"),
        ("Dad 021 123 4567", "phone", "021 123 4567"),
        ("Dad 027 123 456", "phone", "027 123 456"),
        ("Nan 09 123 4567", "phone", "09 123 4567"),
        ("Nan +64 9 123 4567", "phone", "+64 9 123 4567"),
        ("Dad +64 21 123 4567", "phone", "+64 21 123 4567"),
        ("email jo.bloggs@example.co.nz today", "email", "jo.bloggs@example.co.nz"),
        ("NI AB 12 34 56 C", "ni_number", "AB 12 34 56 C"),
        ("NI ab123456d", "ni_number", "ab123456d"),
        ("NHI ZZZ0016", "nhi", "ZZZ0016"),
        ("NHI zzz0024", "nhi", "zzz0024"),
        ("NHI ZZZ00AC", "nhi", "ZZZ00AC"),
        ("lives near SW1A 1AA now", "postcode", "SW1A 1AA"),
        ("lives near m1 1ae now", "postcode", "m1 1ae"),
        ("lives near W1A0AX", "postcode", "W1A0AX"),
    ],
)
def test_identifiers_are_found(text, kind, value):
    assert found(text) == [(kind, value)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("DOB: 03/03/2015", "03/03/2015"),
        ("D.O.B. 3.3.15", "3.3.15"),
        ("dob 2015-03-03", "2015-03-03"),
        ("Date of birth is 3 March 2015", "3 March 2015"),
        ("born on the 3rd of March 2015", "3rd of March 2015"),
        ("She was born in Leeds on March 3rd, 2015", "March 3rd, 2015"),
        ("03/03/2015 (DOB)", "03/03/2015"),
        ("Mum's DOB 12/03/1980", "12/03/1980"),  # labelled: any age
        ("born on 3 January 2026", "3 January 2026"),  # labelled: a baby counts
        ("aged 9 (03/03/2017)", "03/03/2017"),  # age context
        ("He is 9 years old, 03/03/2017.", "03/03/2017"),
    ],
)
def test_dates_of_birth_are_found(text, value):
    assert found(text) == [("date_of_birth", value)]


# ------------------------------------------------------------------ false positives
@pytest.mark.parametrize(
    "text",
    [
        "CASE-2024-017",
        "Discussed CASE-2024-017 with Sam.",
        "we met on 12/03/2026",
        "We met on 3 March 2026 at 10:30.",
        "review on 12/03/2027",
        "aged 9, review 12/03/2024",  # an event word before the date
        "aged 9, seen 01/03/2026",  # recent: under a year ago
        "The last incident was 12/02/2024 when he was aged 7",
        "Born 2016. We met on 3 March 2024",  # the label is in another sentence
        "DOB unknown; met 3/3/2020",
        "due to be born on 3 May 2026",  # a future date is not a date of birth
        "03/03/2015",  # a date alone
        "Meeting 10:30-11:30, then 14:00 and 9.15am",
        "NHS no 943 476 5918",  # bad check digit
        "9434765918",
        "NI QQ 12 34 56 C",  # HMRC's specimen: QQ is never allocated
        "NI GB 12 34 56 A",
        "NHI ZZZ0044 ZZZ00AA",  # bad checks
        "Auckland 1010, year 2024, room 4521, 1 in 3, scored 7/10",
        "paid £1,250.00, then $300 and £2 500; 1,250,000 people; 0.5mg; 3 x 100ml",
        "Y2 2nd and K9 3rd",  # ordinals, not postcodes
        "Jane Smith and her brother Tom",  # names are never guessed
    ],
)
def test_ordinary_text_is_not_flagged(text):
    assert found(text) == []


def test_a_date_in_an_age_context_must_be_1_to_25_years_ago():
    assert found("aged 25, 15/04/2001") == [("date_of_birth", "15/04/2001")]
    assert found("aged 26, 14/04/2001") == []
    assert found("aged 1, 15/04/2025") == [("date_of_birth", "15/04/2025")]
    assert found("aged 1, 16/04/2025") == []


def test_identifiers_that_cut_into_a_case_reference_are_not_reported():
    text = "CASE-9434765919 REF-AB123456C NZ-ZZZ0016 CASE-07700900123"
    assert found(text) == []
    assert [kind for kind, _ in found(text, reference_pattern=None)] == [
        "nhs_number",
        "ni_number",
        "nhi",
        "phone",
    ]


def test_a_token_that_is_wholly_an_identifier_is_reported_even_if_it_fits_the_pattern():
    assert re.fullmatch(REFERENCE, "9434765919") and re.fullmatch(REFERENCE, "ZZZ0016")
    assert found("9434765919 ZZZ0016 07700900123 AB123456C SW1A 1AA") == [
        ("nhs_number", "9434765919"),
        ("nhi", "ZZZ0016"),
        ("phone", "07700900123"),
        ("ni_number", "AB123456C"),
        ("postcode", "SW1A 1AA"),
    ]


def test_a_phone_shaped_number_starting_with_0_is_a_phone_even_if_it_passes_the_nhs_check():
    assert nhs_check_ok("0211234567")
    assert found("Dad 021 123 4567") == [("phone", "021 123 4567")]


def test_findings_are_in_order_with_lines_and_offsets():
    text = "Focus: school.\nMum 07700 900123\nDOB 03/03/2015"
    findings = find_identifiers(text, today=TODAY)
    assert [f.kind for f in findings] == ["phone", "date_of_birth"]
    assert text[findings[0].start : findings[0].end] == "07700 900123"
    assert findings[0].message.startswith("Line 2 ")
    assert findings[1].message.startswith("Line 3 ")


# ------------------------------------------------------------------ masking
@pytest.mark.parametrize(
    "value",
    [
        "943 476 5919",
        "07700 900123",
        "+44 7700 900123",
        "021 123 4567",
        "jo.bloggs@example.co.nz",
        "AB 12 34 56 C",
        "ZZZ0016",
        "ZZZ00AC",
        "SW1A 1AA",
        "DOB 03/03/2015",
    ],
)
def test_messages_never_repeat_the_identifier(value):
    (finding,) = find_identifiers(f"noted: {value}", today=TODAY)
    assert value not in finding.message
    assert compact(value) not in compact(finding.message)
    assert len(finding.message) < 150
    assert "\n" not in finding.message


def test_a_phone_number_is_shown_masked():
    (finding,) = find_identifiers("Mum 07700 900123", today=TODAY)
    assert "07•••••••23" in finding.message


def test_a_date_of_birth_is_shown_by_line_only():
    (finding,) = find_identifiers("x\ny\nDOB 03/03/2015", today=TODAY)
    assert "date of birth" in finding.message and "Line 3" in finding.message
    assert "2015" not in finding.message and "03" not in finding.message


# ------------------------------------------------------------------ keys and confirmation
def test_keys_are_stable_and_ignore_formatting():
    def key(text: str) -> str:
        (finding,) = find_identifiers(text, today=TODAY)
        return finding.key

    assert key("07700 900123") == key("Call 07700900123 today") == key("+44 7700 900123")
    assert key("943 476 5919") == key("9434765919")
    assert key("DOB 03/03/2015") == key("born on 3 March 2015")
    assert key("07700 900123") != key("07700 900124")
    assert key("07700 900123").startswith("phone:")
    assert "07700900123" not in key("07700 900123")


def test_confirmed_findings_are_not_raised_again():
    text = "Mum 07700 900123, Dad 07700 900456; Mum again 07700900123"
    findings = find_identifiers(text, today=TODAY)
    assert len(findings) == 3
    left = unconfirmed(findings, {findings[0].key})
    assert [text[f.start : f.end] for f in left] == ["07700 900456"]
    assert unconfirmed(findings, []) == findings
    assert unconfirmed(find_identifiers(text, today=TODAY), {f.key for f in findings}) == []


def test_finding_is_frozen():
    finding = Finding("phone", "m", 0, 1, "phone:x")
    with pytest.raises(AttributeError):
        finding.kind = "email"  # type: ignore[misc]


# ------------------------------------------------------------------ property: NHS numbers
FORMATS = st.sampled_from(["{a}{b}{c}", "{a} {b} {c}", "{a}-{b}-{c}"])


@given(nine=st.text("0123456789", min_size=9, max_size=9), fmt=FORMATS)
def test_any_nhs_number_with_a_valid_check_digit_is_found(nine, fmt):
    check = nhs_check_digit(nine)
    if check == 10:
        return  # no valid NHS number starts with these nine digits
    digits = nine + str(check)
    written = fmt.format(a=digits[:3], b=digits[3:6], c=digits[6:])
    findings = find_identifiers(f"Number {written} noted.", today=TODAY, reference_pattern=REFERENCE)
    assert len(findings) == 1
    expected = "phone" if digits.startswith("0") else "nhs_number"
    assert findings[0].kind in {"nhs_number", expected}


@given(nine=st.text("0123456789", min_size=9, max_size=9), fmt=FORMATS, data=st.data())
def test_an_nhs_number_with_a_wrong_check_digit_is_not(nine, fmt, data):
    check = nhs_check_digit(nine)
    last = data.draw(st.sampled_from([d for d in "0123456789" if d != str(check)]))
    digits = nine + last
    written = fmt.format(a=digits[:3], b=digits[3:6], c=digits[6:])
    findings = find_identifiers(f"Number {written} noted.", today=TODAY, reference_pattern=REFERENCE)
    assert all(f.kind != "nhs_number" for f in findings)
    if not digits.startswith("0"):  # a number starting with 0 may still be a phone number
        assert findings == []


# ------------------------------------------------------------------ SMART actions
def test_an_action_without_an_owner_or_due_date_is_flagged():
    findings = check_action("Phone school to ask about attendance", owners=[], due=None)
    assert [f.kind for f in findings] == ["action_owner", "action_due"]
    assert all((f.start, f.end) == (0, 36) for f in findings)
    assert [f.kind for f in check_action("Phone school", owners=["  "], due=TODAY)] == ["action_owner"]


def test_a_specific_action_with_owner_and_date_passes():
    assert check_action("Phone school on Friday to ask about attendance", owners=["U123"], due=TODAY) == []


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Monitor attendance", "Monitor"),
        ("monitoring attendance", "Monitoring"),
        ("Continue SUPPORTING mum", "SUPPORTING"),
        ("Support mum", "Support"),
        ("Considered a referral", "Considered"),
        ("consider referral", "Consider"),
        ("Look into housing", "Look into"),
        ("looked  into housing", "Looked into"),
        ("keep an eye on the baby", "Keep an eye on"),
        ("Kept an eye on him", "Kept an eye on"),
        ("Liaise with school", "Liaise"),
        ("liaising with health", "Liaising"),
        ("Explore options", "Explore"),
        ("review as needed", "Review as needed"),
        ("Review as required", "Review as required"),
    ],
)
def test_vague_verbs_are_flagged_with_a_supportive_suggestion(text, word):
    (finding,) = check_action(text, owners=["U1"], due=TODAY)
    assert finding.kind == "vague_verb"
    assert text[finding.start : finding.end].lower().split() == word.lower().split()
    assert finding.message.startswith(f"'{word}' is hard to check")
    assert finding.message.endswith("How will we know it's done?")


@pytest.mark.parametrize(
    "text",
    [
        "A supportive call with mum",
        "Reconsideration panel on 3 June",
        "Exploration visit booked",
        "Review on 3 June",
    ],
)
def test_only_whole_vague_words_are_flagged(text):
    assert check_action(text, owners=["U1"], due=TODAY) == []


def test_every_vague_verb_is_reported_and_keys_are_stable():
    text = "Monitor attendance and liaise with school"
    first = check_action(text, owners=[], due=None)
    assert [f.kind for f in first] == ["action_owner", "action_due", "vague_verb", "vague_verb"]
    assert len({f.key for f in first}) == 4
    assert [
        f.key for f in check_action("monitor  attendance and LIAISE with school", owners=[], due=None)
    ] == [f.key for f in first]
    confirmed = {f.key for f in first if f.kind == "vague_verb"}
    assert [f.kind for f in unconfirmed(first, confirmed)] == ["action_owner", "action_due"]
