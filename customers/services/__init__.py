"""Every write to customers goes through these functions (admin, import, sales and pull sync alike)."""

from customers.services.customer_types import (
    customer_type_create,
    customer_type_delete,
    customer_type_rename,
    customer_type_validate,
)
from customers.services.customers import (
    customer_create,
    customer_deactivate,
    customer_delete,
    customer_reactivate,
    customer_set_balance,
    customer_set_parent,
    customer_update,
)
from customers.services.notes import customer_note_add
from customers.services.validation import EDITABLE_FIELDS, customer_validate

__all__ = [
    "EDITABLE_FIELDS",
    "customer_create",
    "customer_deactivate",
    "customer_delete",
    "customer_note_add",
    "customer_reactivate",
    "customer_set_balance",
    "customer_set_parent",
    "customer_type_create",
    "customer_type_delete",
    "customer_type_rename",
    "customer_type_validate",
    "customer_update",
    "customer_validate",
]
