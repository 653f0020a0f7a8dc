"""Writing demo data: reference data, then customers and their history in batches; and the flush.

Each batch (5,000 customers by default) is generated in memory with every figure computed, then
written in one transaction (``rows.Table``: one ``executemany`` per table, ids handed out up front),
so an interrupted run leaves whole batches behind and item quantities that match them. No outbox
rows are written: demo data is local history, and connecting a QuickBooks company runs the sync
engine's initial export of existing records.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from django.apps import apps
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.db.models import Q

from customers.models import Customer, CustomerType
from sales.models import (
    CreditApplication,
    Item,
    Payment,
    PaymentAllocation,
    Refund,
    RefundLine,
    Sale,
    SaleLine,
    StoreCredit,
    StoreCreditLine,
    TaxCode,
)
from syncportal.demo.catalog import CATALOG, CUSTOMER_TYPES, TAX_CODES, opening_stock
from syncportal.demo.ledger import BATCH_MODELS, Batch, LedgerMaker
from syncportal.demo.people import DemoRandom, PeopleMaker
from syncportal.demo.rows import Table, reset_sequences
from syncportal.demo.users import demo_user_ids
from syncportal.outbox.models import OutboxEntry

DOMAIN_APPS = ("customers", "sales")
LEDGER_MODELS = (
    Sale,
    SaleLine,
    Payment,
    PaymentAllocation,
    StoreCredit,
    StoreCreditLine,
    CreditApplication,
    Refund,
    RefundLine,
)  # in the order of ledger.BATCH_MODELS
WALK_IN_SHARE = 0.11  # walk-in cash sales per customer sale: about 10 % of all sales


def existing_records() -> dict[str, int]:
    """How many customers, sales and items there are (demo or not); empty when there are none."""
    counts = {
        "customers": Customer.objects.count(),
        "sales": Sale.objects.count(),
        "items": Item.objects.count(),
    }
    return {what: n for what, n in counts.items() if n}


def flush_domain_data() -> dict[str, int]:
    """Delete every customer, sale, item, tax code and customer type, and what points at them.

    Rows of other apps that point at them are deleted too (their cascade), or unlinked where the
    link is ``SET_NULL``; a ``PROTECT`` link from another app stops the flush. Outbox rows about
    the deleted records go too: nothing is left for the sync engine to push. Users stay.
    """
    _refuse_if_linked_to_quickbooks()
    domain = [m for m in apps.get_models(include_auto_created=True) if m._meta.app_label in DOMAIN_APPS]
    deleted: dict[str, int] = {}
    with transaction.atomic():
        for model in apps.get_models(include_auto_created=True):
            if model._meta.app_label in DOMAIN_APPS:
                continue
            for f in model._meta.concrete_fields:
                if not (f.is_relation and f.related_model in domain):
                    continue
                rows = model._base_manager.filter(**{f"{f.name}__isnull": False})
                if f.remote_field.on_delete is models.SET_NULL:
                    rows.update(**{f.name: None})
                elif f.remote_field.on_delete in (models.PROTECT, models.RESTRICT) and rows.exists():
                    raise CommandError(
                        f"Not flushing: {model._meta.verbose_name_plural} still point at "
                        f"{f.related_model._meta.verbose_name_plural}. Remove them first."
                    )
                else:
                    deleted[model._meta.label] = rows._raw_delete(rows.db)
        for model in _referrers_first(domain):
            deleted[model._meta.label] = model._base_manager.all()._raw_delete(model._base_manager.db)
        outbox = OutboxEntry.objects.filter(
            Q(entity__startswith="customers.") | Q(entity__startswith="sales.")
        )
        deleted[OutboxEntry._meta.label] = outbox._raw_delete(outbox.db)
    return {label: n for label, n in deleted.items() if n}


def _refuse_if_linked_to_quickbooks() -> None:
    """Deleted ids are handed out again, so links to QuickBooks objects would join the wrong records."""
    try:  # looked up by name: the demo never imports the sync engine
        link = apps.get_model("integrations", "QBOLink")
    except LookupError:
        return
    linked = link._base_manager.filter(Q(entity__startswith="customers.") | Q(entity__startswith="sales."))
    if linked.exists():
        raise CommandError(
            f"Not flushing: {linked.count():,} customers or sales are linked to QuickBooks records. "
            "Use a separate database for the demo, or disconnect the company and remove its links first."
        )


def _referrers_first(models_: list[type[models.Model]]) -> list[type[models.Model]]:
    """Models ordered so a model comes before the models it points at (self links ignored)."""
    order: list[type[models.Model]] = []
    remaining = list(models_)
    while remaining:
        for model in remaining:
            referrers = [
                m
                for m in remaining
                if m is not model
                and any(f.is_relation and f.related_model is model for f in m._meta.concrete_fields)
            ]
            if not referrers:
                break
        else:  # a cycle: constraints are checked at commit, so any order works from here
            model = remaining[0]
        order.append(model)
        remaining.remove(model)
    return order


def seed_demo_data(
    *, customers: int, seed: int, as_of: date, batch_size: int = 5000, progress: Callable[[str], None] = print
) -> dict[str, int]:
    """Create the reference data and ``customers`` customers with their history; returns counts."""
    started = time.monotonic()
    rng = DemoRandom(seed)
    with transaction.atomic():
        types = CustomerType.objects.bulk_create([CustomerType(name=name) for name in CUSTOMER_TYPES])
        codes = {
            key: TaxCode(name=t.name, description=t.description, rate=t.rate) for key, t in TAX_CODES.items()
        }
        TaxCode.objects.bulk_create(codes.values())
        items = Item.objects.bulk_create(
            [
                Item(
                    name=i.name,
                    sku=i.sku,
                    kind=i.kind,
                    category=i.category,
                    unit_price=i.price,
                    taxable=i.taxable,
                    description=f"{i.category}: {i.name}",
                    quantity_on_hand=opening_stock(i.sku, customers),
                )
                for i in CATALOG
            ]
        )
    tables = {model._meta.model_name: Table(model) for model in (Customer, *LEDGER_MODELS)}
    clerks = demo_user_ids()
    people = PeopleMaker(rng, {t.name: t.pk for t in types}, tables["customer"].new_id)
    ledger = LedgerMaker(
        rng,
        customers=customers,
        item_ids={i.sku: i.pk for i in items},
        as_of=as_of,
        tax_codes={key: (code.pk, code.rate) for key, code in codes.items()},
        clerk_ids=[clerks[name] for name in ("staff", "staff", "manager", "bookkeeper") if name in clerks],
        new_id=lambda name: tables[name].new_id(),
    )
    counts = dict.fromkeys(("customer", *BATCH_MODELS), 0)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # a bigger page cache for this connection: index upkeep
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB
    try:
        while counts["customer"] < customers:
            persons = people.batch(min(batch_size, customers - counts["customer"]))
            batch = Batch()
            for person in persons:
                ledger.history(batch, person)
            ledger.walk_ins(batch, round(len(batch["sale"]) * WALK_IN_SHARE))
            with transaction.atomic():
                counts["customer"] += tables["customer"].insert(p.customer for p in persons)
                for name in BATCH_MODELS:
                    counts[name] += tables[name].insert(batch[name])
                for item in items:
                    item.quantity_on_hand = ledger.stock.get(item.sku, 0)
                Item.objects.bulk_update(items, ["quantity_on_hand"])
            progress(
                f"customers {counts['customer']:,}/{customers:,}  sales {counts['sale']:,}  "
                f"payments {counts['payment']:,}  ({time.monotonic() - started:.1f} s)"
            )
    finally:
        reset_sequences([Customer, *LEDGER_MODELS])
    return {tables[name].model._meta.verbose_name_plural: n for name, n in counts.items()}
