"""Digest: the weekly digest a manager receives by DM, with its chart of co-working health.

PUBLIC: what other features may use (tests/test_feature_surfaces.py keeps it true).
"""

PUBLIC = {
    "flows": ("command", "send_now"),
}
