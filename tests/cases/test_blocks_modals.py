from datetime import date

from bot.cases.blocks_modals import agreement_modal, read_agreement_form
from bot.cases.rules_agreements import AgreementForm
from bot.ids import Block


def _values_for(view, answers):
    """Build view.state.values the way Slack does, from the modal's own element types."""
    from bot.sandbox.payloads import state_values_from_inputs

    return state_values_from_inputs(view["blocks"], answers)


def test_agreement_modal_has_every_field_of_the_agreement():
    view = agreement_modal(channel_id="C1", today=date(2026, 11, 24))
    ids = {b["block_id"] for b in view["blocks"]}
    for block in (
        Block.REFERENCE,
        Block.COWORKERS,
        Block.LEAD,
        Block.DEVELOPING,
        Block.REASONS,
        Block.DISCUSSION_FREQUENCY,
        Block.DISCUSSION_CUSTOM,
        Block.DISCUSSION_DAY,
        Block.DISCUSSION_TIME,
        Block.RECORDER,
        Block.SUPERVISION_FREQUENCY,
        Block.LEARNING_GOALS,
        Block.INFORMATION_SHARING,
        Block.REVIEW_DATE,
    ):
        assert block in ids
    assert sum(i.startswith(Block.RESPONSIBILITY_PREFIX) for i in ids) == 10
    assert len(view["blocks"]) <= 100


def test_review_date_defaults_to_three_months():
    view = agreement_modal(channel_id="C1", today=date(2026, 11, 24))
    review = next(b for b in view["blocks"] if b["block_id"] == Block.REVIEW_DATE)
    assert review["element"]["initial_date"] == "2027-02-24"


def test_submitted_values_read_back_into_the_form():
    view = agreement_modal(channel_id="C1", today=date(2026, 11, 24))
    values = _values_for(
        view,
        {
            Block.REFERENCE: " CASE-2026-014 ",
            Block.COWORKERS: ["U1", "U2"],
            Block.LEAD: "U1",
            Block.DEVELOPING: ["U2"],
            Block.REASONS: ["learning", "safety"],
            f"{Block.RESPONSIBILITY_PREFIX}court": "co_worker",
            Block.DISCUSSION_FREQUENCY: "weekly",
            Block.DISCUSSION_DAY: "2",
            Block.DISCUSSION_TIME: "10:30",
            Block.RECORDER: "lead",
            Block.SUPERVISION_FREQUENCY: "fortnightly",
            Block.LEARNING_GOALS: "Chair the next core group with support",
            Block.REVIEW_DATE: "2027-02-01",
        },
    )
    form = read_agreement_form(values)
    assert form.reference == "CASE-2026-014"
    assert form.coworkers == ("U1", "U2") and form.lead == "U1" and form.developing == ("U2",)
    assert form.reasons == ("learning", "safety")
    assert form.responsibilities["court"] == "co_worker"
    assert form.discussion_frequency == "weekly" and form.discussion_weekday == 2
    assert form.discussion_time == "10:30" and form.recorder == "lead"
    assert form.review_date == date(2027, 2, 1)


def test_a_form_renders_back_into_the_modal_it_came_from():
    form = AgreementForm(
        reference="CP-1",
        coworkers=("U1", "U2"),
        lead="U2",
        review_date=date(2027, 1, 5),
        discussion_weekday=4,
    )
    view = agreement_modal(channel_id="C1", today=date(2026, 11, 24), form=form)
    by_id = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert by_id[Block.REFERENCE]["initial_value"] == "CP-1"
    assert by_id[Block.LEAD]["initial_user"] == "U2"
    assert by_id[Block.DISCUSSION_DAY]["initial_option"]["value"] == "4"
