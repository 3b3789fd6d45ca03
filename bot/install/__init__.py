"""Installation by OAuth: each workspace's bot token from slack_sdk's installation store (tokens.py),
bolt's install pages and redirect (oauth.py), and what installing and uninstalling do (flows.py).

PUBLIC: what other features may use (tests/test_feature_surfaces.py keeps it true).
"""

PUBLIC: dict[str, tuple[str, ...]] = {}
