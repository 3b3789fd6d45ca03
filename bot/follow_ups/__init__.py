"""Follow-ups: the agreed actions' follow-up DMs and their answers, and the card's actions.

PUBLIC: what other features may use (tests/test_feature_surfaces.py keeps it true).
"""

PUBLIC = {
    "blocks_card": ("CardNotes", "OpenAction", "OverdueAction", "SummaryDue", "card_lines"),
    "flows_sweep": ("plan_action",),
    "rules": ("is_overdue",),
}
