"""Every measured fact of the review, as a pure function: examples, and properties over generated data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.review import rules

SINCE = datetime(2026, 9, 1, tzinfo=UTC)
NOW = datetime(2026, 12, 1, tzinfo=UTC)
TODAY = date(2026, 12, 1)
MATRIX = {"visits": "shared", "court": "lead", "liaison": "co_worker"}
LABELS = {"visits": "Visits", "court": "Presenting to court", "liaison": "Liaison with other agencies"}

moments = st.datetimes(min_value=datetime(2026, 6, 1), max_value=datetime(2027, 3, 1)).map(
    lambda d: d.replace(tzinfo=UTC)
)
statuses = st.sampled_from(["scheduled", "started", "held", "missed", "cancelled"])
items = st.builds(rules.ItemFact, st.sampled_from(["discussion", "supervision", "review"]), statuses, moments)


def test_discussions_count_those_due_since_and_held():
    found = [
        rules.ItemFact("discussion", "held", SINCE + timedelta(days=1)),
        rules.ItemFact("discussion", "missed", SINCE + timedelta(days=15)),
        rules.ItemFact("discussion", "scheduled", NOW + timedelta(days=1)),  # not due yet
        rules.ItemFact("discussion", "held", SINCE - timedelta(days=1)),  # before the period
        rules.ItemFact("supervision", "held", SINCE + timedelta(days=2)),  # another kind
        rules.ItemFact("discussion", "cancelled", SINCE + timedelta(days=3)),  # replanned away
    ]
    assert rules.discussions(found, since=SINCE, now=NOW) == (1, 2)


@given(st.lists(items, max_size=30))
def test_held_never_exceeds_planned_and_both_only_count_the_period(found):
    held, planned = rules.discussions(found, since=SINCE, now=NOW)
    assert 0 <= held <= planned
    assert planned == sum(
        i.kind == "discussion" and SINCE <= i.due_at <= NOW and i.status != "cancelled" for i in found
    )


def test_notes_on_time_late_and_missing():
    due = SINCE + timedelta(days=2)
    found = [
        rules.DiscussionFact(SINCE + timedelta(days=1), due, due - timedelta(hours=1)),  # on time
        rules.DiscussionFact(SINCE + timedelta(days=1), due, due + timedelta(hours=1)),  # late
        rules.DiscussionFact(SINCE + timedelta(days=1), due, None),  # missing: deadline passed
        rules.DiscussionFact(NOW - timedelta(hours=1), NOW + timedelta(days=1), None),  # not due yet
        rules.DiscussionFact(SINCE - timedelta(days=9), due, None),  # before the period
    ]
    assert rules.notes(found, since=SINCE, now=NOW) == (1, 1, 1)


discussion_facts = st.builds(rules.DiscussionFact, moments, st.none() | moments, st.none() | moments)


@given(st.lists(discussion_facts, max_size=30))
def test_each_discussion_in_the_period_is_counted_at_most_once(found):
    on_time, late, missing = rules.notes(found, since=SINCE, now=NOW)
    in_period = [d for d in found if d.started_at >= SINCE]
    assert on_time + late == sum(d.recorded_at is not None for d in in_period)
    assert on_time + late + missing <= len(in_period)


def test_actions_completed_open_and_overdue():
    made = SINCE + timedelta(days=1)
    found = [
        rules.ActionFact("done", TODAY - timedelta(days=5), made),
        rules.ActionFact("open", TODAY - timedelta(days=1), made),  # overdue
        rules.ActionFact("open", TODAY, made),  # due today: not overdue
        rules.ActionFact("open", None, made),
        rules.ActionFact("cannot", TODAY, made),
        rules.ActionFact("done", TODAY, SINCE - timedelta(days=1)),  # agreed before the period
    ]
    assert rules.actions(found, since=SINCE, today=TODAY) == (1, 3, 1)


action_facts = st.builds(
    rules.ActionFact, st.sampled_from(["open", "done", "cannot"]), st.none() | st.dates(), moments
)


@given(st.lists(action_facts, max_size=30))
def test_overdue_actions_are_a_subset_of_open_ones(found):
    completed, open_, overdue = rules.actions(found, since=SINCE, today=TODAY)
    assert 0 <= overdue <= open_
    assert completed + open_ <= sum(a.created_at >= SINCE for a in found)


def test_days_since_supervision():
    assert rules.days_since(None, NOW) is None
    assert rules.days_since(NOW - timedelta(days=12, hours=3), NOW) == 12


def test_a_responsibility_is_credited_only_with_records_tagged_with_it():
    records = [
        rules.Tagged("Home visit with mum #visits", "UALEX", SINCE + timedelta(days=3)),
        rules.Tagged("Second visit #Visits", "USAM", SINCE + timedelta(days=10)),
        rules.Tagged("Visited school, no tag", "USAM", SINCE + timedelta(days=11)),
        rules.Tagged("Old #court prep", "UALEX", SINCE - timedelta(days=1)),
        rules.Tagged("Unknown #gardening", "UALEX", SINCE + timedelta(days=1)),
    ]
    shown = dict(rules.responsibilities(MATRIX, LABELS, records, since=SINCE))
    assert shown["Visits"] == "2 recorded (<@UALEX> 1, <@USAM> 1)"
    assert shown["Presenting to court"] == rules.NOTHING_RECORDED
    assert shown["Liaison with other agencies"] == "nothing recorded"
    assert not any("not done" in v for v in shown.values())


@given(st.lists(st.builds(rules.Tagged, st.text(max_size=40), st.sampled_from(["UA", "UB"]), moments)))
def test_untagged_text_never_credits_a_responsibility(records):
    untagged = [rules.Tagged(r.text.replace("#", ""), r.who, r.at) for r in records]
    shown = rules.responsibilities(MATRIX, LABELS, untagged, since=SINCE)
    assert [what for _label, what in shown] == [rules.NOTHING_RECORDED] * len(MATRIX)


def test_the_form_is_answered_field_by_field():
    empty = rules.ReviewForm(answers={}, outcome=None, next_review=None)
    found = rules.problems(empty, today=TODAY)
    assert set(found) == {"plan", "sharing", "tasks", "issues", "progress", "outcome", "next"}
    ending = rules.ReviewForm({k: "yes" for k, _ in rules.QUESTIONS}, "end", None)
    assert rules.problems(ending, today=TODAY) == {}, "ending needs no next review"
    past = rules.ReviewForm({k: "yes" for k, _ in rules.QUESTIONS}, "continue", TODAY)
    assert "after today" in rules.problems(past, today=TODAY)["next"]


def test_the_thread_summary_leaves_out_the_developing_workers_progress():
    text = rules.thread_summary("CASE-<1>", "UMGR", "change", 4, date(2027, 3, 1))
    assert "*change*" in text and "note 4" in text and "Mon 1 Mar 2027" in text
    assert "CASE-&lt;1&gt;" in text
    assert "progress" not in text.lower()
