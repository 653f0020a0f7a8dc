"""What a document entered in QuickBooks points at, brought here before the document itself.

A bookkeeper may enter an invoice for a customer, or with an item, that SyncPortal has never seen
(created in QuickBooks after the import, or outside the last CDC window). Rather than drop the
document, the customer or item is read from QuickBooks (one metered read) and created or linked the
way the import does it; when that is impossible, ``Missing`` says why in plain words and the caller
records a failure a bookkeeper can retry.
"""

from __future__ import annotations

from django.db import transaction

from customers.models import Customer
from integrations.importing.context import new_link, pushed_state, stored_list_refs
from integrations.models.importing import QBOReference
from integrations.models.sync import QBOLink
from integrations.pull import record
from integrations.pull.customers import apply_customer
from integrations.qbo.errors import NotFoundOrInactive
from integrations.qbo.reading import ITEM_KINDS, item_values
from integrations.selectors.config import mapping_specs, sync_options
from integrations.sync.refs import Refs
from sales.models import Item
from sales.services import item_create, item_deactivate
from syncportal.outbox.services import Origin

MAX_DEPTH = 5  # QuickBooks' sub-customer levels


class Missing(Exception):
    """A customer or item the document needs is not here and cannot be brought in."""


def push_refs(connection) -> Refs:
    return stored_list_refs(connection, mappings=mapping_specs(), options=sync_options(connection.realm_id))


def _linked(connection, qbo_type: str, qbo_ids) -> dict[str, int]:
    rows = QBOLink.objects.filter(connection=connection, qbo_type=qbo_type, qbo_id__in=list(qbo_ids))
    return dict(rows.exclude(fingerprint="deleted").values_list("qbo_id", "object_id"))


def _linked_locally(connection, entity: str, object_id: int) -> bool:
    return QBOLink.objects.filter(connection=connection, entity=entity, object_id=object_id).exists()


def local_customer(connection, gateway, qbo_id: str, *, depth: int = 0) -> Customer:
    """The local customer linked to QuickBooks customer ``qbo_id``, pulled first if needed."""
    object_id = _linked(connection, "Customer", [qbo_id]).get(qbo_id)
    if object_id is None and gateway is not None and depth < MAX_DEPTH:
        try:
            doc = gateway.read("Customer", qbo_id)
        except NotFoundOrInactive:
            doc = None
        if doc is not None:
            parent = str((doc.get("ParentRef") or {}).get("value") or "") if doc.get("Job") else ""
            if parent and not _linked(connection, "Customer", [parent]):
                local_customer(connection, gateway, parent, depth=depth + 1)  # parents before children
            apply_customer(connection, doc)
            object_id = _linked(connection, "Customer", [qbo_id]).get(qbo_id)
    customer = Customer.objects.filter(pk=object_id).first() if object_id else None
    if customer is None:
        raise Missing(
            f"its customer (QuickBooks customer {qbo_id}) is not in SyncPortal and could not be "
            "brought in from QuickBooks"
        )
    return customer


def local_items(connection, gateway, qbo_ids: list[str]) -> dict[str, Item]:
    """QuickBooks item id → local item, for every item a document's lines name.

    Items not linked yet are read in one query and created, or linked to the store item of the same
    name, as the import does.
    """
    wanted = {qbo_id for qbo_id in qbo_ids if qbo_id}
    found = _linked(connection, "Item", wanted)
    missing = sorted(wanted - set(found))
    if missing and gateway is not None:
        quoted = ", ".join(f"'{qbo_id}'" for qbo_id in missing if qbo_id.isdigit())
        docs = gateway.query(f"SELECT * FROM Item WHERE Id IN ({quoted})").get("Item", []) if quoted else []  # noqa: S608 (digits only)
        for doc in docs:
            found[str(doc["Id"])] = _bring_item(connection, doc)
    items = Item.objects.in_bulk(found.values())
    absent = [qbo_id for qbo_id in sorted(wanted) if found.get(qbo_id) not in items]
    if absent:
        raise Missing(
            f"QuickBooks item {', '.join(absent)} is not in SyncPortal and could not be brought in "
            "from QuickBooks (add it to the item list here, or check it in QuickBooks)"
        )
    return {qbo_id: items[object_id] for qbo_id, object_id in found.items()}


def _bring_item(connection, doc: dict) -> int:
    name = doc.get("Name", "")
    if doc.get("Type") not in ITEM_KINDS:
        raise Missing(f"QuickBooks item ‘{name}’ is a {doc.get('Type')}, which the store does not sell")
    income = QBOReference.objects.filter(
        connection=connection,
        qbo_type="Account",
        qbo_id=str((doc.get("IncomeAccountRef") or {}).get("value", "")),
    ).first()
    values = item_values(doc, income.name if income else "")
    with transaction.atomic():
        item = Item.objects.filter(name=values["name"]).first()
        if item is not None and _linked_locally(connection, "sales.item", item.pk):
            raise Missing(
                f"QuickBooks item ‘{name}’ has the name of a store item already linked to another "
                "QuickBooks item; rename one of them"
            )
        if item is None:
            active = values.pop("is_active")
            if values["kind"] != Item.Kind.INVENTORY:
                values.pop("quantity_on_hand")
            if values["sku"] and Item.objects.filter(sku=values["sku"]).exists():
                values["sku"] = None  # the SKU belongs to another store item
            item = item_create(**values, origin=Origin.QBO)
            if not active:
                item = item_deactivate(item=item, origin=Origin.QBO)
        print_, base = pushed_state("sales.item", item, push_refs(connection))
        link = new_link(
            connection, entity="sales.item", object_id=item.pk, doc=doc, fingerprint=print_, base=base
        )
        link.qbo_type = "Item"
        link.save()
        record.link_store(link, doc=doc)
    return item.pk
