"""After a review plans the next one, the card, the supervision agenda's facts, the drift signal and the
change form all use that date, not the agreement's old one (the agreement post keeps its own)."""

from __future__ import annotations

from datetime import date

from bot.cases import flows_change
from bot.drift import flows as drift
from bot.ids import Block
from bot.reminders import flows_agenda as agenda
from bot.review import blocks as form
from bot.sandbox.harness import CASE_CHANNEL, MANAGER
from storage import repository as repo
from storage.models import Case
from tests.journey import open_case
from tests.reminder_steps import rows
from tests.review.test_slack import answers, review_form


def test_a_reviews_next_date_is_the_review_date_everywhere_after_it(sandbox):
    box = sandbox
    card = open_case(box)
    (case,) = rows(box, Case)
    with box.deps.sessions() as session:
        agreed = repo.load_case(session, case_id=case.id).agreements[0].review_date
    given = answers(box)
    planned = given[form.NEXT]
    assert not (box.driver.submit(MANAGER, review_form(box), given).json or {}).get("errors")
    box.deps.executor.wait_idle()
    shown = box.emu.message(CASE_CHANNEL, card["ts"])
    text = str(shown["blocks"])
    day = date.fromisoformat(planned)
    assert f"Review by {day:%d %b %Y}" in text and f"Review by {agreed:%d %b %Y}" not in text
    now = box.deps.clock()
    with box.deps.sessions() as session:
        loaded = repo.load_case(session, case_id=case.id)
        (facts,) = drift.facts_for(session, [loaded], now=now)
        assert facts.review_date == day
        assert agenda.facts(session, loaded, now=now).review_date == day
        view = flows_change.change_view(box.deps, session, loaded, now=now)
    (picker,) = [b for b in view["blocks"] if b.get("block_id") == Block.REVIEW_DATE]
    assert picker["element"]["initial_date"] == planned
    assert planned != agreed.isoformat(), "the review planned a different date from the agreement's"
