"""Reminders: the case's plan and cadence, the reminder ladder, snooze, reschedule, leave and cover.

PUBLIC: what other features may use (tests/test_feature_surfaces.py keeps it true).
"""

PUBLIC = {
    "blocks": ("answered",),
    "flows_agenda": ("agenda", "last_supervision", "told"),
    "flows_away": ("reply",),
    "flows_buttons": ("Clicked", "held"),
    "flows_offline": ("offline_discussion",),
    "flows_schedule": (
        "calendar",
        "case_calendar",
        "current_agreement",
        "following_due",
        "induction_until",
        "lead_of",
        "move_to",
        "plan_case",
        "plan_next",
        "plan_review",
        "replan",
        "replan_supervision",
    ),
    "flows_sweep": ("routing_facts", "timing"),
    "outbox": ("wait_for_working_hours",),
    "rules": ("ItemState", "Person", "Route", "routes", "showing"),
    "rules_agenda": ("day", "told_side_by_side"),
}
