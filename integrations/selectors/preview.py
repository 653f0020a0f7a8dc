"""What the current configuration would send for one customer or sale, and whom it would match.

Nothing is sent: the preview reads the configuration and the record, and calls the same pure
functions the sync engine calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from customers.models import Customer
from integrations.mapping.choices import Entity
from integrations.mapping.engine import build_qbo_fields
from integrations.mapping.matching import MatchResult, customer_decision, match_customer
from integrations.mapping.options import SyncOptions, customer_in_scope, transaction_customer
from integrations.mapping.sales import SaleDocument, build_sale_document
from integrations.selectors.config import (
    candidate_qbo_customers,
    linked_qbo_id,
    linked_qbo_ids,
    mapping_specs,
    match_rule_specs,
    sync_options,
)
from integrations.sync.snapshots import customer_snapshot, sale_snapshot
from sales.models import Item, Sale


@dataclass(frozen=True)
class CustomerPreview:
    customer: str
    entity: str
    qbo_json: dict
    in_scope: bool
    scope_reason: str
    match: MatchResult
    outcome: str
    candidates: int


@dataclass(frozen=True)
class SalePreview:
    sale: str
    document: SaleDocument
    customer: CustomerPreview | None


def _customer(
    customer: Customer, options: SyncOptions, mappings: list, candidates: list[Mapping]
) -> CustomerPreview:
    local = customer_snapshot(customer)
    local["qbo_id"] = linked_qbo_id(options.realm_id, "customers.customer", customer.pk)
    entity = Entity.SUB_CUSTOMER if customer.parent_id else Entity.CUSTOMER
    body = build_qbo_fields(entity, local, mappings, value_maps=options.value_maps)
    in_scope, scope_reason = customer_in_scope(local, options)
    name = body.get(options.name_field) or local.get("display_name")
    match = match_customer(
        local, candidates, match_rule_specs(), name_field=options.name_field, local_name=name
    )
    _, words = customer_decision(match, options, in_scope=in_scope)
    if not in_scope:
        outcome = f"Not sent on its own: {scope_reason}. "
        if (
            transaction_customer(
                linked=bool(local["qbo_id"]), in_scope=False, needs_account=True, options=options
            )
            == "default"
        ):
            if match.qbo_id:
                outcome += (
                    f"Its sales, payments and credits go to QuickBooks customer {match.qbo_id}: {words}"
                )
            else:
                outcome += (
                    "Its sales, payments and credits go to the default customer "
                    f"(QuickBooks id {options.default_customer_qbo_id})."
                )
        else:
            outcome += f"An account charge still sends it. If sent: {words}"
    elif match.qbo_id:
        outcome = f"Updates QuickBooks customer {match.qbo_id}. {words}"
    else:
        outcome = words
    return CustomerPreview(
        str(customer), entity, body, in_scope, scope_reason, match, outcome, len(candidates)
    )


def preview_customer(
    customer: Customer, *, realm_id: str = "", candidates: Iterable[Mapping] | None = None
) -> CustomerPreview:
    """The customer's QuickBooks JSON (scalar fields) and the match decision, with its reasons."""
    options = sync_options(realm_id)
    found = list(candidates) if candidates is not None else candidate_qbo_customers(realm_id)
    entity = Entity.SUB_CUSTOMER if customer.parent_id else Entity.CUSTOMER
    return _customer(customer, options, mapping_specs(entity), found)


def _lines(sale: Sale, snapshot_lines: list[dict], realm_id: str) -> list[dict]:
    items = Item.objects.in_bulk({line["item_id"] for line in snapshot_lines})
    linked = linked_qbo_ids(realm_id, "sales.item", items)
    out = []
    for line in snapshot_lines:
        item = items[line["item_id"]]
        out.append(
            {
                **line,
                "item_name": item.name,
                "item_qbo_id": linked.get(item.pk),
                "category": item.category,
                "income_account": item.income_account,
            }
        )
    return out


def preview_sale(
    sale: Sale, *, realm_id: str = "", candidates: Iterable[Mapping] | None = None
) -> SalePreview:
    """The sale's QuickBooks document (lines, PO, memo, summary or detail) and its customer's match."""
    options = sync_options(realm_id)
    snapshot = sale_snapshot(sale)
    customer_preview, ref, choice = None, None, "own"
    if sale.customer_id:
        found = list(candidates) if candidates is not None else candidate_qbo_customers(realm_id)
        entity = Entity.SUB_CUSTOMER if sale.customer.parent_id else Entity.CUSTOMER
        customer_preview = _customer(sale.customer, options, mapping_specs(entity), found)
        linked = linked_qbo_id(realm_id, "customers.customer", sale.customer_id)
        # The same decision the push makes (integrations.sync.documents.customer_choice).
        choice = transaction_customer(
            linked=bool(linked),
            in_scope=customer_preview.in_scope,
            needs_account=sale.kind == Sale.Kind.CHARGE,
            options=options,
        )
        if choice == "default" and customer_preview.match.qbo_id:
            # The push links a customer the match rules find in QuickBooks before posting anywhere.
            choice, ref = "own", {"value": customer_preview.match.qbo_id}
        elif choice == "default":
            ref = {"value": options.default_customer_qbo_id}
        elif choice == "own":
            ref, _ = customer_decision(customer_preview.match, options, in_scope=True)
    document = build_sale_document(
        snapshot,
        _lines(sale, snapshot["lines"], realm_id),
        mapping_specs(Entity.SALE),
        options,
        customer=customer_snapshot(sale.customer) if sale.customer_id else None,
        customer_ref=ref,
        customer_in_scope=choice == "own",
        default_customer=choice == "default",
    )
    return SalePreview(str(sale), document, customer_preview)
