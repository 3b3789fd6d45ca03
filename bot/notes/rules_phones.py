"""Phone numbers in what a recorder wrote: the identifier guard's phone check (rules_identifiers). Pure.

Google's libphonenumber metadata (the `phonenumbers` package) says which digit strings can be a number
of a country. National numbers are read for the configured country first, then the UK and New Zealand;
a number written with + (or 00) is read for whichever country it names. Dates, case references,
amounts and times are not phones.
"""

from __future__ import annotations

import re

import phonenumbers

PHONE_COUNTRIES = ("GB", "NZ")
_NATIONAL_DIGITS = 8  # "0800 1111" is the shortest number worth flagging; "01234" is a code
_DATE_SHAPED = re.compile(r"\d{1,4}([-./])\d{1,2}(?:\1\d{2,4})?")  # 05-12-2026, 2026-12-10, 09-11
_INSIDE = re.compile(r"[\w+£$€#@]$")  # just before a match: it is inside a longer token (or an amount)
_GOES_ON = re.compile(r"^(?:\w|[-/.]\d)")  # just after a match: the token goes on ("07700-900-123-4")


def phones(text: str, country: str | None) -> list[tuple[int, int, str]]:
    """(start, end, the number in E.164) for each likely phone number, earlier countries first. A
    number read as a valid one of some country is keyed as that one ("0061 …" read in Australia is
    not an Australian number; read in the UK, where 00 dials abroad, it is)."""
    home = country.upper() if country else None
    best: dict[tuple[int, int], tuple[bool, str]] = {}
    for region in dict.fromkeys([*([home] if home else []), *PHONE_COUNTRIES]):
        if region not in phonenumbers.SUPPORTED_REGIONS:
            continue
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
            valid = phonenumbers.is_valid_number(match.number)
            if not _looks_like_a_phone(text, match.start, match.end, region, valid and region == home):
                continue
            span = (match.start, match.end)
            if span not in best or (valid and not best[span][0]):
                best[span] = (
                    valid,
                    phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164),
                )
    return [(start, end, e164) for (start, end), (_valid, e164) in best.items()]


def _looks_like_a_phone(text: str, start: int, end: int, region: str, valid_at_home: bool) -> bool:
    """A possible number of 8 digits or more, not a date, not inside a longer token, and either
    international (+ or 00), or national with the country's trunk prefix (0: so amounts and years
    never are), or a valid number of the configured country ("1800 123 456" in Australia)."""
    raw = text[start:end]
    if _DATE_SHAPED.fullmatch(raw) or sum(c.isdigit() for c in raw) < _NATIONAL_DIGITS:
        return False
    if _INSIDE.search(text[max(0, start - 1) : start]) or _GOES_ON.match(text[end : end + 2]):
        return False
    if raw.startswith(("+", "00")) or valid_at_home:
        return True
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    trunk = metadata.national_prefix if metadata and metadata.national_prefix else ""
    return not trunk or raw.lstrip("(").startswith(trunk)
