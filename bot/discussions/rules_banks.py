"""Question banks and frameworks: the files of a folder combined, the folders layered, then checked.

Pure: the files are read by ``bot.content``; each is parsed by ``rules_banks_parse`` into the shapes of
``rules_banks_shapes`` (re-exported here, the names the rest of casebot uses). Every error names the
file and the entry.

Besides the structure, ``validate`` checks the words: no question or stage prompt may invite names,
addresses, places of origin or another case into Slack (describe relationships, not names), nor ask
about a worker's own wellbeing, which stays out of the child's record (it belongs to supervision).
"""

from __future__ import annotations

import re

from bot.discussions.rules_banks_parse import parse_bank
from bot.discussions.rules_banks_shapes import (
    ALL_BANKS,
    AUDIENCES,
    CONDITIONS,
    DEFAULT_FRAMEWORK,
    FRAMEWORKS_MAX,
    ID_MAX,
    LENS_TITLES,
    LENSES,
    MIN_QUESTIONS_PER_LENS,
    NAME_MAX,
    ROLES_MAX,
    TEXT_MAX,
    TITLE_MAX,
    BankError,
    Banks,
    Framework,
    Question,
    Stage,
    UnknownEntry,
    fits,
    listing,
    plural,
    questions_for,
    questions_in,
    where,
)
from bot.discussions.rules_banks_vocabulary import in_words

__all__ = [
    "ALL_BANKS",
    "AUDIENCES",
    "CONDITIONS",
    "DEFAULT_FRAMEWORK",
    "FRAMEWORKS_MAX",
    "ID_MAX",
    "LENSES",
    "LENS_TITLES",
    "MIN_QUESTIONS_PER_LENS",
    "NAME_MAX",
    "ROLES_MAX",
    "TEXT_MAX",
    "TITLE_MAX",
    "BankError",
    "Banks",
    "Framework",
    "Question",
    "Stage",
    "UnknownEntry",
    "combine",
    "fits",
    "in_words",
    "merge",
    "parse_bank",
    "questions_for",
    "questions_in",
    "unsafe_wording",
    "validate",
]

# What a question must not invite into Slack (PRACTICE.md section 6: data minimisation), and why.
_IDENTIFYING = (
    (
        "names",
        re.compile(
            r"\b(who (is|are) living|who lives|who makes up|who are the child's|names? of|"
            r"(their|his|her|whose) (full )?names?)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "an address or a place of origin",
        re.compile(
            r"\b(address(es)?|postcode|where [^?]*\b(comes?|came) from|where (do|does|did) [^?]*\blive)\b",
            re.IGNORECASE,
        ),
    ),
    ("another case", re.compile(r"\b(another|other|previous|similar) (case|family|child)\b", re.IGNORECASE)),
)
_WELLBEING = re.compile(
    r"\b(look(s|ing|ed)? after (yourself|yourselves|you)|self-care|your (own )?well-?being|"
    r"how are you (doing|coping|keeping))\b",
    re.IGNORECASE,
)


def unsafe_wording(text: str) -> str | None:
    """Why a question's words do not belong in a case thread, or None when they are fine."""
    for what, pattern in _IDENTIFYING:
        if pattern.search(text):
            return (
                f"invites {what} into Slack; ask about relationships and roles instead "
                "(describe relationships, not names)"
            )
    if _WELLBEING.search(text):
        return (
            "asks about a worker's own wellbeing, which stays out of the child's record: "
            "leave it to supervision"
        )
    return None


# ------------------------------------------------------------ combining and checking
def combine(*banks: Banks) -> Banks:
    """The files of one folder: together, but an id defined in two of them is an error."""
    questions: dict[str, Question] = {}
    frameworks: dict[str, Framework] = {}
    vocabulary: dict[str, str] = {}
    sources: dict[str, str] = {}
    for bank in banks:
        for word, chosen in bank.vocabulary.items():
            if word in vocabulary:
                raise BankError(
                    f"{bank.vocabulary_source}: [vocabulary] {word} is also set in {sources[word]}; keep one"
                )
            vocabulary[word], sources[word] = chosen, bank.vocabulary_source
        for question in bank.questions.values():
            if question.id in questions:
                raise BankError(
                    f'{question.source}: question "{question.id}" is also defined in '
                    f"{questions[question.id].source}; keep one, or move the replacement to a later folder"
                )
            questions[question.id] = question
        for framework in bank.frameworks.values():
            if framework.id in frameworks:
                raise BankError(
                    f'{framework.source}: framework "{framework.id}" is also defined in '
                    f"{frameworks[framework.id].source}; keep one, or move the replacement to a later folder"
                )
            frameworks[framework.id] = framework
    return Banks(
        questions, frameworks, vocabulary, vocabulary_source=" and ".join(sorted(set(sources.values())))
    )


def merge(*banks: Banks) -> Banks:
    """Layers in order: a later bank adds questions, frameworks and words, and replaces earlier ones."""
    questions: dict[str, Question] = {}
    frameworks: dict[str, Framework] = {}
    vocabulary: dict[str, str] = {}
    for bank in banks:
        questions.update(bank.questions)
        frameworks.update(bank.frameworks)
        vocabulary.update(bank.vocabulary)
    return Banks(questions, frameworks, vocabulary)


def validate(banks: Banks) -> None:
    """Cross-checks after merging; a BankError names the file and the entry to fix."""
    if len(banks.frameworks) > FRAMEWORKS_MAX:
        files = sorted({where(f.source) for f in banks.frameworks.values()})
        raise BankError(
            f"{ALL_BANKS}: {len(banks.frameworks)} frameworks, but the start form's menu holds at most "
            f"{FRAMEWORKS_MAX} (Slack's limit); see {', '.join(files)}"
        )
    if DEFAULT_FRAMEWORK not in banks.frameworks:
        raise BankError(
            f'{ALL_BANKS}: the default framework "{DEFAULT_FRAMEWORK}" is missing '
            f"(frameworks: {listing(sorted(banks.frameworks))})"
        )
    for framework in banks.frameworks.values():
        _check_framework(framework)
    for question in banks.questions.values():
        _check_question(banks, question)
    for lens in LENSES:
        found = questions_in(banks, lens)
        if len(found) < MIN_QUESTIONS_PER_LENS:
            files = sorted({where(q.source) for q in found})
            raise BankError(
                f'{ALL_BANKS}: lens "{lens}" has {len(found)} {plural("question", found)} '
                f"(at least {MIN_QUESTIONS_PER_LENS} needed)" + (f"; see {', '.join(files)}" if files else "")
            )


def _check_framework(framework: Framework) -> None:
    entry = f'{where(framework.source)}: framework "{framework.id}"'
    if not framework.stages:
        raise BankError(f"{entry} has no stages")
    seen: set[str] = set()
    for stage in framework.stages:
        if stage.id in seen:
            raise BankError(f'{entry} has stage "{stage.id}" twice')
        seen.add(stage.id)
        for lens in stage.lenses:
            if lens not in LENSES:
                raise BankError(
                    f'{entry} stage "{stage.id}" has unknown lens "{lens}" (known: {listing(LENSES)})'
                )
        _check_conditions(f'{entry} stage "{stage.id}"', stage.requires)
        if problem := unsafe_wording(stage.prompt):
            raise BankError(f'{entry} stage "{stage.id}" has a prompt that {problem}')


def _check_question(banks: Banks, question: Question) -> None:
    entry = f'{where(question.source)}: question "{question.id}"'
    if question.lens not in LENSES:
        raise BankError(f'{entry} has unknown lens "{question.lens}" (known: {listing(LENSES)})')
    for audience in question.audience:
        if audience not in AUDIENCES:
            raise BankError(f'{entry} has unknown audience "{audience}" (known: {listing(AUDIENCES)})')
    _check_conditions(entry, question.requires)
    if problem := unsafe_wording(question.text):
        raise BankError(f"{entry} {problem}")
    for ref in question.stages:
        framework_id, _, stage_id = ref.partition(".")
        named = banks.frameworks.get(framework_id)
        if named is None:
            raise BankError(
                f'{entry} names stage "{ref}" of unknown framework "{framework_id}" '
                f"(frameworks: {listing(sorted(banks.frameworks))})"
            )
        if stage_id not in {s.id for s in named.stages}:
            raise BankError(
                f'{entry} names stage "{ref}", but framework "{framework_id}" has no stage '
                f'"{stage_id}" (stages: {listing(s.id for s in named.stages)})'
            )


def _check_conditions(entry: str, requires: tuple[str, ...]) -> None:
    for condition in requires:
        if condition not in CONDITIONS:
            raise BankError(
                f'{entry} requires unknown condition "{condition}" (known: {listing(CONDITIONS)})'
            )
