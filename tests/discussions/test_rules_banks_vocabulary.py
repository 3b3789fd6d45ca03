"""The organisation's words for child, teacher and family (issue 22 item 8): a bank's [vocabulary] table,
applied to what casebot posts and never to what people typed."""

from __future__ import annotations

import re

import pytest

from bot.content import BANKS, Content, load_banks
from bot.discussions.rules_banks import BankError
from bot.discussions.rules_banks_vocabulary import complete, in_words
from bot.sandbox.harness import LEAD
from tests.discussion_steps import NEXT, current, prompts, questions, say, start, stored
from tests.journey import open_case
from tests.reminder_steps import body, click

RTLB = {"child": "mokopuna", "teacher": "kaiako", "family": "whānau"}
RTLB_TOML = '[vocabulary]\nchild = "mokopuna"\nteacher = "kaiako"\nfamily = "whānau"\n'


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("What is the child's day like?", "What is the mokopuna's day like?"),
        ("Which of the children, and which teachers?", "Which of the mokopuna, and which kaiako?"),
        ("Family first: the family's view.", "Whānau first: the whānau's view."),
        ("How are other families managing?", "How are other whānau managing?"),
        (
            "Childhood and familiar teaching stay as they are.",
            "Childhood and familiar teaching stay as they are.",
        ),
    ],
)
def test_the_words_are_swapped_whole_keeping_a_capital(text, said):
    assert in_words(text, RTLB) == said


def test_no_vocabulary_changes_nothing_and_an_english_plural_can_be_set():
    assert in_words("The child's teacher", {}) == "The child's teacher"
    words = {"child": "young person", "children": "young people"}
    assert in_words("Each child, and the children", words) == "Each young person, and the young people"
    assert complete({"child": "mokopuna"}) == {"child": "mokopuna", "children": "mokopuna"}


def org(tmp_path, name: str, text: str):
    folder = tmp_path / "org"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_bank_folder_sets_the_words_and_a_later_folder_changes_one(tmp_path):
    banks = load_banks([BANKS, org(tmp_path, "words.toml", RTLB_TOML)])
    assert banks.vocabulary == RTLB
    later = tmp_path / "team"
    later.mkdir()
    (later / "words.toml").write_text('[vocabulary]\nchild = "ākonga"\n', encoding="utf-8")
    assert load_banks([BANKS, tmp_path / "org", later]).vocabulary["child"] == "ākonga"
    assert load_banks([BANKS]).vocabulary == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[vocabulary]\npupil = "ākonga"\n',
            r'\[vocabulary\] has unknown word "pupil" \(known: child, children,',
        ),
        ('[vocabulary]\nchild = ""\n', r"\[vocabulary\] child should be a non-empty word"),
        ("[vocabulary]\nchild = 3\n", r"\[vocabulary\] child should be a non-empty word"),
        ('vocabulary = "mokopuna"\n', r'"vocabulary" should be a table'),
        (f'[vocabulary]\nchild = "{"x" * 41}"\n', r"\[vocabulary\] child is 41 characters; at most 40"),
    ],
)
def test_a_bad_vocabulary_names_the_file(tmp_path, text, message):
    folder = org(tmp_path, "words.toml", text)
    with pytest.raises(BankError, match="^" + re.escape(str(folder / "words.toml")) + ": " + message):
        load_banks([BANKS, folder])


def test_the_same_word_in_two_files_of_one_folder_names_both(tmp_path):
    org(tmp_path, "a.toml", '[vocabulary]\nchild = "mokopuna"\n')
    folder = org(tmp_path, "b.toml", '[vocabulary]\nchild = "tamaiti"\n')
    with pytest.raises(BankError, match=r"b\.toml: \[vocabulary\] child is also set in .*a\.toml; keep one"):
        load_banks([BANKS, folder])


def test_questions_and_headings_in_the_thread_use_the_words_and_replies_keep_theirs(http_sandbox, tmp_path):
    box = http_sandbox
    folder = org(tmp_path, "words.toml", RTLB_TOML)
    box.deps.content = Content(bank_folders=[folder])  # the listeners hold this same Deps
    card = open_case(box)
    start(box, card, focus="Trust")
    say(box, card, LEAD, "The child's family met the teacher.")
    for _ in range(3):
        click(box, LEAD, NEXT, current(box, card))
    asked = prompts(box)
    texts = " ".join(p.text for p in asked).lower()
    assert "mokopuna" in texts and not re.search(r"\b(child|children|family|teacher)\b", texts)
    posted = " ".join(body(m) for m in questions(box, card))
    assert "mokopuna" in posted.lower() and not re.search(r"\bchild\b", posted, re.IGNORECASE)
    assert [m.text for m in stored(box)] == ["The child's family met the teacher."]


def test_templates_can_put_their_own_words_in_the_vocabulary(tmp_path):
    content = Content(bank_folders=[org(tmp_path, "words.toml", RTLB_TOML)])
    template = '{{ "What does the child\'s family say?" | words }} {{ said }}'
    said = "The child's family said no."
    assert content.env.from_string(template).render(said=said) == (
        "What does the mokopuna's whānau say? The child's family said no."
    )
    assert content.plain_env.from_string(template).render(said=said).startswith("What does the mokopuna's")
    assert Content().words("the child's teacher") == "the child's teacher"
