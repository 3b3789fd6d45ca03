"""Reading notes as pure Block Kit, driven at the extremes: whatever a note holds, Slack accepts the
view, long text is split (never cut inside an escape) and the Amend and version buttons always stay."""

from __future__ import annotations

import re
from datetime import date

from bot.ids import ActionId
from bot.kernel.rules_text import slack_escape
from bot.notes.blocks import KEEP_LABEL
from bot.notes.blocks_views import amend_modal, note_list, note_modal
from bot.notes.rules import ActionText
from bot.sandbox.validation import message_errors, view_errors
from tests.notes_builder import Version, record, sections

LONG = "Mum & dad <both> said " * 140  # about 3,000 characters that grow when escaped


def texts(blocks: list[dict]) -> list[str]:
    found = []
    for block in blocks:
        if block["type"] == "section":
            found.append(block["text"]["text"])
        elif block["type"] == "context":
            found += [e["text"] for e in block["elements"]]
    return found


def buttons(view: dict) -> list[str]:
    """Each button's action_id, versions' as note_show (each has its own: Slack refuses duplicates)."""
    found = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(set(found)) == len(found)
    return [re.sub(r":v\d+$", "", a) for a in found]


def huge_version(actions: int = 200, **changes) -> Version:
    return Version(
        sections=sections(**{key: LONG[:3000] for key in ("purpose", "happened", "analysis", "risk")}),
        actions=tuple(
            ActionText(n, LONG[:3000], "USAM0001", date(2026, 12, 4), LONG[:500])
            for n in range(1, actions + 1)
        ),
        **changes,
    )


def test_a_very_long_note_keeps_its_amend_and_version_buttons_and_says_what_did_not_fit():
    note = record(huge_version(), huge_version(amendment_reason=LONG[:500]))
    view = note_modal("CASE-1", 4, note, note.current, may_amend=True)
    assert view_errors(view) == []
    assert buttons(view) == [ActionId.NOTE_AMEND, ActionId.NOTE_SHOW]
    assert "did not fit in Slack's view: `/case export` sends you all of it." in texts(view["blocks"])[-1]
    assert len(view["blocks"]) == 100


def whole_escapes(text: str) -> bool:
    """Every & starts a whole escape and every < closes: nothing was cut in half."""
    rest = re.sub(r"&(amp|lt|gt);", "", text)
    return "&" not in rest and not re.match(r"(mp|p|t)?;", text) and rest.count("<") == rest.count(">")


def test_a_long_note_that_fits_is_split_over_blocks_with_nothing_lost_or_cut_mid_escape():
    version = Version(sections=sections(happened="a" + "&" * 2999, risk="b" + "<x> " * 700), actions=())
    note = record(version)
    view = note_modal("CASE-1", 4, note, note.current, may_amend=True)
    assert view_errors(view) == []
    shown = texts(view["blocks"])
    assert all(whole_escapes(text) for text in shown)
    joined = "".join(shown).replace("\n", "")
    assert slack_escape("a" + "&" * 2999) in joined and slack_escape("b" + "<x>" * 700) in joined.replace(
        " ", ""
    )
    assert "did not fit" not in "".join(shown)


def test_forty_versions_show_the_newest_as_buttons_and_count_the_rest():
    note = record(*[Version() for _ in range(40)])
    view = note_modal("CASE-1", 4, note, note.current, may_amend=True)
    assert view_errors(view) == []
    shown = buttons(view)
    assert shown[0] == ActionId.NOTE_AMEND and len(shown) == 25
    assert "+ 15 earlier versions: `/case export` has every version." in texts(view["blocks"])
    values = [e["value"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert values[1] == "4:1:39"


def test_the_amendment_form_with_full_sections_is_one_slack_accepts():
    parts = [(key, title, "x" * 3000) for key, title, _ in [(s.key, s.title, s.text) for s in sections()]]
    view = amend_modal("CASE-1", 4, record(), parts)
    assert view_errors(view) == []
    checks = view["blocks"][-1]["element"]["options"][0]
    assert checks["text"]["text"] == KEEP_LABEL


def test_forty_notes_list_in_one_message_slack_accepts():
    notes = [record(huge_version(actions=3), number=n) for n in range(1, 61)]
    _, blocks = note_list("CASE-1", 4, notes)
    assert message_errors(blocks) == []
    assert "20 older notes are in `/case export`." in texts(blocks)
