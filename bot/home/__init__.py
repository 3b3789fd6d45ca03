"""Home: App Home for workers and managers.

PUBLIC: what other features may use (tests/test_feature_surfaces.py keeps it true).
"""

PUBLIC: dict[str, tuple[str, ...]] = {}
