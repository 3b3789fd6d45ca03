"""What the banks may ask in a case thread (issue 22): relationships and roles, never names, addresses,
places of origin or another case; never a worker's own wellbeing, which stays out of the child's record.
"""

from __future__ import annotations

import re

import pytest

from bot.content import BANKS, load_banks
from bot.discussions.blocks import started_text
from bot.discussions.rules_banks import BankError, unsafe_wording

SHIPPED = load_banks([BANKS])
EVERY_TEXT = {
    **{f'question "{q.id}"': q.text for q in SHIPPED.questions.values()},
    **{f'stage "{f.id}.{s.id}"': s.prompt for f in SHIPPED.frameworks.values() for s in f.stages},
}

# Written apart from the bank's own check, so a loosened check still fails here.
INVITES_IDENTIFYING = re.compile(
    r"\bwho (is|are) (living|in the|the child's)|\bwho makes up|\bwho lives\b|\bnames? of\b|"
    r"\bwhat (is|are) (their|the child's) names?|\baddress|\bwhere\b[^?]*\bfrom\b|\bwhere\b[^?]*\blives?\b|"
    r"\b(another|other|previous|similar) (case|family|child)\b|\bremind you of\b",
    re.IGNORECASE,
)
ABOUT_THE_WORKER = re.compile(
    r"\blook(ing)? after yourself|\bself-care\b|\byour (own )?well-?being|\bhow are you (coping|doing)\b",
    re.IGNORECASE,
)


def test_no_question_or_stage_prompt_invites_names_addresses_origins_or_another_case():
    assert {where: text for where, text in EVERY_TEXT.items() if INVITES_IDENTIFYING.search(text)} == {}


def test_no_question_or_stage_prompt_asks_about_a_workers_own_wellbeing():
    assert {where: text for where, text in EVERY_TEXT.items() if ABOUT_THE_WORKER.search(text)} == {}
    assert "learning.looking_after" not in SHIPPED.questions


@pytest.mark.parametrize(
    "text",
    [
        "Who is living in the household now, and has that changed recently?",
        "Who makes up the child's aiga, and how do they hold the child up?",
        "How does the child describe who they are and where they come from?",
        "Does this remind you of another case, and where does this one differ?",
        "What is the family's address?",
        "Where does the family live now?",
        "What are their names?",
    ],
)
def test_the_questions_issue_22_named_are_refused_as_identifying(text):
    assert "describe relationships, not names" in (unsafe_wording(text) or "")


@pytest.mark.parametrize(
    "text",
    [
        "How are you looking after yourself while working with this family?",
        "What are you doing for self-care this week?",
        "How is your own wellbeing?",
    ],
)
def test_wellbeing_questions_are_left_to_supervision(text):
    assert "leave it to supervision" in (unsafe_wording(text) or "")


def test_ordinary_questions_pass():
    for text in EVERY_TEXT.values():
        assert unsafe_wording(text) is None, text


def test_an_organisations_identifying_question_stops_start_up_naming_the_file(tmp_path):
    folder = tmp_path / "org"
    folder.mkdir()
    (folder / "ours.toml").write_text(
        '[[question]]\nid = "clarifying.names"\nlens = "clarifying"\n'
        'text = "Who is living in the household now?"\n',
        encoding="utf-8",
    )
    with pytest.raises(
        BankError, match=re.escape(f'{folder / "ours.toml"}: question "clarifying.names" invites')
    ):
        load_banks([BANKS, folder])


def test_an_organisations_wellbeing_question_or_stage_prompt_is_refused(tmp_path):
    folder = tmp_path / "org"
    folder.mkdir()
    (folder / "ours.toml").write_text(
        '[[framework]]\nid = "check_in"\nname = "Check-in"\nsummary = "S."\n'
        '[[framework.stage]]\nid = "me"\ntitle = "Me"\nprompt = "How are you looking after yourself?"\n',
        encoding="utf-8",
    )
    with pytest.raises(
        BankError, match=r'framework "check_in" stage "me" has a prompt that asks about a worker'
    ):
        load_banks([BANKS, folder])


def test_the_opening_post_asks_for_relationships_not_names():
    text = started_text("U1", "Critical friend", None, ())
    assert "Describe relationships, not names" in text


def test_the_generic_questions_and_the_readme_table_keep_to_the_same_rules():
    from pathlib import Path

    from bot.discussions.rules_picker import FALLBACK_QUESTIONS

    assert [t for t in FALLBACK_QUESTIONS.values() if unsafe_wording(t)] == []
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = {line.split("`")[1] for line in readme.splitlines() if line.startswith("| `")}
    assert set(SHIPPED.frameworks) <= table, "every framework has a row in the README's framework table"
