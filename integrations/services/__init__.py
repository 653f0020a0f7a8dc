"""Writes of the integrations app (connection, configuration, failure handling)."""
