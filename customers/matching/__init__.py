"""Duplicate-customer matching: normalise, block, score, find.

Everything in this package except ``scan`` is pure Python over plain frozen dataclasses, so the
benchmark (``bench/dedupe.py``) and the tests run it without Django or a database. ``scan`` is the
Django side: it loads customers as plain records, runs the finder and stores the review queue.
"""
