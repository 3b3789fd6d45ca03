from datetime import date

import pytest

from bot.cases.rules_agreements import AgreementForm, custom_recurrence_problem, validate
from bot.cases.rules_references import looks_like_name, reference_problem
from bot.config import DEFAULT_REFERENCE_PATTERN
from bot.ids import Block
from bot.kernel.rules_permissions import UserFacts

TODAY = date(2026, 11, 24)
PEOPLE = {"U1": UserFacts(True), "U2": UserFacts(True), "U3": UserFacts(True)}


def form(**changes) -> AgreementForm:
    base = dict(
        reference="CASE-2026-014",
        coworkers=("U1", "U2"),
        lead="U1",
        developing=("U2",),
        review_date=date(2027, 2, 24),
    )
    return AgreementForm(**{**base, **changes})


def check(f: AgreementForm, *, users=PEOPLE, in_use=False) -> dict[str, str]:
    return validate(
        f, today=TODAY, reference_pattern=DEFAULT_REFERENCE_PATTERN, users=users, reference_in_use=in_use
    )


def test_a_complete_agreement_has_no_errors():
    assert check(form()) == {}


@pytest.mark.parametrize("reference", ["Jane Smith", "SMITH", "Jayden-2014", "Aroha Ngata 12", "jane"])
def test_references_that_look_like_names_are_refused(reference):
    assert looks_like_name(reference)
    assert "person's name" in check(form(reference=reference))[Block.REFERENCE]


@pytest.mark.parametrize("reference", ["CASE-2026-014", "RTLB/0042", "CP-118", "2026-77"])
def test_organisation_references_are_accepted(reference):
    assert reference_problem(reference, DEFAULT_REFERENCE_PATTERN) is None


def test_reference_outside_the_configured_pattern_is_refused():
    assert "format" in check(form(reference="CASE 2026 014"))[Block.REFERENCE]
    assert reference_problem("CASE-1", r"^CP-\d{4}$") is not None


def test_reference_already_open_is_refused():
    assert "already open" in check(form(), in_use=True)[Block.REFERENCE]


def test_fewer_than_two_coworkers_is_refused():
    assert "at least two" in check(form(coworkers=("U1",), developing=()))[Block.COWORKERS]


def test_duplicate_coworkers_are_refused():
    assert "only once" in check(form(coworkers=("U1", "U1")))[Block.COWORKERS]


@pytest.mark.parametrize(
    ("facts", "words"),
    [
        (UserFacts(False), "can't find"),
        (UserFacts(True, is_bot=True), "an app"),
        (UserFacts(True, deleted=True), "deactivated"),
    ],
)
def test_unknown_bot_or_deactivated_coworkers_are_refused(facts, words):
    assert words in check(form(), users={**PEOPLE, "U2": facts})[Block.COWORKERS]


def test_lead_must_be_among_the_coworkers():
    assert "must be one of the co-workers" in check(form(lead="U3"))[Block.LEAD]


def test_developing_workers_must_be_coworkers():
    assert Block.DEVELOPING in check(form(developing=("U3",)))


@pytest.mark.parametrize(
    ("review", "words"),
    [
        (TODAY, "after today"),
        (date(2026, 1, 1), "after today"),
        (date(2030, 1, 1), "within two years"),
        (None, "Choose"),
    ],
)
def test_bad_review_dates_are_refused(review, words):
    assert words in check(form(review_date=review))[Block.REVIEW_DATE]


def test_custom_cadence_must_be_understood():
    assert Block.DISCUSSION_CUSTOM in check(form(discussion_frequency="custom", discussion_custom="whenever"))
    assert check(form(discussion_frequency="custom", discussion_custom="every 3 weeks")) == {}
    assert custom_recurrence_problem("FREQ=WEEKLY;INTERVAL=3") is None
    assert custom_recurrence_problem("") is not None


def test_every_problem_is_reported_at_once():
    errors = check(form(reference="Jane Smith", coworkers=("U1",), lead="U3", review_date=None))
    assert set(errors) == {Block.REFERENCE, Block.COWORKERS, Block.LEAD, Block.DEVELOPING, Block.REVIEW_DATE}


def test_the_expected_recorder_follows_the_agreement():
    from bot.cases.rules_agreements import expected_recorders

    assert expected_recorders("lead", lead_id="UA", others=["UB"], turn=3) == ("UA",)
    assert expected_recorders("co_worker", lead_id="UA", others=["UB", "UC"], turn=1) == ("UB", "UC")
    taking_turns = [expected_recorders("rotating", lead_id="UA", others=["UB"], turn=n) for n in (1, 2, 3)]
    assert taking_turns == [("UA",), ("UB",), ("UA",)]
    assert expected_recorders("co_worker", lead_id="UA", others=[], turn=1) == ("UA",)
