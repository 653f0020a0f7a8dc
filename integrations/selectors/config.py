"""Reads of the mapping configuration, handed to the pure functions as frozen values.

The sync engine calls ``mapping_specs``, ``match_rule_specs`` and ``sync_options`` once per drain and
passes the values to ``integrations.mapping``; models never cross into the pure code.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet

from customers.models import Customer
from integrations.mapping.choices import CustomerScope, Entity
from integrations.mapping.engine import MappingSpec
from integrations.mapping.matching import MatchRuleSpec
from integrations.mapping.options import SyncOptions
from integrations.models.mapping import FieldMapping, MatchRule, SyncSettings
from integrations.models.sync import QBOLink
from sales.models import Item, Payment, Refund, Sale, StoreCredit

ENTITY_MODELS = {
    Entity.CUSTOMER: Customer,
    Entity.SUB_CUSTOMER: Customer,
    Entity.ITEM: Item,
    Entity.SALE: Sale,
    Entity.PAYMENT: Payment,
    Entity.REFUND: Refund,
    Entity.CREDIT: StoreCredit,
}


def mapping_specs(entity: str | None = None) -> list[MappingSpec]:
    rows = FieldMapping.objects.all() if entity is None else FieldMapping.objects.filter(entity=entity)
    return [
        MappingSpec(
            m.entity, m.local_field, m.qbo_path, m.direction, m.conflict_policy, m.transform, m.transform_args
        )
        for m in rows
    ]


def match_rule_specs() -> list[MatchRuleSpec]:
    return [
        MatchRuleSpec(r.kind, r.position, r.threshold, r.applies, r.enabled) for r in MatchRule.objects.all()
    ]


def options_from(row: SyncSettings) -> SyncOptions:
    return SyncOptions(
        realm_id=row.realm_id,
        customer_scope=row.customer_scope,
        customer_types=tuple(row.customer_types or ()),
        name_field=row.name_field,
        unmatched_action=row.unmatched_action,
        default_customer_qbo_id=row.default_customer_qbo_id,
        address_updates=row.address_updates,
        item_detail=row.item_detail,
        income_account_source=row.income_account_source,
        default_income_account=row.default_income_account,
        category_income_accounts=dict(row.category_income_accounts or {}),
        walk_in_customer_qbo_id=row.walk_in_customer_qbo_id,
        tax_code_map=dict(row.tax_code_map or {}),
        payment_method_map=dict(row.payment_method_map or {}),
        po_destination=row.po_destination,
        po_custom_field_name=row.po_custom_field_name,
    )


def sync_options(realm_id: str = "") -> SyncOptions:
    """The company's own settings, else the defaults row, else the built-in defaults."""
    rows = {row.realm_id: row for row in SyncSettings.objects.filter(realm_id__in={realm_id, ""})}
    row = rows.get(realm_id) or rows.get("")
    return options_from(row) if row else SyncOptions(realm_id=realm_id)


def name_fields() -> set[str]:
    """The QuickBooks fields customer names go to, across every company's settings."""
    return set(SyncSettings.objects.values_list("name_field", flat=True))


def realm_choices() -> list[tuple[str, str]]:
    return [(row.realm_id, str(row)) for row in SyncSettings.objects.all()]


def _gateway(realm_id: str):
    """A gateway to the company, or ``None`` when SyncPortal is not connected to it."""
    from integrations.models.connection import QBOConnection
    from integrations.services.connection import gateway_for

    connection = QBOConnection.objects.filter(realm_id=realm_id).first() if realm_id else None
    if connection is None or not connection.is_usable:
        return None
    return gateway_for(connection)


def candidate_qbo_customers(realm_id: str) -> list[dict]:
    """QuickBooks customer documents the match rules may pick from (the preview's candidates).

    One metered read: the first 1000 customers (QuickBooks' page ceiling), inactive ones included
    since the linked-id rule may still match them. Empty when not connected or QuickBooks fails.
    """
    from integrations.qbo.errors import QBOError

    gateway = _gateway(realm_id)
    if gateway is None:
        return []
    try:
        found = gateway.query("SELECT * FROM Customer WHERE Active IN (true, false) MAXRESULTS 1000")
    except QBOError:
        return []
    return found.get("Customer", [])


def qbo_customer_exists(realm_id: str, qbo_id: str) -> bool | None:
    """Whether the company has this customer; ``None`` when SyncPortal cannot tell (not connected)."""
    from integrations.qbo.errors import QBOError

    if not str(qbo_id).isdigit():
        return False  # QuickBooks ids are digits: nothing to ask
    gateway = _gateway(realm_id)
    if gateway is None:
        return None
    try:
        found = gateway.query(
            f"SELECT Id FROM Customer WHERE Id = '{qbo_id}' AND Active IN (true, false)"  # noqa: S608 (digits only)
        )
    except QBOError:
        return None
    return bool(found.get("Customer"))


def linked_qbo_ids(realm_id: str, entity: str, object_ids: Iterable[int]) -> dict[int, str]:
    """Local id → the QuickBooks id it is linked to in that company (linked records only)."""
    links = QBOLink.objects.filter(
        connection__realm_id=realm_id, entity=entity, object_id__in=list(object_ids)
    )
    return dict(links.values_list("object_id", "qbo_id"))


def linked_qbo_id(realm_id: str, entity: str, object_id: int) -> str | None:
    return linked_qbo_ids(realm_id, entity, [object_id]).get(object_id)


def affected_queryset(entity: str, options: SyncOptions, *, since: date | None = None) -> QuerySet:
    """The local records a change to ``entity``'s configuration affects, under the company's scope."""
    if entity in (Entity.CUSTOMER, Entity.SUB_CUSTOMER):
        records = Customer.objects.filter(merged_into__isnull=True, parent__isnull=entity == Entity.CUSTOMER)
        if options.customer_scope == CustomerScope.FLAGGED:
            records = records.filter(sync_with_quickbooks=True)
        elif options.customer_scope == CustomerScope.BY_TYPE:
            records = records.filter(customer_type__name__in=options.customer_types)
        return records.order_by("pk")
    model = ENTITY_MODELS[entity]
    if model is Item:
        return Item.objects.order_by("pk")
    records = model.objects.filter(is_void=False)
    if since:
        records = records.filter(date__gte=since)
    return records.order_by("pk")
