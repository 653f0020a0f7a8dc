"""Planning a push: which records changed, in which order they must reach QuickBooks.

Outbox entries for the same record are coalesced into one change (the record's current state is
what gets sent). Changes are ordered in waves so every reference already exists in QuickBooks when
it is used: items and top-level customers, then each sub-customer level, then sales, refunds and
credit memos, then payments. Items of one wave never depend on each other, because QuickBooks does
not let one batch item see another's result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from customers.models import Customer
from sales.models import CreditApplication, Item, Payment, Refund, Sale, StoreCredit

ENTITY_MODELS = {
    "customers.customer": Customer,
    "sales.item": Item,
    "sales.sale": Sale,
    "sales.payment": Payment,
    "sales.refund": Refund,
    "sales.storecredit": StoreCredit,
    "sales.creditapplication": CreditApplication,
}
# Child rows whose change means "re-send the parent document".
CHILD_ENTITIES = {
    "sales.saleline": ("sales.sale", "sale_id"),
    "sales.paymentallocation": ("sales.payment", "payment_id"),
    "sales.refundline": ("sales.refund", "refund_id"),
    "sales.storecreditline": ("sales.storecredit", "store_credit_id"),
}
# A store credit applied to a charge is a zero-amount QuickBooks payment: it goes with the payments.
TRANSACTION_RANK = {
    "sales.sale": 10,
    "sales.refund": 10,
    "sales.storecredit": 10,
    "sales.payment": 11,
    "sales.creditapplication": 11,
}


@dataclass
class Change:
    entity: str
    object_id: int
    operations: list[str] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)
    first_at: datetime | None = None
    max_entry_id: int = 0
    retry: bool = False
    force: bool = False
    # A person chose to overwrite QuickBooks' version (force push, "Keep SyncPortal"): the engine
    # re-reads the current SyncToken first and sends even an unchanged fingerprint.
    overwrite: bool = False
    # A person settled a conflict (Keep SyncPortal, Edit): the engine first takes in whatever else
    # QuickBooks changed since, then sends only what differs (the settled field among it).
    settles: bool = False

    @property
    def key(self) -> tuple[str, int]:
        return (self.entity, self.object_id)

    @property
    def last_operation(self) -> str:
        return self.operations[-1] if self.operations else "update"


def coalesce(entries) -> dict[tuple[str, int], Change]:
    """Outbox rows (in id order) → one Change per record."""
    changes: dict[tuple[str, int], Change] = {}
    for entry in entries:
        entity, object_id = entry.entity, entry.object_id
        if entity in CHILD_ENTITIES:
            # A line or allocation row: the document it belongs to is what QuickBooks sees.
            parent_entity, _ = CHILD_ENTITIES[entity]
            parent_id = (entry.details or {}).get("parent_id")
            if not parent_id:
                continue
            entity, object_id = parent_entity, int(parent_id)
        change = changes.setdefault((entity, object_id), Change(entity, object_id))
        change.operations.append(entry.operation)
        change.fields.update(entry.changed_fields or [])
        change.first_at = change.first_at or entry.created_at
        change.max_entry_id = max(change.max_entry_id, entry.id)
        # A person chose "our version wins" (failure or reconciliation Force push, Keep SyncPortal).
        details = entry.details or {}
        if details.get("conflict") and not details.get("force"):
            change.settles = True
        elif details.get("overwrite") or details.get("force"):
            change.overwrite = change.force = True
    return changes


def rank(entity: str, record) -> int:
    if entity == "sales.item":
        return 0
    if entity == "customers.customer":
        return 1 + record.depth
    return TRANSACTION_RANK.get(entity, 20)


def waves(changes: list[tuple[Change, object]]) -> list[list[tuple[Change, object]]]:
    by_rank: dict[int, list] = {}
    for change, record in changes:
        by_rank.setdefault(rank(change.entity, record), []).append((change, record))
    return [by_rank[r] for r in sorted(by_rank)]


def load_records(changes: dict[tuple[str, int], Change]) -> dict[tuple[str, int], object]:
    """Fetch every changed record in one query per model (missing ones were deleted locally)."""
    wanted: dict[str, list[int]] = {}
    for entity, object_id in changes:
        wanted.setdefault(entity, []).append(object_id)
    found: dict[tuple[str, int], object] = {}
    for entity, ids in wanted.items():
        model = ENTITY_MODELS.get(entity)
        if model is None:
            continue
        qs = model.objects.filter(pk__in=ids)
        if entity == "customers.customer":
            qs = qs.select_related("customer_type")
        elif entity in {"sales.sale", "sales.refund", "sales.storecredit"}:
            qs = qs.select_related("tax_code", "customer__customer_type").prefetch_related(
                "lines__item", "credit_applications" if entity == "sales.sale" else "lines"
            )
        elif entity == "sales.payment":
            qs = qs.select_related("customer").prefetch_related("allocations")
        elif entity == "sales.creditapplication":
            qs = qs.select_related("store_credit", "sale")
        for record in qs:
            found[(entity, record.pk)] = record
    return found
