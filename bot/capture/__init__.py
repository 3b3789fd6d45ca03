"""Capture: thread replies, reactions, edits and deletions marked for the record, and the shortcut.

PUBLIC: what other features may use (tests/test_feature_surfaces.py keeps it true).
"""

PUBLIC = {
    "flows_differences": ("open_differences",),
    "rules": ("Kind", "PREFIXES"),
}
