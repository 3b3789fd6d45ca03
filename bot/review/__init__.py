"""Review: the manager's review of the co-working arrangement: the measured facts (pure functions of
the store), the review modal, and continue / change / end recorded as a management decision.

PUBLIC: what other features may use (tests/test_feature_surfaces.py keeps it true).
"""

PUBLIC = {
    "flows": ("from_command",),
}
