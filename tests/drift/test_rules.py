"""Every drift signal, at and either side of its threshold, and in the owner's or manager's own time zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.drift import rules
from bot.drift.rules_facts import (
    ActionFact,
    CaseFacts,
    DisagreementFact,
    DiscussionFact,
    ItemFact,
    Thresholds,
)

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
T = Thresholds()
ZONES = st.sampled_from(["Pacific/Auckland", "Europe/London", "America/Los_Angeles", "Asia/Kolkata", "UTC"])


def facts(**changes) -> CaseFacts:
    base = CaseFacts(
        case_id=1,
        reference="CASE-1",
        channel_id="C1",
        link=None,
        manager_id="UMGR",
        member_ids=("ULEAD", "UDEV"),
        developing_ids=("UDEV",),
        agreed_at=NOW - timedelta(weeks=20),
        review_date=NOW.date() + timedelta(days=10),
        learning={"UDEV": NOW - timedelta(days=1)},
    )
    return replace(base, **changes)


def kinds(found) -> list[str]:
    return [s.kind for s in found]


def test_a_quiet_case_has_no_signal_but_the_untagged_responsibilities_are_nothing_recorded():
    found = rules.signals(facts(responsibilities=("visits",)), NOW, T)
    assert kinds(found) == ["responsibility_unrecorded"]
    assert found[0].reason == "Nothing recorded against visits for 6 weeks"
    assert "not done" not in found[0].reason


def test_a_responsibility_with_a_tagged_record_lately_is_quiet_and_a_young_agreement_waits():
    tagged = facts(responsibilities=("visits", "reports"), tagged={"visits": NOW - timedelta(days=3)})
    assert [s.reason for s in rules.responsibilities_unrecorded(tagged, NOW, T)] == [
        "Nothing recorded against reports for 6 weeks"
    ]
    young = facts(responsibilities=("visits",), agreed_at=NOW - timedelta(weeks=5))
    assert rules.responsibilities_unrecorded(young, NOW, T) == []


@given(days=st.integers(0, 60), threshold=st.integers(1, 30))
def test_an_open_discussion_is_late_from_its_threshold_on(days, threshold):
    item = ItemFact("discussion", "scheduled", NOW - timedelta(days=days))
    found = rules.discussions_late(facts(items=(item,)), NOW, Thresholds(discussion_late_days=threshold))
    assert kinds(found) == (["discussion_late"] if days >= threshold else [])
    if found:
        assert found[0].reason == f"Discussion due {days} days ago not held yet"


def test_missed_discussions_count_inside_the_window_only():
    items = (
        ItemFact("discussion", "missed", NOW - timedelta(weeks=2)),
        ItemFact("discussion", "missed", NOW - timedelta(weeks=3)),
        ItemFact("discussion", "missed", NOW - timedelta(weeks=7)),
        ItemFact("supervision", "missed", NOW - timedelta(weeks=2)),
    )
    (found,) = rules.discussions_late(facts(items=items), NOW, T)
    assert found.reason == "2 discussions missed in the last 6 weeks"


def test_summaries_waiting_and_recorded_late():
    d = [
        DiscussionFact(NOW - timedelta(days=9), NOW - timedelta(days=8), None),
        DiscussionFact(NOW - timedelta(days=4), NOW - timedelta(days=3), None),
        DiscussionFact(NOW - timedelta(days=2), NOW - timedelta(days=1), NOW - timedelta(hours=1)),
        DiscussionFact(NOW - timedelta(hours=5), NOW + timedelta(days=1), None),  # not due yet
    ]
    found = rules.notes_late(facts(discussions=tuple(d)), NOW, T)
    assert [s.reason for s in found] == [
        "2 summaries not recorded, the oldest due 8 days ago",
        "1 note recorded late in the last 6 weeks",
    ]
    one = rules.notes_late(facts(discussions=(d[1],)), NOW, T)
    assert one[0].reason == "Summary not recorded, due 3 days ago"


@given(zone=ZONES, offset_hours=st.integers(-48, 48))
def test_an_action_is_overdue_once_its_day_has_passed_where_its_owner_is(zone, offset_hours):
    at = NOW + timedelta(hours=offset_hours)
    due = date(2026, 12, 1)
    action = ActionFact(3, 2, "UDEV", due, "open", zone)
    local = at.astimezone(ZoneInfo(zone)).date()
    found = rules.actions_overdue(facts(actions=(action,)), at, T)
    assert kinds(found) == (["action_overdue"] if local > due else [])
    if found:
        days = (local - due).days
        assert (
            found[0].reason == f"Action 2 of note 3 (<@UDEV>) overdue by {days} day{'' if days == 1 else 's'}"
        )
        assert found[0].owner_id == "UDEV"
    assert rules.actions_overdue(facts(actions=(replace(action, status="done"),)), at, T) == []


@given(weeks=st.integers(1, 8))
def test_one_voice_is_only_one_co_worker_replying_for_the_weeks(weeks):
    t = Thresholds(quiet_weeks=weeks)
    inside = NOW - timedelta(weeks=weeks) + timedelta(hours=1)
    lone = DiscussionFact(inside, None, None, frozenset({"ULEAD", "UMGR"}))  # the manager is not a co-worker
    (found,) = rules.one_voice(facts(discussions=(lone,)), NOW, t)
    assert found.reason == f"Only <@ULEAD> has replied in discussions for {weeks} weeks"
    both = DiscussionFact(inside, None, None, frozenset({"UDEV"}))
    assert rules.one_voice(facts(discussions=(lone, both)), NOW, t) == []
    outside = replace(lone, started_at=NOW - timedelta(weeks=weeks, hours=1))
    assert rules.one_voice(facts(discussions=(outside,)), NOW, t) == []


@given(days=st.integers(0, 40), threshold=st.integers(1, 30))
def test_a_difference_of_view_is_open_too_long_from_its_threshold(days, threshold):
    d = DisagreementFact(NOW - timedelta(days=days), recorded=False)
    found = rules.disagreements_open(facts(disagreements=(d,)), NOW, Thresholds(disagreement_days=threshold))
    assert kinds(found) == (["disagreement_open"] if days >= threshold else [])
    recorded = replace(d, recorded=True)
    assert (
        rules.disagreements_open(facts(disagreements=(recorded,)), NOW, Thresholds(disagreement_days=0)) == []
    )


@given(zone=ZONES, offset_hours=st.integers(-30, 30))
def test_the_review_date_passes_in_the_managers_own_calendar(zone, offset_hours):
    at = NOW + timedelta(hours=offset_hours)
    review = date(2026, 12, 1)
    found = rules.review_past(facts(review_date=review, manager_tz=zone), at, T)
    local = at.astimezone(ZoneInfo(zone)).date()
    assert kinds(found) == (["review_past"] if local > review else [])


@given(days=st.integers(0, 90))
def test_the_developing_worker_with_no_learning_entry_for_a_month(days):
    entry = facts(learning={"UDEV": NOW - timedelta(days=days)})
    found = rules.learning_quiet(entry, NOW, T)
    assert kinds(found) == (["learning_quiet"] if days >= 30 else [])
    none_yet = facts(learning={}, agreed_at=NOW - timedelta(days=days))
    found = rules.learning_quiet(none_yet, NOW, T)
    assert [s.reason for s in found] == (["<@UDEV> (developing): no learning entry"] if days >= 30 else [])


def test_supervision_overdue_from_the_schedule_items():
    late = ItemFact("supervision", "scheduled", NOW - timedelta(days=9))
    assert [s.reason for s in rules.supervision_overdue(facts(items=(late,)), NOW, T)] == [
        "Supervision overdue: due 9 days ago"
    ]
    soon = ItemFact("supervision", "scheduled", NOW - timedelta(days=6))
    assert rules.supervision_overdue(facts(items=(soon,)), NOW, T) == []
    missed = ItemFact("supervision", "missed", NOW - timedelta(days=20))
    held_after = ItemFact("supervision", "held", NOW - timedelta(days=10))
    assert rules.supervision_overdue(facts(items=(missed,)), NOW, T)[0].kind == "supervision_overdue"
    assert rules.supervision_overdue(facts(items=(missed, held_after)), NOW, T) == []


def test_attention_sums_the_weights():
    items = (ItemFact("supervision", "scheduled", NOW - timedelta(days=9)),)
    assert rules.attention(rules.signals(facts(items=items), NOW, T)) == 3
