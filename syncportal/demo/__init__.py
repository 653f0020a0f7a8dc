"""Demo data for ``manage.py seed_demo``: realistic customers, items and sales history, generated fast.

A plain package (not an app) so the domain services stay free of demo code. ``names`` and ``catalog``
are word lists and the item catalogue, ``people`` makes customers (with sub-customers and
near-duplicates), ``ledger`` makes the sales history with every figure computed in Python,
``load`` writes batches with ``bulk_create`` and ``users`` creates one demo user per role.
"""
