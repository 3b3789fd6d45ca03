"""Which full dates in a draft case note are dates of birth: labelled ones, and ones in an age context
(the rules are in `rules_identifiers.find_identifiers`). Pure: `today` is passed in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Dates (day first, as written in the UK and NZ).
_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}
_DATES = [
    re.compile(  # 03/03/2015, 3.3.15, 03-03-2015
        r"(?<![\w/.:-])(?P<d>\d{1,2})(?P<s>[/.-])(?P<m>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})(?![\w/]|[.:-]\d)"
    ),
    re.compile(  # 2015-03-03, 2015/03/03
        r"(?<![\w/.:-])(?P<y>\d{4})(?P<s>[/.-])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?![\w/]|[.:-]\d)"
    ),
    re.compile(  # 3 March 2015, 3rd of Mar 2015, 3-Mar-2015
        rf"(?<![\w/])(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:[ \t]+of)?[ \t-]+{_MONTH},?[ \t-]+"
        r"(?P<y>\d{4})(?!\w)",
        re.IGNORECASE,
    ),
    re.compile(  # March 3rd 2015, March 3, 2015
        rf"(?<!\w){_MONTH}[ \t]+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?[ \t]+(?P<y>\d{{4}})(?!\w)",
        re.IGNORECASE,
    ),
]
_DOB_LABEL = re.compile(
    r"(?<!\w)(?:d\.? ?o\.? ?b(?![a-z])\.?|date\s+of\s+birth|birth\s*date|birthday|born)", re.IGNORECASE
)
_DOB_LABEL_AFTER = re.compile(
    r"[ \t]*[(\[,-]?[ \t]*(?:d\.? ?o\.? ?b(?![a-z])|date\s+of\s+birth|born)", re.IGNORECASE
)
_AGE_WORDS = re.compile(
    r"(?<!\w)(?:born|birth\w*|d\.? ?o\.? ?b(?![a-z])|aged?|years?[ -]old|yrs?[ -]old|y/o)(?!\w)",
    re.IGNORECASE,
)
_EVENT_WORDS = re.compile(
    r"(?<!\w)(?:met|meet|meetings?|visits?|visited|seen|saw|reviews?|reviewed|sessions?|appointments?"
    r"|conference|calls?|called|spoke|discussion|discussed|hearing|court|on|since|from|until|till|by"
    r"|between|after|before|incident|referral|referred|assessment|plan|dated|letter|report|started"
    r"|moved|left|last|next|due|attended|admitted|placed)(?!\w)",
    re.IGNORECASE,
)
_BREAK = re.compile(r"[;!?\n]|\.\s")
LABEL_REACH = 30  # characters between a DOB label and its date
CONTEXT_REACH = 60  # characters either side of a date in which an age or birth word counts
EVENT_REACH = 30  # characters before a date in which an event word makes it an event date
MIN_AGE_YEARS = 1
MAX_AGE_YEARS = 25


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class _Date:
    start: int
    end: int
    day: date


def _dates(text: str, today: date) -> list[_Date]:
    """Every real, full date (with a year) in the text; two-digit years are 20yy up to this year."""
    found: list[_Date] = []
    for pattern in _DATES:
        for m in pattern.finditer(text):
            parts = m.groupdict()
            month = _MONTHS[parts["mon"][:3].lower()] if parts.get("mon") else int(parts["m"])
            year = int(parts["y"])
            if len(parts["y"]) == 2:
                year += 2000 if year <= today.year % 100 else 1900
            try:
                day = date(year, month, int(parts["d"]))
            except ValueError:
                continue
            if not any(d.start < m.end() and m.start() < d.end for d in found):
                found.append(_Date(m.start(), m.end(), day))
    return sorted(found, key=lambda d: d.start)


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return line_start, len(text) if line_end == -1 else line_end


def _labelled(text: str, d: _Date, dates: list[_Date]) -> bool:
    line_start, line_end = _line_bounds(text, d.start, d.end)
    window_start = max(line_start, d.start - LABEL_REACH)
    for label in _DOB_LABEL.finditer(text, window_start, d.start):
        gap = text[label.end() : d.start]
        other_date = any(label.end() <= o.start and o.end <= d.start for o in dates if o is not d)
        if not _BREAK.search(gap) and not other_date:
            return True
    return bool(_DOB_LABEL_AFTER.match(text, d.end, min(line_end, d.end + 20)))


def _in_age_context(text: str, d: _Date, today: date) -> bool:
    if not _years_before(today, MAX_AGE_YEARS) <= d.day <= _years_before(today, MIN_AGE_YEARS):
        return False
    line_start, line_end = _line_bounds(text, d.start, d.end)
    around = text[max(line_start, d.start - CONTEXT_REACH) : min(line_end, d.end + CONTEXT_REACH)]
    if not _AGE_WORDS.search(around):
        return False
    before = text[max(line_start, d.start - EVENT_REACH) : d.start]
    clause = _BREAK.split(before)[-1]
    return not _EVENT_WORDS.search(clause)


def dates_of_birth(text: str, today: date) -> list[tuple[int, int, str]]:
    dates = _dates(text, today)
    return [
        (d.start, d.end, d.day.isoformat())
        for d in dates
        if (d.day <= today and _labelled(text, d, dates)) or _in_age_context(text, d, today)
    ]
