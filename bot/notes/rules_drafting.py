"""The first draft of a discussion summary, for the summary modal. Pure: no I/O, no clock.

The recorder edits the draft and signs it off; nothing here is saved. `draft` gives one header (case,
when, participants, recorder, framework: shown, not edited) and twelve sections in the order of a good
record (PRACTICE.md section 4), each a modal text box. `full_capture` gives the same content with
nothing condensed, for export: the full capture stays available whatever the draft had to leave out.

Where things go:

- each question asked, with its replies, goes to "What happened", unless its lens says otherwise
  (assumptions: analysis; child's voice, risk, culture, information sharing, learning: that section;
  a scaling stage's question is passed with lens "risk");
- each marked item goes to its section: concerns to risk, differences of view, decisions, actions,
  information sharing, learning;
- each person's 0-10 scale is read from replies ("6/10", "scale 6"; their latest counts), unless given
  in `DiscussionFacts.scales`;
- a section with nothing captured gets a short prompt in brackets saying what to write, never nothing.

Slack's limits: a modal text box holds `MAX_FIELD` characters (counted in UTF-16 units, as Slack does,
so emoji count double) and the draft is `MAX_SECTIONS` text boxes. A section that would be longer is
condensed in steps, stopping at the first that fits: (1) each reply is cut to its first sentence and
at most ~160 characters, question and item texts to 100 and 300; (2) the oldest replies are left out,
spread evenly over the questions, with a line "(+ 12 earlier replies in the full capture)"; (3) the
last questions are left out, with a line counting them and their replies; (4) the last items are left
out with "(+ 3 more decisions in the full capture)". Nothing is left out without a line saying so,
and a cut never falls inside a Slack token, so a mention is shown whole or not at all. Such a section
has ``condensed=True`` and its uncondensed length in ``full_length``.

Slack's markup in what people wrote is made readable: ``<@U123>`` becomes "@Sam" (the name from
`names`, else the id), links become their text and address, ``&amp;`` becomes "&".

Wording lives in the jinja2 template ``prompts/templates/draft_section.j2``; this module decides what
goes in (plain strings: names, dates in the recorder's zone) and checks what comes out. Loading a
template is I/O, so the caller passes `render(template_name, context) -> str`. The text goes into a
plain-text input's ``initial_value``, where Slack shows characters literally, so the environment must
NOT Slack-escape (bot.content's ``finalize`` would turn "&" into "&amp;" in the recorder's text box):
``Content.render_plain`` is that environment (`TEMPLATE_OPTIONS`, ``undefined=jinja2.StrictUndefined``,
``autoescape=False``, no ``finalize``, and the ``words`` filter for the banks' vocabulary); see
`draft_renderer` in tests/notes/test_rules_drafting.py.

The draft is built in four modules: rules_drafting_facts (the input, the output and the limits, all
re-exported here for the many callers), rules_drafting_sections (what goes where),
rules_drafting_fitting (condensing a section until it fits) and rules_drafting_texts (dates, markup,
clipping, scales).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import tzinfo

from bot.kernel.blocks_limits import slack_length
from bot.notes import rules_drafting_fitting as fitting
from bot.notes import rules_drafting_sections as sections
from bot.notes.rules_drafting_facts import (
    HEADER,
    ITEM_CHARS,
    MAX_FIELD,
    MAX_SECTIONS,
    QUESTION_CHARS,
    REPLY_CHARS,
    SECTION_FOR_KIND,
    SECTION_FOR_LENS,
    SECTIONS,
    TEMPLATE,
    TEMPLATE_OPTIONS,
    DiscussionFacts,
    Draft,
    Item,
    QuestionAsked,
    Render,
    Reply,
    Scale,
    Section,
)

__all__ = [
    "draft",
    "full_capture",
    "HEADER",
    "ITEM_CHARS",
    "MAX_FIELD",
    "MAX_SECTIONS",
    "QUESTION_CHARS",
    "REPLY_CHARS",
    "SECTIONS",
    "SECTION_FOR_KIND",
    "SECTION_FOR_LENS",
    "TEMPLATE",
    "TEMPLATE_OPTIONS",
    "DiscussionFacts",
    "Draft",
    "Item",
    "QuestionAsked",
    "Render",
    "Reply",
    "Scale",
    "Section",
    "slack_length",
]


def draft(facts: DiscussionFacts, *, names: Mapping[str, str], tz: tzinfo, render: Render) -> Draft:
    """The summary modal's first draft: every section at most MAX_FIELD long, condensed if it must be."""
    header, contents = sections.section_contents(facts, names, tz)
    # In the form, sharing decisions are rows of their own fields, not lines of the sharing text box.
    contents = {key: replace(c, common={**c.common, "form": True}) for key, c in contents.items()}
    return Draft(
        header=fitting.fit(HEADER, header, render),
        sections=tuple(fitting.fit((key, title), contents[key], render) for key, title in SECTIONS),
    )


def full_capture(facts: DiscussionFacts, *, names: Mapping[str, str], tz: tzinfo, render: Render) -> str:
    """Everything captured, nothing condensed: the header and each section that has content."""
    header, contents = sections.section_contents(facts, names, tz)
    parts = [f"{HEADER[1]}\n{fitting.build_section(HEADER[0], header, fitting.Plan(), render)}"]
    for key, title in SECTIONS:
        if contents[key].has_content:
            parts.append(f"{title}\n{fitting.build_section(key, contents[key], fitting.Plan(), render)}")
    return "\n\n".join(parts)
