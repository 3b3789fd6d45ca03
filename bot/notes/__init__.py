"""Notes: the summary form, its checks, signed-off notes and their versions, exports, retention.

PUBLIC: what other features may use (tests/test_feature_surfaces.py keeps it true).
"""

PUBLIC = {
    "flows": ("open_for_discussion", "open_from_command"),
    "flows_export": ("from_command",),
    "flows_management": ("MANAGERS_ONLY", "may_manage", "record_decision"),
    "flows_timeliness": ("start",),
    "flows_views": ("from_command", "list_from_button"),
    "rules": ("ActionText", "SectionText"),
}
