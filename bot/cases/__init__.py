"""Cases: opening a case, the co-working agreement and its versions, agreeing, the case card.

PUBLIC: what other features may use (tests/test_feature_surfaces.py keeps it true).
"""

PUBLIC = {
    "blocks": ("case_list", "help_message"),
    "blocks_closed": ("OpenDifference", "open_lines"),
    "flows_open": ("may_open", "open_modal"),
    "flows_change": ("change_view", "from_command"),
    "presenters": ("case_line", "recorders_for", "recorders_of"),
}
