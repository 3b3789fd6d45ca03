"""Reminders: the case's plan and cadence, the reminder ladder, snooze, reschedule, leave and cover.

PUBLIC: what other features may use (tests/test_feature_surfaces.py keeps it true).
"""

PUBLIC = {
    "blocks": ("answered",),
    "flows_away": ("reply",),
    "flows_buttons": ("Clicked", "held"),
    "flows_offline": ("offline_discussion",),
    "flows_schedule": (
        "calendar",
        "case_calendar",
        "current_agreement",
        "induction_until",
        "lead_of",
        "plan_case",
        "plan_next",
    ),
    "flows_sweep": ("routing_facts", "timing"),
    "outbox": ("wait_for_working_hours",),
    "rules": ("ItemState", "Person", "Route", "routes", "showing"),
}
