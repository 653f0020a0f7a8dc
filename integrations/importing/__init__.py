"""Initial import of a QuickBooks company: streamed page by page, resumable, with progress.

``services`` starts and cancels runs, ``runner`` walks the stages page by page, and one module per
kind of record (``catalog``, ``customers``, ``transactions``) turns a page of QuickBooks JSON into
bulk writes. Everything is written with origin QuickBooks: no outbox rows, links carry the
SyncToken, fingerprint and base so the next push does not echo the import back.
"""
