"""Local records as plain dicts: the input of the pure payload builders and of fingerprints."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from customers.models import Customer
from sales.models import SALE_ADDRESS_FIELDS, Item, Payment, Refund, Sale, StoreCredit


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def fingerprint(payload: dict) -> str:
    """Stable hash of what we would send: equal hash = nothing changed since the last push."""
    raw = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()


CUSTOMER_FIELDS = [
    "display_name",
    "title",
    "given_name",
    "middle_name",
    "family_name",
    "suffix",
    "company_name",
    "email",
    "phone",
    "mobile",
    "website",
    "bill_line1",
    "bill_line2",
    "bill_city",
    "bill_region",
    "bill_postal_code",
    "bill_country",
    "ship_line1",
    "ship_line2",
    "ship_city",
    "ship_region",
    "ship_postal_code",
    "ship_country",
    "tax_exempt",
    "tax_exemption_reason",
    "resale_number",
    "notes",
    "is_active",
    "bill_with_parent",
    "custom_fields",
    "sync_with_quickbooks",
]


def customer_snapshot(customer: Customer) -> dict:
    data = {name: _plain(getattr(customer, name)) for name in CUSTOMER_FIELDS}
    data["id"] = customer.pk
    data["parent_id"] = customer.parent_id
    data["customer_type"] = customer.customer_type.name if customer.customer_type_id else ""
    data["merged_into_id"] = customer.merged_into_id
    return data


def item_snapshot(item: Item) -> dict:
    return {
        "id": item.pk,
        "name": item.name,
        "sku": item.sku or "",
        "description": item.description,
        "kind": item.kind,
        "category": item.category,
        "unit_price": str(item.unit_price),
        "taxable": item.taxable,
        "income_account": item.income_account,
        "is_active": item.is_active,
        "quantity_on_hand": str(item.quantity_on_hand),
    }


def _lines(lines) -> list[dict]:
    return [
        {
            "item_id": line.item_id,
            "description": line.description,
            "quantity": str(line.quantity),
            "unit_price": str(line.unit_price),
            "amount": str(line.amount),
            "taxable": line.taxable,
        }
        for line in lines
    ]


def _document(doc) -> dict:
    return {
        "id": doc.pk,
        "number": doc.number,
        "date": doc.date.isoformat(),
        "memo": doc.memo,
        "subtotal": str(doc.subtotal),
        "discount_amount": str(doc.discount_amount),
        "tax_total": str(doc.tax_total),
        "total": str(doc.total),
        "is_void": doc.is_void,
        "tax_code": doc.tax_code.name if getattr(doc, "tax_code_id", None) else "",
        "tax_rate": str(doc.tax_code.rate) if getattr(doc, "tax_code_id", None) else "0",
        "lines": _lines(doc.lines.all()),
    }


def sale_snapshot(sale: Sale) -> dict:
    data = _document(sale)
    data.update(
        kind=sale.kind,
        customer_id=sale.customer_id,
        customer_po=sale.customer_po,
        **{name: getattr(sale, name) for name in SALE_ADDRESS_FIELDS},
        discount_percent=str(sale.discount_percent),
        payment_method=sale.payment_method,
        due_date=sale.due_date.isoformat() if sale.due_date else "",
        credit_applications=[
            {"store_credit_id": app.store_credit_id, "amount": str(app.amount)}
            for app in sale.credit_applications.all()
        ],
    )
    return data


def payment_snapshot(payment: Payment) -> dict:
    return {
        "id": payment.pk,
        "number": payment.number,
        "customer_id": payment.customer_id,
        "date": payment.date.isoformat(),
        "amount": str(payment.amount),
        "method": payment.method,
        "reference": payment.reference,
        "memo": payment.memo,
        "is_void": payment.is_void,
        # Sorted here rather than by the database, so allocations prefetched for a page are used.
        "allocations": [
            {"sale_id": a.sale_id, "amount": str(a.amount)}
            for a in sorted(payment.allocations.all(), key=lambda a: a.sale_id)
        ],
    }


def refund_snapshot(refund: Refund) -> dict:
    data = _document(refund)
    data.update(customer_id=refund.customer_id, method=refund.method)
    return data


def store_credit_snapshot(credit: StoreCredit) -> dict:
    data = _document(credit)
    data.update(customer_id=credit.customer_id)
    return data
