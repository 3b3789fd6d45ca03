"""The question banks: the shipped files, an organisation's additions, and the errors a bad file gives."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.content import BANKS, Content, load_banks
from bot.deps import load_content
from bot.discussions.blocks import StartContext, start_modal
from bot.discussions.rules_banks import (
    AUDIENCES,
    DEFAULT_FRAMEWORK,
    FRAMEWORKS_MAX,
    LENSES,
    NAME_MAX,
    BankError,
    Banks,
    Framework,
    Question,
    Stage,
    fits,
    merge,
    parse_bank,
    questions_for,
    questions_in,
    validate,
)
from bot.sandbox.validation import view_errors

SHIPPED = load_banks([BANKS])
NO_DEFAULT = r'^question banks: the default framework "critical_friend" is missing'

STAGE_ORDER = {  # PRACTICE.md section 3
    "critical_friend": ["focus", "clarifying", "probing", "childs_voice", "next_steps"],
    "reflective_cycle": ["experience", "reflection", "analysis", "action_planning"],
    "gibbs": ["description", "feelings", "evaluation", "analysis", "conclusion", "action_plan"],
    "three_questions": ["worries", "working_well", "needs_to_happen", "scaling"],
    "te_whare_tapa_wha": ["taha_tinana", "taha_hinengaro", "taha_wairua", "taha_whanau", "whenua", "balance"],
    "fonofale": ["foundation", "roof", "posts", "surroundings", "strengths_support"],
    "structured_review": [
        "presenter_outlines",
        "agree_focus",
        "clarifying",
        "hypotheses",
        "test_options",
        "who_does_what",
        "plan_evaluation",
        "reflection",
    ],
    "review_of_progress": [
        "evidence",
        "missing_perspectives",
        "helped_hindered",
        "teamwork",
        "keep_change_handover",
    ],
    "aspire": ["assessment", "support_required", "planning", "implementation", "review", "evaluation"],
}


# -------------------------------------------------------------------------- shipped
def test_every_lens_has_at_least_eight_questions():
    counts = Counter(q.lens for q in SHIPPED.questions.values())
    assert {lens: counts[lens] for lens in LENSES if counts[lens] < 8} == {}
    assert set(counts) == set(LENSES)


def test_the_frameworks_and_their_stages_are_in_practice_order():
    assert {f: [s.id for s in fw.stages] for f, fw in SHIPPED.frameworks.items()} == STAGE_ORDER
    assert DEFAULT_FRAMEWORK == "critical_friend"


def test_structured_review_has_its_roles_and_three_questions_ends_with_scaling():
    assert SHIPPED.framework("structured_review").roles == ("presenter", "facilitator", "recorder")
    scaling = [s.id for fw in SHIPPED.frameworks.values() for s in fw.stages if s.scaling]
    assert scaling == ["scaling"]
    stage = SHIPPED.framework("three_questions").stage("scaling")
    assert re.search(r"0 to 10", stage.prompt)
    assert "not lower" in stage.prompt
    assert "up one" in stage.prompt


def test_question_and_prompt_wording():
    texts = [q.text for q in SHIPPED.questions.values()]
    prompts = [s.prompt for fw in SHIPPED.frameworks.values() for s in fw.stages]
    assert [t for t in texts + prompts if not t.endswith("?")] == []
    normalised = Counter(re.sub(r"\W+", " ", t.lower()).strip() for t in texts)
    assert [t for t, n in normalised.items() if n > 1] == []
    leading = re.compile(r"^(don't you|do you not|shouldn't|wouldn't it|isn't it|surely)", re.IGNORECASE)
    assert [t for t in texts if leading.search(t)] == []
    assert [t for t in texts if t.count("?") > 1] == [], "one question at a time"


def test_question_ids_start_with_their_lens_and_come_from_the_shipped_file():
    assert [q.id for q in SHIPPED.questions.values() if not q.id.startswith(q.lens + ".")] == []
    assert {q.source for q in SHIPPED.questions.values()} == {"prompts/banks/lenses.toml"}
    assert {f.source for f in SHIPPED.frameworks.values()} == {"prompts/banks/frameworks.toml"}


def test_audiences_learning_is_mostly_for_the_developing_worker():
    learning = questions_in(SHIPPED, "learning")
    assert sum("developing" in q.audience for q in learning) > len(learning) * 2 / 3
    for audience in AUDIENCES:
        assert len([q for q in SHIPPED.questions.values() if audience in q.audience]) >= 20, audience


def test_every_stage_that_lists_lenses_has_a_question_to_follow_its_prompt():
    thin = [
        f"{fw.id}.{stage.id}"
        for fw in SHIPPED.frameworks.values()
        for stage in fw.stages
        if stage.lenses and not questions_for(SHIPPED, fw.id, stage.id)
    ]
    assert thin == []


def test_a_question_follows_a_stage_only_from_a_lens_that_fits_it():
    for fw in SHIPPED.frameworks.values():
        for stage in fw.stages:
            found = questions_for(SHIPPED, fw.id, stage.id)
            assert {q.lens for q in found} <= set(stage.lenses), f"{fw.id}.{stage.id}"
    # issue 22: what was asked under a Māori or Pacific heading though it only shared a tag
    for framework, stage, question in [
        ("te_whare_tapa_wha", "taha_wairua", "culture.values_decisions"),
        ("te_whare_tapa_wha", "whenua", "childs_voice.safest"),
        ("fonofale", "roof", "culture.whanau_aiga"),
        ("three_questions", "worries", "risk.strengths"),
    ]:
        assert question not in {q.id for q in questions_for(SHIPPED, framework, stage)}


def test_culture_lens_speaks_of_family_identity_and_cultural_advice():
    text = " ".join(q.text for q in questions_in(SHIPPED, "culture")).lower()
    for word in ("family", "who they are", "cultural advice", "in the family's own word"):
        assert word in text
    assert not [q.id for q in questions_in(SHIPPED, "culture") if "housing" in q.text]  # surroundings


def test_fonofale_is_pan_pacific_and_names_all_four_pou():
    fonofale = SHIPPED.framework("fonofale")
    assert "aiga" not in " ".join(s.title + s.prompt for s in fonofale.stages)
    assert "in the family's own word" in fonofale.stage("foundation").prompt
    for word in ("gender", "sexuality", "age", "socio-economic status"):
        assert word in fonofale.stage("posts").prompt and word in fonofale.summary
    assert fonofale.stage("surroundings").lenses == ("risk",)
    assert "risk.pressures" in {q.id for q in questions_for(SHIPPED, "fonofale", "surroundings")}
    for model in (fonofale, SHIPPED.framework("te_whare_tapa_wha")):
        assert "cultural advice, not about them" in model.summary


def test_he_pikorua_names_ata_whakaaro_and_aspire_is_a_framework():
    review = SHIPPED.framework("review_of_progress")
    assert review.stage("helped_hindered").title.startswith("Āta whakaaro (making sense)")
    assert "He Pikorua" in review.name
    aspire = SHIPPED.framework("aspire")
    assert [s.title for s in aspire.stages] == [
        "Assessment",
        "Support required",
        "Planning",
        "Implementation",
        "Review",
        "Evaluation",
    ]


def test_the_questions_practice_guidance_asks_for_are_in_the_banks():
    texts = {q.text for q in SHIPPED.questions.values()}
    for wanted in (
        "How many times has the family had to tell their story, and to which services?",
        "What have we promised the family, and have we kept it?",
        "Who are we each assuming is keeping the child safe?",
        "What have we tried at school that the family could try at home, and what works at home that "
        "school could try?",
        "What in the adults' lives shows up in the child's day, for better or worse?",
        "Have we asked the child how safe they feel?",
    ):
        assert wanted in texts
    assert "When will we next look at this together?" not in texts  # casebot schedules it


def test_questions_that_need_a_number_or_no_focus_say_so():
    requires = {q.id: q.requires for q in SHIPPED.questions.values() if q.requires}
    assert requires == {
        "clarifying.focus": ("no_focus",),
        "risk.numbers_differ": ("scores_given",),
        "risk.up_one": ("scores_given",),
        "risk.not_lower": ("scores_given",),
    }
    assert SHIPPED.framework("critical_friend").stage("focus").requires == ("no_focus",)


def test_content_loads_the_banks_once():
    assert Content().banks == SHIPPED


# ------------------------------------------------------------------ picker helpers
def test_questions_in_a_lens_are_sorted_by_id():
    ids = [q.id for q in questions_in(SHIPPED, "risk")]
    assert ids == sorted(ids)
    assert all(i.startswith("risk.") for i in ids)
    with pytest.raises(BankError, match='unknown lens "risky"'):
        questions_in(SHIPPED, "risky")


def test_a_question_fits_a_stage_by_tag_and_by_lens_both():
    stage = Stage("feelings", "Feelings", "How did it feel?", lenses=("learning",))
    both = Question("learning.a", "learning", "A?", stages=("gibbs.feelings",))
    tag_only = Question("risk.a", "risk", "A?", stages=("gibbs.feelings",))
    lens_only = Question("learning.b", "learning", "B?")
    assert fits(both, "gibbs", stage)
    assert not fits(tag_only, "gibbs", stage)  # shares a tag, but its lens is not the stage's
    assert not fits(lens_only, "gibbs", stage)
    assert not fits(both, "reflective_cycle", stage)  # the tag names gibbs' stage, not this one


def test_questions_for_a_stage_are_tagged_of_its_lenses_and_filter_by_audience():
    found = questions_for(SHIPPED, "three_questions", "worries")
    assert found and all("three_questions.worries" in q.stages and q.lens == "risk" for q in found)
    assert [q.id for q in found] == sorted(q.id for q in found)
    for_manager = questions_for(SHIPPED, "gibbs", "conclusion", audience="manager")
    assert for_manager
    assert all("manager" in q.audience for q in for_manager)


def test_an_unknown_framework_or_stage_is_a_clear_key_error():
    with pytest.raises(
        KeyError, match=r'no framework "gibs" \(frameworks: aspire, critical_friend, fonofale'
    ):
        SHIPPED.framework("gibs")
    with pytest.raises(BankError, match=r'framework "gibbs" has no stage "feeling" \(stages: description'):
        SHIPPED.framework("gibbs").stage("feeling")


def test_merge_adds_and_replaces_by_id_in_order():
    a = Banks({"risk.a": Question("risk.a", "risk", "Old?"), "risk.b": Question("risk.b", "risk", "B?")})
    b = Banks({"risk.a": Question("risk.a", "risk", "New?"), "risk.c": Question("risk.c", "risk", "C?")})
    merged = merge(a, b)
    texts = {k: q.text for k, q in merged.questions.items()}
    assert texts == {"risk.a": "New?", "risk.b": "B?", "risk.c": "C?"}
    assert merge(b, a).questions["risk.a"].text == "Old?"


def test_validate_without_a_file_names_the_banks():
    with pytest.raises(BankError, match=NO_DEFAULT):
        validate(Banks())
    framework = Framework(DEFAULT_FRAMEWORK, "CF", "S", (Stage("a", "A", "A?"),))
    questions = {f"{lens}.{i}": Question(f"{lens}.{i}", lens, "Q?") for lens in LENSES for i in range(8)}
    validate(Banks(questions, {DEFAULT_FRAMEWORK: framework}))
    del questions["roles.3"]
    with pytest.raises(BankError, match=r'^question banks: lens "roles" has 7 questions \(at least 8 needed'):
        validate(Banks(questions, {DEFAULT_FRAMEWORK: framework}))


def test_parse_keeps_multi_line_text_on_one_line():
    data = {"question": [{"id": "risk.a", "lens": "risk", "text": "What worries\n   you most?"}]}
    assert parse_bank("f.toml", data).questions["risk.a"].text == "What worries you most?"


# ------------------------------------------------------------- an organisation's folder
ORG_FRAMEWORK = """
[[framework]]
id = "fonofale"
name = "Fonofale (our version)"
summary = "Our organisation's wording."

[[framework.stage]]
id = "foundation"
title = "Aiga"
prompt = "Which relationships make up the child's aiga?"
lenses = ["culture"]

[[framework.stage]]
id = "roof"
title = "Roof"
prompt = "What shelters the family?"

[[framework.stage]]
id = "posts"
title = "Posts"
prompt = "Which posts stand firm?"

[[framework.stage]]
id = "surroundings"
title = "Surroundings"
prompt = "What surrounds the family?"

[[framework.stage]]
id = "strengths_support"
title = "Support"
prompt = "Who should be involved?"
"""

ORG_QUESTIONS = """
[[question]]
id = "risk.main_worry"
lens = "risk"
text = "What keeps you awake about this child?"
stages = ["three_questions.worries"]
audience = ["coworkers"]

[[question]]
id = "culture.kaumatua"
lens = "culture"
text = "Which kaumātua or elders could we ask for guidance?"
stages = ["te_whare_tapa_wha.taha_wairua", "fonofale.foundation"]
audience = ["coworkers", "manager"]
"""


def org_folder(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "org"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    return folder


def test_an_organisation_adds_and_replaces_questions_and_frameworks(tmp_path):
    folder = org_folder(tmp_path, questions=ORG_QUESTIONS, frameworks=ORG_FRAMEWORK)
    banks = load_banks([BANKS, folder])
    assert banks.questions["risk.main_worry"].text == "What keeps you awake about this child?"
    assert banks.questions["risk.main_worry"].source == str(folder / "questions.toml")
    assert banks.questions["culture.kaumatua"].audience == ("coworkers", "manager")
    assert len(banks.questions) == len(SHIPPED.questions) + 1
    assert banks.framework("fonofale").name == "Fonofale (our version)"
    assert banks.framework("gibbs") == SHIPPED.framework("gibbs")
    assert banks.questions["clarifying.focus"] == SHIPPED.questions["clarifying.focus"]
    assert Content(bank_folders=[folder]).banks == banks
    assert SHIPPED.questions["risk.main_worry"].text == "What worries you most for this child right now?"


def test_a_later_folder_replaces_an_earlier_one(tmp_path):
    first = org_folder(tmp_path, questions=ORG_QUESTIONS)
    second = tmp_path / "team"
    second.mkdir()
    (second / "q.toml").write_text(ORG_QUESTIONS.replace("keeps you awake", "worries you"), encoding="utf-8")
    banks = load_banks([BANKS, first, second])
    assert banks.questions["risk.main_worry"].text == "What worries you about this child?"


def test_replacing_a_framework_that_drops_a_tagged_stage_names_the_question(tmp_path):
    dropped = ORG_FRAMEWORK.replace('id = "posts"', 'id = "pou"')
    folder = org_folder(tmp_path, frameworks=dropped)
    with pytest.raises(
        BankError,
        match=r'^prompts/banks/lenses\.toml: question "\w+\.\w+" names stage "fonofale\.posts", '
        r'but framework "fonofale" has no stage "posts" \(stages: foundation, roof, pou,',
    ):
        load_banks([BANKS, folder])


def test_an_empty_folder_changes_nothing(tmp_path):
    assert load_banks([BANKS, org_folder(tmp_path)]) == SHIPPED


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(BankError, match=re.escape(f"{tmp_path / 'nowhere'}: not a folder")):
        load_banks([BANKS, tmp_path / "nowhere"])


# ------------------------------------------------------------------------- bad files
Q = '[[question]]\nid = "org.x"\nlens = "risk"\ntext = "What next?"\n'
F = '[[framework]]\nid = "org_fw"\nname = "Ours"\nsummary = "Ours."\n'
S = '[[framework.stage]]\nid = "a"\ntitle = "A"\nprompt = "A?"\n'
BAD = {
    "unknown lens": (
        Q.replace('"risk"', '"risky"'),
        r'question "org\.x" has unknown lens "risky" \(known: clarifying, assumptions, childs_voice,',
    ),
    "missing text": (Q.replace('text = "What next?"\n', ""), r'question "org\.x" is missing "text"'),
    "empty text": (Q.replace('"What next?"', '"  "'), r'question "org\.x" has an empty "text"'),
    "text as a number": (Q.replace('"What next?"', "3"), r'question "org\.x" has "text" as a number'),
    "stages as text": (
        Q + 'stages = "gibbs.feelings"\n',
        r'question "org\.x" has "stages" as text; it should be a list of text',
    ),
    "stage not text": (Q + "stages = [1]\n", r'question "org\.x" has a number 1 in "stages"'),
    "unknown condition": (
        Q + 'requires = ["a_number"]\n',
        r'question "org\.x" has unknown condition "a_number" \(known: scores_given, no_focus\)',
    ),
    "a stage's unknown condition": (
        F + S + 'requires = ["focus"]\n',
        r'framework "org_fw" stage "a" has unknown condition "focus" \(known: scores_given, no_focus\)',
    ),
    "duplicate id": (Q + Q, r'question "org\.x" is defined twice \(entries #1 and #2\)'),
    "unknown audience": (
        Q + 'audience = ["managers"]\n',
        r'question "org\.x" has unknown audience "managers" \(known: coworkers, manager, developing\)',
    ),
    "empty audience": (Q + "audience = []\n", r'question "org\.x" has an empty "audience"'),
    "repeated audience": (
        Q + 'audience = ["manager", "manager"]\n',
        r'question "org\.x" has "manager" twice in "audience"',
    ),
    "typo in a key": (
        Q + 'stage = ["gibbs.feelings"]\n',
        r'question "org\.x" has unknown key "stage" \(allowed: id, lens, text, stages, audience, requires\)',
    ),
    "stage not framework.stage": (
        Q + 'stages = ["feelings"]\n',
        r'question "org\.x" has stage "feelings": write "framework\.stage"',
    ),
    "no such stage": (
        Q + 'stages = ["critical_friend.probe"]\n',
        r'question "org\.x" names stage "critical_friend\.probe", but framework "critical_friend" has no '
        r'stage "probe" \(stages: focus, clarifying, probing, childs_voice, next_steps\)',
    ),
    "no such framework": (
        Q + 'stages = ["gibs.feelings"]\n',
        r'question "org\.x" names stage "gibs\.feelings" of unknown framework "gibs"',
    ),
    "no id": (Q.replace('id = "org.x"\n', ""), r'question #1 is missing "id"'),
    "bad id": (Q.replace('"org.x"', '"Org X"'), r'question "Org X" has id "Org X"; use lower-case'),
    "question not a table": ("question = [1]\n", r"question #1 should be a table, not a number"),
    "question as one table": (
        Q.replace("[[question]]", "[question]"),
        r'"question" is a table; write each one as a \[\[question\]\] table',
    ),
    "unknown top-level key": (
        Q.replace("[[question]]", "[[questions]]"),
        r'unknown top-level key "questions" \(a bank file holds \[\[question\]\] and \[\[framework\]\]',
    ),
    "framework without stages": (F, r'framework "org_fw" has no stages: add \[\[framework\.stage\]\]'),
    "duplicate stage": (F + S + S, r'framework "org_fw" has stage "a" twice'),
    "duplicate framework": (F + S + F + S, r'framework "org_fw" is defined twice \(entries #1 and #2\)'),
    "stage with unknown lens": (
        F + S + 'lenses = ["risky"]\n',
        r'framework "org_fw" stage "a" has unknown lens "risky" \(known: clarifying,',
    ),
    "stage missing prompt": (
        F + S.replace('prompt = "A?"\n', ""),
        r'framework "org_fw" stage "a" is missing "prompt"',
    ),
    "stage without id": (F + S.replace('id = "a"\n', ""), r'framework "org_fw" stage #1 is missing "id"'),
    "scaling not true or false": (
        F + S + 'scaling = "yes"\n',
        r'framework "org_fw" stage "a" has "scaling" as text; it should be true or false',
    ),
    "typo in a framework key": (
        F.replace("summary", "sumary") + S,
        r'framework "org_fw" has unknown key "sumary"',
    ),
    "typo in a stage key": (
        F + S + 'lens = ["risk"]\n',
        r'framework "org_fw" stage "a" has unknown key "lens"',
    ),
    "framework missing name": (F.replace('name = "Ours"\n', "") + S, r'framework "org_fw" is missing "name"'),
    "roles not a list": (F + 'roles = "presenter"\n' + S, r'framework "org_fw" has "roles" as text'),
    "framework name over 75": (
        F.replace('"Ours"', '"' + "Our own framework " * 5 + '"') + S,
        r'framework "org_fw" has a "name" of 89 characters; it is shown as a choice in the start form, '
        r"where at most 75 fit$",
    ),
    "framework id over 150": (
        F.replace('"org_fw"', '"' + "o" * 151 + '"') + S,
        r'framework "o{151}" has an id of 151 characters; Slack takes at most 150$',
    ),
    "question over 1000": (
        Q.replace('"What next?"', '"' + "What next? " * 100 + '"'),
        r'question "org\.x" has a "text" of 1099 characters; it is shown in the case thread, '
        r"where at most 1000 fit$",
    ),
    "stage prompt over 1000": (
        F + S.replace('"A?"', '"' + "A? " * 400 + '"'),
        r'framework "org_fw" stage "a" has a "prompt" of 1199 characters',
    ),
    "stage title over 150": (
        F + S.replace('title = "A"', 'title = "' + "A" * 151 + '"'),
        r'framework "org_fw" stage "a" has a "title" of 151 characters',
    ),
    "eleven roles": (
        F + "roles = [" + ", ".join(f'"r{n}"' for n in range(11)) + "]\n" + S,
        r'framework "org_fw" has 11 "roles"; at most 10 fit in Slack',
    ),
    "a role over 75": (
        F + 'roles = ["' + "r" * 76 + '"]\n' + S,
        r'framework "org_fw" has an entry of 76 characters in "roles"; at most 75 fit in Slack',
    ),
}


@pytest.mark.parametrize("text, message", BAD.values(), ids=BAD.keys())
def test_a_bad_file_names_the_file_and_the_entry(tmp_path, text, message):
    folder = org_folder(tmp_path, ours=text)
    with pytest.raises(BankError, match="^" + re.escape(str(folder / "ours.toml")) + ": " + message):
        load_banks([BANKS, folder])


def test_a_toml_syntax_error_names_the_file(tmp_path):
    folder = org_folder(tmp_path, broken='[[question]]\nid = "org.x\n')
    named = "^" + re.escape(str(folder / "broken.toml"))
    with pytest.raises(BankError, match=named + r": not valid TOML: .*line 2"):
        load_banks([BANKS, folder])


def test_a_file_that_is_not_utf8_names_the_file(tmp_path):
    folder = org_folder(tmp_path)
    (folder / "latin.toml").write_bytes('[[question]]\ntext = "wh\xe4nau"\n'.encode("latin-1"))
    with pytest.raises(BankError, match="^" + re.escape(str(folder / "latin.toml")) + ": not UTF-8"):
        load_banks([BANKS, folder])


def test_the_same_id_in_two_files_of_one_folder_names_both(tmp_path):
    folder = org_folder(tmp_path, a=ORG_QUESTIONS, b=ORG_QUESTIONS)
    with pytest.raises(
        BankError,
        match=re.escape(f'{folder / "b.toml"}: question "risk.main_worry" is also defined in ')
        + re.escape(str(folder / "a.toml")),
    ):
        load_banks([BANKS, folder])


def test_a_lens_with_too_few_questions_and_a_missing_default_are_named(tmp_path):
    only_frameworks = tmp_path / "only"
    only_frameworks.mkdir()
    (only_frameworks / "f.toml").write_text((BANKS / "frameworks.toml").read_text(encoding="utf-8"), "utf-8")
    with pytest.raises(BankError, match=r'^question banks: lens "clarifying" has 0 questions \(at least 8'):
        load_banks([only_frameworks])
    with pytest.raises(BankError, match=NO_DEFAULT):
        load_banks([org_folder(tmp_path)])


def test_a_shipped_file_is_named_by_its_path_in_the_repository(tmp_path):
    lens_count = Counter(q.lens for q in SHIPPED.questions.values())["clarifying"]
    assert lens_count >= 8
    ids = [q.id for q in questions_in(SHIPPED, "clarifying")]
    folder = org_folder(tmp_path)
    replaced = "".join(
        f'[[question]]\nid = "{i}"\nlens = "risk"\ntext = "Moved?"\n' for i in ids[: lens_count - 7]
    )
    (folder / "moves.toml").write_text(replaced, encoding="utf-8")
    with pytest.raises(BankError, match=r'"clarifying" has 7 questions .*; see prompts/banks/lenses\.toml$'):
        load_banks([BANKS, folder])


def frameworks_file(count: int) -> str:
    return "".join(F.replace("org_fw", f"org_fw_{n}") + S for n in range(count))


def test_more_frameworks_than_the_start_form_can_offer_are_refused(tmp_path):
    room = FRAMEWORKS_MAX - len(SHIPPED.frameworks)
    assert len(load_banks([BANKS, org_folder(tmp_path, ours=frameworks_file(room))]).frameworks) == 100
    folder = org_folder(tmp_path, ours=frameworks_file(room + 1))
    with pytest.raises(
        BankError,
        match=r"^question banks: 101 frameworks, but the start form's menu holds at most 100 "
        r"\(Slack's limit\); see "
        + re.escape(str(folder / "ours.toml"))
        + ", prompts/banks/frameworks.toml$",
    ):
        load_banks([BANKS, folder])


def test_a_bank_slack_would_refuse_stops_start_up_with_one_line(tmp_path):
    org_folder(tmp_path, ours=F.replace('"Ours"', '"' + "x" * 76 + '"') + S)
    with pytest.raises(ConfigError) as refused:
        load_content(load_settings({"CASEBOT_BANK_FOLDER": str(tmp_path / "org")}))
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(
        f'CASEBOT_BANK_FOLDER: {tmp_path / "org" / "ours.toml"}: framework "org_fw" has'
    )
    assert message.endswith("at most 75 fit")


def test_every_framework_fits_the_start_form(tmp_path):
    """The start form built from the largest banks allowed is a view Slack accepts."""
    banks = load_banks(
        [BANKS, org_folder(tmp_path, ours=frameworks_file(FRAMEWORKS_MAX - len(SHIPPED.frameworks)))]
    )
    names = {fid: f.name for fid, f in banks.frameworks.items()}
    names["org_fw_0"] = "x" * NAME_MAX
    view = start_modal(reference="CASE-1", frameworks=names, chosen="org_fw_0", context_=StartContext(1))
    assert view_errors(view) == []
