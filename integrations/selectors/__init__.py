"""Reads of the integrations app that are more than a one-line query."""
