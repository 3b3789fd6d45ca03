"""Closing: `/case close` (and the review's decision *end*): the closing review, each open action
settled, the case closed, its chases cancelled, its card closed and its reference freed.

PUBLIC: what other features may use (tests/test_feature_surfaces.py keeps it true).
"""

PUBLIC = {
    "flows": ("from_command", "view_for_review"),
}
