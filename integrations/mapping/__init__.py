"""Field mappings and match rules as pure functions: what the sync engine sends and whom it matches.

Nothing in this package reads the database or the network. The engine (and the admin preview) load
the configuration through ``integrations.selectors.config`` and pass it in.
"""
