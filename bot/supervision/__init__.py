"""Supervision: the joint supervision check-in's agenda, the *Record supervision* form and saving it
(the supervision record, wellbeing per worker on that worker's record only, the decisions as a
management decision note).

PUBLIC: what other features may use (tests/test_feature_surfaces.py keeps it true).
"""

PUBLIC = {
    "flows": ("from_command",),
}
