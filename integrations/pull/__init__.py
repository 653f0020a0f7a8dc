"""Pull sync: QuickBooks → SyncPortal. Webhooks wake it, CDC reads the changes, domain services apply
them with ``origin=QBO`` (no outbox row, so no echo), and a three-way compare decides each field."""
