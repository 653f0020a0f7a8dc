"""Which entities the sandbox serves, by canonical name and by URL segment (matched case-insensitively)."""

from __future__ import annotations

from .base import Handler
from .catalog import AccountHandler, ItemHandler, ReadOnlyHandler, SimpleListHandler
from .payment import PaymentHandler
from .people import CustomerHandler, PersonHandler
from .sales import SalesFormHandler

HANDLERS: dict[str, Handler] = {
    handler.name: handler
    for handler in (
        CustomerHandler(),
        PersonHandler("Vendor"),
        PersonHandler("Employee"),
        ItemHandler(),
        AccountHandler(),
        SimpleListHandler("PaymentMethod"),
        SimpleListHandler("Term"),
        ReadOnlyHandler("TaxCode"),
        ReadOnlyHandler("CustomerType"),
        ReadOnlyHandler("TaxRate"),
        ReadOnlyHandler("CompanyInfo"),
        SalesFormHandler("Invoice", customer_required=True, has_balance=True, stock_sign=-1),
        SalesFormHandler("SalesReceipt", customer_required=False, has_balance=False, stock_sign=-1),
        SalesFormHandler("CreditMemo", customer_required=True, has_balance=True, stock_sign=1),
        SalesFormHandler("RefundReceipt", customer_required=False, has_balance=False, stock_sign=1),
        PaymentHandler(),
    )
}
BY_SEGMENT = {name.lower(): handler for name, handler in HANDLERS.items()}
TRANSACTION_TYPES = tuple(name for name, handler in HANDLERS.items() if handler.kind == "txn")
NAME_LIST_TYPES = (*(name for name, handler in HANDLERS.items() if handler.kind == "name"), "TaxCode")
CDC_TYPES = tuple(name for name in HANDLERS if name not in ("TaxCode", "TaxRate", "CustomerType"))


def by_segment(segment: str) -> Handler | None:
    return BY_SEGMENT.get(segment.lower())


def by_name(name: str) -> Handler | None:
    return HANDLERS.get(name) or BY_SEGMENT.get(name.lower())
