"""The sync settings of one QuickBooks company as a frozen value, and the pure decisions they drive."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from integrations.mapping.choices import (
    AddressUpdates,
    CustomerScope,
    IncomeAccountSource,
    ItemDetail,
    NameField,
    PoDestination,
    UnmatchedAction,
)

DEFAULT_INCOME_ACCOUNT = "Sales of Product Income"
DEFAULT_PAYMENT_METHODS = {"cash": "Cash", "check": "Check", "card": "Visa"}
PAYMENT_METHODS = ("cash", "card", "check", "other")


@dataclass(frozen=True)
class SyncOptions:
    realm_id: str = ""
    customer_scope: str = CustomerScope.FLAGGED
    customer_types: tuple[str, ...] = ()
    name_field: str = NameField.DISPLAY_NAME
    unmatched_action: str = UnmatchedAction.CREATE
    default_customer_qbo_id: str = ""
    address_updates: str = AddressUpdates.NONE
    item_detail: str = ItemDetail.ALL
    income_account_source: str = IncomeAccountSource.ITEM
    default_income_account: str = DEFAULT_INCOME_ACCOUNT
    category_income_accounts: Mapping[str, str] = field(default_factory=dict)
    walk_in_customer_qbo_id: str = ""
    tax_code_map: Mapping[str, str] = field(default_factory=dict)
    payment_method_map: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PAYMENT_METHODS))
    po_destination: str = PoDestination.POS
    po_custom_field_name: str = "P.O. Number"

    @property
    def value_maps(self) -> dict[str, dict[str, str]]:
        """The named maps a ``value_map`` transform can use."""
        return {"payment_methods": dict(self.payment_method_map), "tax_codes": dict(self.tax_code_map)}


def customer_in_scope(local: Mapping[str, Any], options: SyncOptions) -> tuple[bool, str]:
    """Whether the customer syncs under the scope setting, and why in plain words.

    The engine still sends an out-of-scope customer that an account charge needs: QuickBooks cannot
    record a charge without its customer (as QuickBooks POS always sends customers on charges).
    """
    if local.get("merged_into_id"):
        return False, "merged into another customer"
    if options.customer_scope == CustomerScope.ALL:
        return True, "all customers sync"
    if options.customer_scope == CustomerScope.BY_TYPE:
        kind = local.get("customer_type") or ""
        if kind and kind in options.customer_types:
            return True, f"customer type ‘{kind}’ syncs"
        return False, f"customer type ‘{kind or 'none'}’ is not one of the types that sync"
    if local.get("sync_with_quickbooks"):
        return True, "marked “use with QuickBooks”"
    return False, "not marked “use with QuickBooks”"


def income_account_for(item: Mapping[str, Any], options: SyncOptions) -> tuple[str, str]:
    """The QuickBooks income account (by name) for an item's sales, and why."""
    if options.income_account_source == IncomeAccountSource.CATEGORY:
        category = item.get("category") or ""
        account = options.category_income_accounts.get(category)
        if account:
            return account, f"the account of category ‘{category}’"
        return options.default_income_account, f"category ‘{category or 'none'}’ has no account: the default"
    if item.get("income_account"):
        return item["income_account"], "the item's own account"
    return options.default_income_account, "the default income account"


def transaction_customer(*, linked: bool, in_scope: bool, needs_account: bool, options: SyncOptions) -> str:
    """Which QuickBooks customer a sale, payment, refund or credit carries: ``"own"``, ``"default"`` or
    ``"walk_in"``.

    A customer already in QuickBooks, or one the scope syncs, is the document's own customer. Any other
    customer is "nothing matches" for the settings: post to the chosen default customer, or (create)
    send the customer along when QuickBooks needs one (account charges, payments, credit) and post a
    cash sale or refund as a walk-in.
    """
    if linked or in_scope:
        return "own"
    if options.unmatched_action == UnmatchedAction.DEFAULT_CUSTOMER and options.default_customer_qbo_id:
        return "default"
    return "own" if needs_account else "walk_in"
