"""Initial import of a QuickBooks company: streamed page by page, resumable, with progress.

``services`` starts and cancels runs, ``runner`` walks the stages page by page, and one module per
kind of record (``catalog``, ``customers``, ``transactions``) turns a page of QuickBooks JSON into
bulk writes. Everything is written with origin QuickBooks: no outbox rows, links carry the
SyncToken, fingerprint and base so the next push does not echo the import back.

The page writers are this package's services: they write in bulk (one INSERT and one UPDATE per
model per page) instead of calling ``customer_update`` per record, because 100,000 customers
through per-record services and their audit rows would take hours. What they skip on purpose is
only what origin QuickBooks skips anyway (the outbox row); rows that break a store rule are left
out or corrected with a warning on the run, never half-written.
"""
