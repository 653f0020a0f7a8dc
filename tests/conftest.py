"""Fixtures shared by the whole suite."""

# The real QBO sandbox server and a connected test company, for any test that syncs.
pytest_plugins = ["tests.qbo_fixtures"]
