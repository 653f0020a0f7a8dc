"""Intuit-style webhooks for the sandbox (spec §7): ``WebhookDispatcher(db, clock, config)``.

The API calls ``notify`` after each commit; ``start``/``stop`` run the delivery thread; ``rules``
returns the test hooks documented in ``hooks.py``. ``payloads.sign`` is Intuit's signature.
"""

from .dispatcher import WebhookDispatcher
from .payloads import sign

__all__ = ["WebhookDispatcher", "sign"]
