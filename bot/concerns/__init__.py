"""Concerns: urgent concerns, the advice to whoever raised one, the alert chain and Acknowledge.

PUBLIC: what other features may use (tests/test_feature_surfaces.py keeps it true).
"""

PUBLIC = {
    "blocks": ("UrgentOnCard", "card_lines", "not_on_case_answer"),
    "flows": ("raise_concern",),
    "presenters": ("urgent_on_card",),
}
