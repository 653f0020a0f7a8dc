"""Reads for the operator console; each returns frozen dataclasses the templates render."""
