"""Phone numbers in a draft note, found with the `phonenumbers` library (bot/notes/rules_identifiers.py).

The samples are the kinds of number a family gives: UK and NZ numbers as people write them, freephone
numbers, and numbers abroad written with + or 00. The numbers are from the ranges kept for drama and
documentation where a country has one (Ofcom's 07700 900xxx, 020 7946 0xxx, 0161 496 0xxx).
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.notes.rules_identifiers import find_identifiers

TODAY = date(2026, 4, 15)
REFERENCE = r"^[A-Z0-9][A-Z0-9/-]{2,23}$"  # bot.config.DEFAULT_REFERENCE_PATTERN


def phones(text: str, **kwargs) -> list[str]:
    kwargs.setdefault("reference_pattern", REFERENCE)
    return [text[f.start : f.end] for f in find_identifiers(text, today=TODAY, **kwargs) if f.kind == "phone"]


PHONES = [
    # UK: mobiles, London and Manchester landlines, non-geographic and freephone numbers
    ("Mum's mobile is 07700 900123", "07700 900123"),
    ("mobile 07700900123 after 5", "07700900123"),
    ("tel: 07700-900-123", "07700-900-123"),
    ("ring +44 7700 900123", "+44 7700 900123"),
    ("ring +44 (0)7700 900 123", "+44 (0)7700 900 123"),
    ("from abroad 0044 7700 900123", "0044 7700 900123"),
    ("school: 020 7946 0958", "020 7946 0958"),
    ("school: (0161) 496 0000", "(0161) 496 0000"),
    ("council 0300 123 4567", "0300 123 4567"),
    ("freephone 0808 157 0000", "0808 157 0000"),
    # NZ: mobiles, landlines (with and without brackets or dashes), freephone 0800 and 0508
    ("Dad 021 123 4567", "021 123 4567"),
    ("Dad 021-123-4567", "021-123-4567"),
    ("Dad 027 123 456", "027 123 456"),
    ("Nan 09 123 4567", "09 123 4567"),
    ("Nan (09) 123 4567", "(09) 123 4567"),
    ("Nan 03-477 1234", "03-477 1234"),
    ("Nan +64 9 123 4567", "+64 9 123 4567"),
    ("Dad +64-21-123-4567", "+64-21-123-4567"),
    ("helpline 0800 83 83 83", "0800 83 83 83"),
    ("freephone 0800 123 456", "0800 123 456"),
    ("freephone 0508 123 456", "0508 123 456"),
    # Australia, the US and others: written with + (the country is in the number)
    ("aunt in Sydney +61 2 9374 4000", "+61 2 9374 4000"),
    ("aunt's mobile +61 412 345 678", "+61 412 345 678"),
    ("uncle +1 (202) 555-0143", "+1 (202) 555-0143"),
    ("uncle +1 202-555-0143", "+1 202-555-0143"),
    ("cousin +353 1 234 5678", "+353 1 234 5678"),
    ("grandad +91 98765 43210", "+91 98765 43210"),
]


@pytest.mark.parametrize(("text", "number"), PHONES)
def test_phone_numbers_are_found(text, number):
    assert phones(text) == [number]


NOT_PHONES = [
    "we met on 12/03/2026",
    "seen on 05-12-2026 and 05.12.2026",
    "next on 2026-12-10, then 03-12-26",
    "from 09-11 Dec",
    "CASE-2026-014",
    "Discussed CASE-2026-014 and CP/2015-03-03/01 with Sam.",
    "paid £1,250.00, then $300 and £2 500; 1,250,000 people; 0.5mg; dose 0.25",
    "Meeting 10:30-11:30, then 09:30 and 9.15am",
    "12:30-13:45",
    "year 2026, room 101, ages 3, 5 and 9, page 12 of 30, ref 20261234",
    "code 01234 and 0001234",
    "between 9 and 12, 1500 dollars",
]


@pytest.mark.parametrize("text", NOT_PHONES)
def test_dates_references_amounts_and_times_are_not_phones(text):
    assert phones(text) == []


def key(text: str, country: str | None = None) -> str:
    (finding,) = find_identifiers(text, today=TODAY, country=country)
    assert finding.kind == "phone"
    return finding.key


def test_the_configured_country_is_read_first():
    assert key("0412 345 678", "AU") == key("+61 412 345 678") == key("0061 412 345 678", "AU")
    assert key("0412 345 678") != key("+61 412 345 678")  # flagged still, read as a UK or NZ number
    assert phones("call 1800 123 456", country="AU") == ["1800 123 456"]  # no trunk 0, valid in AU
    assert phones("call 1800 123 456", country="au") == ["1800 123 456"]
    assert phones("call 1800 123 456") == []  # elsewhere it is a number like any other
    assert phones("Dad 021 123 4567", country="AU") == ["021 123 4567"]  # NZ and the UK still count
    assert phones("Dad 021 123 4567", country="XX") == ["021 123 4567"]  # an unknown country: ignored


def test_one_number_written_two_ways_is_one_finding():
    assert key("07700 900123") == key("+44 (0)7700 900 123") == key("0044 7700 900123")
    assert key("Nan 09 123 4567", "NZ") == key("+64 9 123 4567") != key("+64 9 123 4568")


def test_a_number_inside_a_longer_token_is_not_a_phone():
    assert phones("X07700900123 and 07700900123X") == []
    assert phones("07700-900-123-4") == []


def test_the_message_masks_the_number():
    (finding,) = find_identifiers("aunt +61 412 345 678", today=TODAY)
    assert "+61•••••••78" in finding.message and "412" not in finding.message


def test_the_summary_form_checks_read_numbers_for_the_configured_country():
    from bot.notes.blocks import Submitted, section_block
    from bot.notes.flows_checks import findings

    form = Submitted({"happened": "aunt: 1800 123 456"}, (), None, False)
    assert findings(form, TODAY, REFERENCE) == {}
    (found,) = findings(form, TODAY, REFERENCE, "AU")[section_block("happened")]
    assert found.kind == "phone"
