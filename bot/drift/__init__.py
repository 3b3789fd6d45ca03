"""Drift: the signals that show a manager co-working drifting, computed from the store.

PUBLIC: what other features may use (tests/test_feature_surfaces.py keeps it true).
"""

PUBLIC = {
    "blocks": ("heading", "overdue_text"),
    "flows": ("cases_for", "drift_for", "thresholds"),
    "rules": ("CaseDrift", "is_action_overdue"),
    "rules_facts": ("ActionFact",),
}
