"""Discussions: starting a reflective discussion, its questions, the picker and the banks.

PUBLIC: what other features may use (tests/test_feature_surfaces.py keeps it true).
"""

PUBLIC = {
    "blocks": ("kind_modal", "read_kind"),
    "flows": ("LINK_WINDOW", "start_from_command"),
    "flows_questions": ("ask", "heading"),
}
