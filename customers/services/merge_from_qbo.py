"""A merge made in QuickBooks, reflected here (minimal; the ``qbomerge`` branch owns the full one).

QuickBooks already moved the transactions and deactivated the merged customer; here the merged
customer folds into the survivor with the survivor's values, and nothing is queued for QuickBooks.
Idempotent: a duplicate or late Merge notification changes nothing.
"""

from __future__ import annotations

from customers.merging import customer_merge
from customers.models import Customer


def customer_merge_from_qbo(*, survivor: Customer, merged: Customer, actor=None) -> Customer:
    merged.refresh_from_db()
    if merged.merged_into_id == survivor.pk or merged.pk == survivor.pk:
        return survivor
    customer_merge(survivor=survivor, duplicate=merged, field_choices={}, actor=actor, sync_quickbooks=False)
    survivor.refresh_from_db()
    return survivor
