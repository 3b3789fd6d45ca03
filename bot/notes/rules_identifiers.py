"""Likely identifiers in a draft case note. Pure: no I/O and no clock; `today` is passed in.

Messages never repeat an identifier in full. They show it masked ("07•••••••23") or only say which
line it is on ("Line 3 seems to have a date of birth").

What is looked for (see `find_identifiers` for the exact rules):
- dates of birth, email addresses, phone numbers (the `phonenumbers` library's metadata: national
  numbers of the configured country, the UK and NZ, and any number written with + or 00);
- NHS numbers (mod-11 check digit), UK National Insurance numbers (HMRC prefix rules),
  NZ NHI numbers (old format mod 11, new format mod 23);
- UK postcodes.

What is deliberately not looked for:
- person names (guessing them is unreliable, and case references already refuse names);
- NZ postcodes: they are four bare digits, and years, amounts and counts look the same;
- dates without a year ("born on 3 March"), and NZ NSNs (school student numbers are bare digits too).
"""

from __future__ import annotations

import re
from datetime import date

from bot.notes.rules_birth_dates import dates_of_birth
from bot.notes.rules_checks import MASK, Finding, Kind, finding_key
from bot.notes.rules_phones import phones

# ------------------------------------------------------------------ check digits
_NHI_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # A=1 ... Z=24; I and O are never used


def _nhi_value(char: str) -> int:
    return int(char) if char.isdigit() else _NHI_LETTERS.index(char) + 1


def nhs_check_ok(digits: str) -> bool:
    """True when `digits` is 10 digits (spaces and dashes ignored) with a valid NHS check digit.

    NHS Data Dictionary, "NHS Number" (Modulus 11). Multiply the first nine digits by 10, 9, ..., 2
    and add the results. The check digit is 11 minus (sum mod 11). A result of 11 means 0, and a
    result of 10 means the number is invalid. The tenth digit must equal the check digit.
    """
    compact = re.sub(r"[ -]", "", digits)
    if not re.fullmatch(r"\d{10}", compact):
        return False
    total = sum(int(d) * w for d, w in zip(compact[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 10:
        return False
    return (0 if check == 11 else check) == int(compact[9])


def nhi_check_ok(value: str) -> bool:
    """True when `value` is a New Zealand NHI number whose check character is right (any case).

    NHI validation routine, HISO 10046:2023 Consumer Health Identity Standard. Letters are valued
    A=1 ... Z=24, leaving out I and O. Multiply the first six characters by 7, 6, 5, 4, 3, 2 and
    add the results.
    - Old format AAANNNN (modulus 11): a sum mod 11 of 0 is invalid. Otherwise the check digit is
      11 minus (sum mod 11), with 10 written as 0. It must equal the last digit.
    - New format AAANNAX (modulus 23, from 2022): the check value is 23 minus (sum mod 23). The
      last letter's value must equal it.
    """
    nhi = value.upper()
    old = re.fullmatch(r"[A-HJ-NP-Z]{3}\d{4}", nhi)
    new = re.fullmatch(r"[A-HJ-NP-Z]{3}\d{2}[A-HJ-NP-Z]{2}", nhi)
    if not (old or new):
        return False
    total = sum(_nhi_value(c) * w for c, w in zip(nhi[:6], range(7, 1, -1), strict=True))
    if new:
        return 23 - total % 23 == _nhi_value(nhi[6])
    if total % 11 == 0:
        return False
    return (11 - total % 11) % 10 == int(nhi[6])


_NI_BAD_FIRST = set("DFIQUV")
_NI_BAD_SECOND = set("DFIOQUV")
_NI_BAD_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def ni_prefix_ok(prefix: str) -> bool:
    """HMRC National Insurance Manual NIM39110 prefix rules. The first letter is not D, F, I, Q, U
    or V. The second letter is not D, F, I, O, Q, U or V. BG, GB, KN, NK, NT, TN and ZZ are never
    allocated."""
    p = prefix.upper()
    return (
        len(p) == 2 and p[0] not in _NI_BAD_FIRST and p[1] not in _NI_BAD_SECOND and p not in _NI_BAD_PREFIXES
    )


# ------------------------------------------------------------------ patterns
_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?!\w)")
_NHS = re.compile(r"(?<![\w+])\d{3}([ -]?)\d{3}\1\d{4}(?!\w|-\d)")
_NI = re.compile(r"(?<!\w)([A-Z]{2}) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])(?!\w)", re.IGNORECASE)
_NHI = re.compile(r"(?<!\w)[A-HJ-NP-Z]{3}(?:\d{4}|\d{2}[A-HJ-NP-Z]{2})(?!\w)", re.IGNORECASE)

_POSTCODE = re.compile(
    r"(?<!\w)(?:"
    r"(?:[A-PR-UWYZ][A-HK-Y]\d[ABEHMNPRVWXY]|[A-PR-UWYZ][A-HK-Y]\d{1,2}|[A-PR-UWYZ]\d[A-HJKPSTUW]"
    r"|[A-PR-UWYZ]\d{1,2}) ?\d[ABD-HJLNP-UW-Z]{2}"
    r"|GIR ?0AA)(?!\w)",
    re.IGNORECASE,
)
_ORDINAL = re.compile(r"\d(?:st|nd|rd|th)")  # "Y2 3rd" is prose, not a postcode (lower case only)


# ------------------------------------------------------------------ helpers
def _compact(value: str) -> str:
    return "".join(c for c in value if c.isalnum()).upper()


def _mask(value: str, keep: int) -> str:
    """Show `keep` characters at each end and dots in between, always hiding at least three."""
    chars = _compact(value)
    keep = max(0, min(keep, (len(chars) - 3) // 2))
    return chars[:keep] + MASK * (len(chars) - 2 * keep) + (chars[len(chars) - keep :] if keep else "")


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# ------------------------------------------------------------------ identifiers
_CONTACT = "keep contact details out of the note."
_IDENTIFIER_MESSAGES: dict[str, str] = {
    "date_of_birth": "Line {line} seems to have a date of birth; give an age instead (for example 'aged 9').",
    "phone": "Line {line} has what looks like a phone number ({masked}); " + _CONTACT,
    "email": "Line {line} has what looks like an email address ({masked}); " + _CONTACT,
    "nhs_number": "Line {line} has what looks like an NHS number ({masked}); the case reference is enough.",
    "ni_number": (
        "Line {line} has what looks like a National Insurance number ({masked}); "
        "the case reference is enough."
    ),
    "nhi": "Line {line} has what looks like an NHI number ({masked}); the case reference is enough.",
    "postcode": (
        "Line {line} has what looks like a postcode ({masked}); describe the area in general terms instead."
    ),
}


def _mask_for(kind: str, value: str) -> str:
    if kind == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}{MASK * 3}@{MASK * 3}.{domain.rsplit('.', 1)[-1]}"
    if kind == "phone":
        return ("+" if value.startswith("+") else "") + _mask(value, 2)
    if kind == "nhs_number":
        return _mask(value, 2)
    return _mask(value, 1)


def _candidates(text: str, today: date, country: str | None) -> list[tuple[Kind, int, int, str]]:
    """(kind, start, end, normalised value), in priority order: a later candidate that overlaps an
    earlier one is dropped. A valid NHS number is reported as one, except that one starting with 0
    that is also shaped like a phone number ("021 123 4567") is reported as a phone number:
    English and Welsh NHS numbers never start with 0, phone numbers always do."""
    nhs: list[tuple[Kind, int, int, str]] = [
        ("nhs_number", m.start(), m.end(), _compact(m.group()))
        for m in _NHS.finditer(text)
        if nhs_check_ok(m.group())
    ]
    found: list[tuple[Kind, int, int, str]] = []
    found += [("email", m.start(), m.end(), m.group().lower()) for m in _EMAIL.finditer(text)]
    found += [c for c in nhs if not c[3].startswith("0")]
    found += [
        ("ni_number", m.start(), m.end(), _compact(m.group()))
        for m in _NI.finditer(text)
        if ni_prefix_ok(m.group(1))
    ]
    found += [
        ("nhi", m.start(), m.end(), m.group().upper()) for m in _NHI.finditer(text) if nhi_check_ok(m.group())
    ]
    found += [("date_of_birth", s, e, iso) for s, e, iso in dates_of_birth(text, today)]
    found += [("phone", start, end, e164) for start, end, e164 in phones(text, country)]
    found += [c for c in nhs if c[3].startswith("0")]
    found += [
        ("postcode", m.start(), m.end(), _compact(m.group()))
        for m in _POSTCODE.finditer(text)
        if not _ORDINAL.fullmatch(m.group()[-3:])
    ]
    return found


_TOKEN = re.compile(r"\S+")
_TOKEN_EDGES = ".,;:!?()[]{}\"'<>"  # noqa: S105 - punctuation, not a password


def _reference_spans(text: str, pattern: str) -> list[tuple[int, int]]:
    spans = []
    for m in _TOKEN.finditer(text):
        token = m.group()
        stripped = token.lstrip(_TOKEN_EDGES)
        start = m.start() + len(token) - len(stripped)
        stripped = stripped.rstrip(_TOKEN_EDGES)
        if stripped and re.fullmatch(pattern, stripped):
            spans.append((start, start + len(stripped)))
    return spans


def _cuts_into(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """True when [start, end) is part of a reference token without being all of it."""
    return any(s < end and start < e and not (start <= s and e <= end) for s, e in spans)


def find_identifiers(
    text: str, *, today: date, reference_pattern: str | None = None, country: str | None = None
) -> list[Finding]:
    """Likely identifiers in `text`, in order of position. Overlapping matches are reported once.

    Dates of birth. A full date (with a year) counts when either rule holds:
      1. It is labelled and not in the future. "DOB", "D.O.B.", "date of birth", "birthdate",
         "birthday" or "born" ends at most 30 characters before the date, on the same line, with
         no ';', '!', '?', sentence full stop or other date in between ("born in Leeds on
         3/3/2016"). Or "(DOB)", "(date of birth)" or "born" follows the date. Any age counts,
         so a parent's DOB is reported.
      2. It is in an age context. All of these must hold:
         - the date is between 1 and 25 years before `today`;
         - an age or birth word (born, birth…, DOB, age, aged, years old, yrs old, y/o) is within
           60 characters of it, on the same line;
         - no event word (met, meeting, visit, seen, review, session, appointment, court, on,
           since, from, by, until, last, next, due, …) is in the same clause within the 30
           characters before it.
      So "we met on 12/03/2026" and "review on 12/03/2027" are never dates of birth. A recent
      date with no label is not a date of birth either, even next to an age ("aged 9, seen
      01/03/2026"). Accepted formats: 03/03/2015, 3.3.15, 03-03-2015, 2015-03-03,
      3 March 2015, 3rd of Mar 2015, March 3rd, 2015. Dates are read day first, and a two-digit
      year is 20yy up to this year, 19yy after it.

    Phone numbers. Whatever libphonenumber's matcher (the `phonenumbers` package, leniency
    POSSIBLE: the right length for its country and number type) finds, read for `country` (the
    configured one, e.g. "AU") first, then the UK and New Zealand: "07700 900123", "(0161) 496 0000",
    "0800 83 83 83", "021 123 4567", "09 123 4567". A number written with + or 00 is read for the
    country it names: "+61 412 345 678", "+1 (202) 555-0143", "0044 7700 900123". A national
    number must start with the country's trunk prefix (0 in the UK, NZ and Australia) and have at
    least 8 digits, so amounts, years, counts and codes ("01234") are not phones; the library skips
    dates with '/' and times, and dates with '-' or '.' ("05-12-2026") are skipped here, as is a
    number inside a longer word or number ("X07700900123", "£0800 …"). The key is the number in
    E.164, so every way of writing it is one finding.

    Email addresses. NHS numbers: 10 digits, bare or 3-3-4 with spaces or dashes, with a valid
    mod-11 check digit (one that starts with 0 and is shaped like a phone number is reported as
    a phone number). NI numbers: two letters allowed by the HMRC prefix rules, six digits and
    an A–D suffix, with optional spaces. NHI: AAANNNN (mod 11) or AAANNAX (mod 23) with a valid
    check. UK postcodes: the full outward and inward pattern, any case, space optional (not
    lower-case ordinals such as "2nd"). NZ postcodes and person names are not looked for.

    Case references. If `reference_pattern` is given, a token (whitespace-separated, with
    surrounding punctuation removed) that fully matches it is a case reference. A finding that
    cuts into a reference ("CP/2015-03-03/01") is not reported. A token that is wholly a valid
    identifier still is ("9434765919", "ZZZ0016"), even though the default pattern would accept
    it as a reference: another agency's identifier must never be the case key.
    """
    protected = _reference_spans(text, reference_pattern) if reference_pattern else []
    accepted: list[tuple[Kind, int, int, str]] = []
    for kind, start, end, value in _candidates(text, today, country):
        if _cuts_into(start, end, protected):
            continue
        if any(s < end and start < e for _k, s, e, _v in accepted):
            continue
        accepted.append((kind, start, end, value))
    findings = []
    for kind, start, end, value in sorted(accepted, key=lambda c: c[1]):
        message = _IDENTIFIER_MESSAGES[kind].format(
            line=_line(text, start), masked=_mask_for(kind, text[start:end])
        )
        findings.append(Finding(kind, message, start, end, finding_key(kind, value)))
    return findings
