"""Reading an action's due date from its text. Pure: `today` (the author's own date) is passed in.

The due date is the day named in the action's final "by / before / due / on …" phrase (or "in / within
…" naming a span of time), never in the past:

- a weekday ("by Friday", "by fri", "this Friday") is the next one, today counting;
- "next Friday" (also "Friday next week") is the Friday of next week, weeks running Monday to Sunday:
  on Wednesday it is nine days away, on Saturday or Sunday six or five, never today;
- "end of (the/this) week" and "the weekend" are the coming Friday, today counting, so on a Saturday or
  Sunday they mean the Friday after; "end of next week" is the Friday of next week;
- "end of (the/this) month" is the month's last day; "end of next month" and "end of March" likewise;
- "the 12th" is the next 12th of a month, today counting;
- a span from today: "in 3 days", "in two weeks", "in a fortnight" (14 days), "within a week", "in
  two weeks' time", "by two weeks from now"; months keep the day of the month: "in a month", "by next
  month" and "in 2 months" are the same day that many months on, or the month's last day when it is
  shorter (31 January and "next month" is 28 or 29 February);
- a time alone ("by 5pm", "by end of day") is today; a time beside a day is dropped.

A final phrase that does not name a day ("by phone", "in the office") is not a due date. One that looks
like a date but cannot be read ("by the 45th") leaves the date missing, with a message saying how to
write one that never repeats what was written.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from bot.kernel.rules_dates import WEEKDAYS, DayProblem, parse_day

_CONNECTOR = re.compile(r"(?<![^\s(\[])(by|before|due|on|in|within)\s+(?=\S)", re.IGNORECASE)
_SPAN_ONLY = ("in", "within")  # connectors that introduce a due date only as a span ("in 3 days")
_MENTION_TOKEN = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_TRAILING = " \t\n.,;:!?)]*_~-–—"
_MAX_PHRASE_WORDS = 6

_NUMBER_WORDS = {
    **{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7},
    **{"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "couple of": 2},
}
_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14}
_SPAN = re.compile(
    r"(?:in\s+|within\s+)?(?P<n>\d{1,3}|"
    + "|".join(sorted((w.replace(" ", r"\s+") for w in _NUMBER_WORDS), key=len, reverse=True))
    + r")\s+(?P<unit>days?|weeks?|fortnights?|months?)"
    r"(?:\s*(?:'s|’s|'|’)?\s+time|\s+from\s+(?:now|today))?"
)
_LONGEST_SPAN_DAYS = 3 * 366


def due_date(body: str, *, today: date) -> tuple[date | None, str | None]:
    """The day named by the final connector phrase, or why it could not be read (None if there is none).

    "in" and "within" count only before a span of time: "in the office" is not a date, so an earlier
    "by Friday" still is."""
    end = len(body)
    for connector in reversed(list(_CONNECTOR.finditer(body))):
        phrase = _MENTION_TOKEN.sub(" ", body[connector.end() : end]).strip(_TRAILING)
        words = " ".join(phrase.replace(",", " ").split()).lower()
        word = connector.group(1).lower()
        span = _SPAN.fullmatch(words) is not None
        if word in _SPAN_ONLY and not span:
            end = connector.start()  # "by Friday, in the office": the date phrase ends before "in"
            continue
        if not words or len(words.split()) > _MAX_PHRASE_WORDS or not (span or _looks_like_a_date(words)):
            return None, None
        try:
            return read_due(words, today=today), None
        except DayProblem:
            return None, (
                f"I couldn't read the date after “{word}”. Write it like “{word} Friday”, "
                f"“{word} 12 March” or “{word} 2026-12-24”."
            )
    return None, None


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later; the month's last day when that month is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _span_due(words: str, today: date) -> date:
    m = _SPAN.fullmatch(words)
    assert m is not None
    count_text = " ".join(m["n"].split())
    count = int(count_text) if count_text.isdigit() else _NUMBER_WORDS[count_text]
    unit = m["unit"].rstrip("s")
    due = add_months(today, count) if unit == "month" else today + timedelta(days=count * _UNIT_DAYS[unit])
    if (due - today).days > _LONGEST_SPAN_DAYS:
        raise DayProblem("That is more than three years away. Write the date, like 2026-12-24.")
    return due


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    name.lower(): i for i, name in enumerate(calendar.month_abbr) if name
}
_MONTHS["sept"] = 9
_DAY_WORDS = {name: i for i, name in enumerate(WEEKDAYS)} | {name[:3]: i for i, name in enumerate(WEEKDAYS)}
_DAY_WORDS |= {"tues": 1, "tue": 1, "weds": 2, "thur": 3, "thurs": 3}
_DATE_WORDS = {
    *_MONTHS,
    *_DAY_WORDS,
    *("today", "tonight", "tomorrow", "tmrw", "week", "weekend", "month", "fortnight", "end"),
    *("eod", "cob", "noon", "midday", "days", "weeks", "fortnights", "months"),
}
_TIME = re.compile(
    r"\b(?:\d{1,2}(?::\d{2})?\s*(?:am|pm)|\d{1,2}:\d{2}|noon|midday|eod|cob|close of business"
    r"|(?:the\s+)?end\s+of\s+(?:the\s+)?day)\b"
)
_DAY_NAME = "(" + "|".join(sorted(_DAY_WORDS, key=len, reverse=True)) + ")"
_MONTH_NAME = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"
_NEXT_DAY = re.compile(rf"next\s+{_DAY_NAME}|{_DAY_NAME}\s+next\s+week")
_THIS_DAY = re.compile(rf"this\s+{_DAY_NAME}|{_DAY_NAME}\s+this\s+week")
_END_OF = re.compile(
    r"(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<what>next\s+week|week|next\s+month|month)"
)
_END_OF_MONTH_NAMED = re.compile(rf"(?:the\s+)?end\s+of\s+{_MONTH_NAME}")
_DAY_OF_MONTH = re.compile(rf"(?:{_DAY_NAME}\s+)?(?:the\s+)?(?P<n>\d{{1,2}})(?:st|nd|rd|th)")
_NUMERIC_DATE = re.compile(r"\d{1,4}[/-]\d{1,2}")
_MONTH_ONLY = re.compile(rf"{_MONTH_NAME}(?:\s+\d{{4}})?")


def _looks_like_a_date(words: str) -> bool:
    return any(ch.isdigit() for ch in words) or any(w in _DATE_WORDS for w in re.findall(r"[a-z]+", words))


def read_due(phrase: str, *, today: date) -> date:
    """The day a due-date phrase names, never before `today` (see the module docstring for the rules).

    Raises DayProblem when it cannot be read, or would be a guess (a month without a day, a bare number)."""
    words = " ".join(phrase.lower().replace(",", " ").split())
    if not words:
        raise DayProblem("Give a date, like 2026-12-24 or 24 Dec.")
    words = re.sub(r"^(?:the\s+)?weekend$", "end of week", words)
    words = " ".join(_TIME.sub(" ", words).split())  # a due date is a day; "Friday 5pm" is Friday
    if words in ("", "today", "tonight"):
        return today
    if words in ("tomorrow", "tmrw"):
        return today + timedelta(days=1)
    if _SPAN.fullmatch(words):
        return _span_due(words, today)
    if words == "next month":
        return add_months(today, 1)
    if m := _NEXT_DAY.fullmatch(words):
        return next_week_day(_DAY_WORDS[m[1] or m[2]], today=today)
    if m := _THIS_DAY.fullmatch(words):
        return coming_day(_DAY_WORDS[m[1] or m[2]], today=today)
    if words in _DAY_WORDS:
        return coming_day(_DAY_WORDS[words], today=today)
    if m := _END_OF.fullmatch(words):
        what = m["what"].replace(" ", "")
        if what == "week":
            return coming_day(4, today=today)
        if what == "nextweek":
            return next_week_day(4, today=today)
        month_start = today.replace(day=1)
        if what == "nextmonth":
            month_start = (month_start + timedelta(days=32)).replace(day=1)
        return _last_day(month_start.year, month_start.month)
    if m := _END_OF_MONTH_NAMED.fullmatch(words):
        month = _MONTHS[m["month"]]
        return _last_day(today.year + (month < today.month), month)
    if m := _DAY_OF_MONTH.fullmatch(words):
        return _same_weekday(words, _next_day_of_month(int(m["n"]), today=today))
    if _MONTH_ONLY.fullmatch(words) or re.fullmatch(r"\d+", words):
        raise DayProblem("Which day? Write it like 12 March or 2026-12-24.")
    words = re.sub(r"\b(\d{1,2})(?:st|nd|rd|th)\s+of\b", r"\1", re.sub(r"\bthe\s+", "", words))
    if not (_NUMERIC_DATE.search(words) or any(w in _MONTHS for w in re.findall(r"[a-z]+", words))):
        # parse_day would fill in the month and year itself: "friday 12" as next year's 12 November
        raise DayProblem("Which day? Write it like 12 March or 2026-12-24.")
    return _same_weekday(words, parse_day(words, today=today))


def _same_weekday(words: str, day: date) -> date:
    """ "Friday 12 March" when the 12th is a Saturday: ask rather than pick one."""
    named = {_DAY_WORDS[w] for w in re.findall(r"[a-z]+", words) if w in _DAY_WORDS}
    if named and named != {day.weekday()}:
        raise DayProblem("The weekday and the date don't match. Write it like 12 March or 2026-12-24.")
    return day


def coming_day(weekday: int, *, today: date) -> date:
    """The next such weekday, today counting (Monday is 0)."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def next_week_day(weekday: int, *, today: date) -> date:
    """That weekday in next week, weeks running Monday to Sunday: 1 to 13 days away, never today."""
    next_monday = today + timedelta(days=7 - today.weekday())
    return next_monday + timedelta(days=weekday)


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _next_day_of_month(day: int, *, today: date) -> date:
    if not 1 <= day <= 31:
        raise DayProblem("That is not a day of the month. Write it like 12 March or 2026-12-24.")
    year, month = today.year, today.month
    if day < today.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    while day > calendar.monthrange(year, month)[1]:  # "the 31st" skips the shorter months
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, day)
