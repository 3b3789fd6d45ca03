"""Commands: the /case command, parsed and routed to the feature each subcommand belongs to.

PUBLIC: what other features may use (tests/test_feature_surfaces.py keeps it true).
"""

PUBLIC: dict[str, tuple[str, ...]] = {}
