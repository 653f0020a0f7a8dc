"""Every write to sales data goes through these services (admin, import and pull sync alike).

Each service validates, runs in ``transaction.atomic()``, locks the rows whose balances it changes
(customer, then the document, then charges by id, then items by id: one order everywhere, so
concurrent changes wait instead of deadlocking), records one outbox row per change for QuickBooks
(none when ``origin=Origin.QBO``) and refreshes the derived balances. Refusals are
``ValidationError`` with plain words; nothing is written when one is raised.
"""

from sales.services.balances import balances_recompute, customer_balance_refresh, sale_balance_refresh
from sales.services.credits import (
    store_credit_apply,
    store_credit_create,
    store_credit_unapply,
    store_credit_void,
)
from sales.services.deletion import document_delete
from sales.services.items import item_create, item_deactivate, item_update, taxcode_create, taxcode_update
from sales.services.lines import LineInput, ReturnLineInput
from sales.services.payments import (
    AllocationInput,
    payment_apply_unapplied,
    payment_create,
    payment_update_allocations,
    payment_void,
)
from sales.services.refunds import refund_create, refund_void
from sales.services.sales import sale_create, sale_update, sale_void

__all__ = [
    "AllocationInput",
    "LineInput",
    "ReturnLineInput",
    "balances_recompute",
    "customer_balance_refresh",
    "document_delete",
    "item_create",
    "item_deactivate",
    "item_update",
    "payment_apply_unapplied",
    "payment_create",
    "payment_update_allocations",
    "payment_void",
    "refund_create",
    "refund_void",
    "sale_balance_refresh",
    "sale_create",
    "sale_update",
    "sale_void",
    "store_credit_apply",
    "store_credit_create",
    "store_credit_unapply",
    "store_credit_void",
    "taxcode_create",
    "taxcode_update",
]
