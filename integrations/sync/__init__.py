"""The sync engine: push (outbox → QuickBooks), pull (webhooks/CDC → local), reconcile."""
