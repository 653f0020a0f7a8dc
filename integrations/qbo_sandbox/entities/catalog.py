"""Item, Account, PaymentMethod and Term: name lists with their own namespaces (§3.2, §3.3, §3.10)."""

from __future__ import annotations

from .. import faults
from ..store import Record
from ..timefmt import emit, number
from .base import (
    COMMON_READONLY,
    DELETED_SUFFIX,
    Handler,
    check_enum,
    check_text,
    hierarchy,
    refresh_descendants,
    strip_deleted_suffix,
)
from .context import Ctx
from .fields import is_true

ITEM_TYPES = ("Service", "NonInventory", "Inventory", "Category", "Group")
ACCOUNT_CLASSIFICATION = {
    "Bank": ("Asset", "Checking"),
    "Accounts Receivable": ("Asset", "AccountsReceivable"),
    "Other Current Asset": ("Asset", "OtherCurrentAssets"),
    "Fixed Asset": ("Asset", "OtherFixedAssets"),
    "Other Asset": ("Asset", "OtherLongTermAssets"),
    "Accounts Payable": ("Liability", "AccountsPayable"),
    "Credit Card": ("Liability", "CreditCard"),
    "Other Current Liability": ("Liability", "OtherCurrentLiabilities"),
    "Long Term Liability": ("Liability", "OtherLongTermLiabilities"),
    "Equity": ("Equity", "OpeningBalanceEquity"),
    "Income": ("Revenue", "SalesOfProductIncome"),
    "Other Income": ("Revenue", "OtherMiscellaneousIncome"),
    "Expense": ("Expense", "OtherMiscellaneousServiceCost"),
    "Other Expense": ("Expense", "OtherMiscellaneousExpense"),
    "Cost of Goods Sold": ("Expense", "SuppliesMaterialsCogs"),
}
# Subtypes QBO derives the type from when only AccountSubType is given.
SUBTYPE_TO_TYPE = {
    "Checking": "Bank",
    "Savings": "Bank",
    "UndepositedFunds": "Other Current Asset",
    "Inventory": "Other Current Asset",
    "AccountsReceivable": "Accounts Receivable",
    "AccountsPayable": "Accounts Payable",
    "SalesOfProductIncome": "Income",
    "ServiceFeeIncome": "Income",
    "DiscountsRefundsGiven": "Income",
    "SuppliesMaterialsCogs": "Cost of Goods Sold",
    "OpeningBalanceEquity": "Equity",
    "SalesTaxPayable": "Other Current Liability",
    **{sub: type_ for type_, (_, sub) in ACCOUNT_CLASSIFICATION.items()},
}


def _unique_in_parent(ctx: Ctx, type_: str, name: str, parent_id: str | None, current: Record | None) -> None:
    for other in ctx.store.select(
        "realm = ? AND type = ? AND name = ? AND deleted = 0", (ctx.realm, type_, name.lower()), "entity_name"
    ):
        if current is not None and other.id == current.id:
            continue
        if other.parent_id == parent_id:
            raise faults.duplicate_name(other.id)


def _name(data: dict, current: Record | None, limit: int, chars: str) -> str:
    name = data.get("Name")
    if isinstance(name, str):
        name = name.strip()
    if not name:
        raise faults.required("Name")
    if current is not None and not current.active and data.get("Active") is not False:
        name = strip_deleted_suffix(name)
    data["Name"] = name
    check_text(data, {"Name": limit, "Description": 4000, "Sku": 100}, ("Name",), chars)
    data["Active"] = data.get("Active", True) is not False
    return name


class ItemHandler(Handler):
    name = "Item"
    readonly = COMMON_READONLY | {"FullyQualifiedName", "Level"}

    def build(self, ctx: Ctx, data: dict, current: Record | None, body: dict) -> Record:
        name = _name(data, current, 100, ":\t\n")
        type_ = data.get("Type")
        if not type_:
            if current is None:
                raise faults.required("Type")
            type_ = data["Type"] = current.doc.get("Type")
        check_enum(data, "Type", ITEM_TYPES)
        if current is not None and current.doc.get("Type") == "Inventory" and type_ != "Inventory":
            raise faults.business("You can't change the type of an inventory item.")
        if type_ in ("Service", "NonInventory", "Inventory") and not data.get("IncomeAccountRef"):
            raise faults.required("IncomeAccountRef")
        if type_ == "Inventory":
            self._inventory(data)
        for ref in ("IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef"):
            if data.get(ref):
                account = ctx.resolve(data[ref], ("Account",), "Accounts", ref)
                data[ref] = {"value": account.id, "name": account.doc.get("Name")}
        sub_item = is_true(data.get("SubItem"))
        parent_id, level, fqn = (None, 0, name)
        if sub_item or data.get("ParentRef"):
            parent_id, level, fqn = hierarchy(ctx, "Item", data, current, name, 4, "Item")
        data["SubItem"] = bool(parent_id)
        data["Level"], data["FullyQualifiedName"] = level, fqn
        _unique_in_parent(ctx, "Item", name, parent_id, current)
        data.setdefault("Taxable", False)
        data.setdefault("UnitPrice", 0)
        data.setdefault("TrackQtyOnHand", False)
        record = self.new_record(ctx, current, data)
        record.name, record.parent_id, record.active = name.lower(), parent_id, data["Active"]
        return record

    @staticmethod
    def _inventory(data: dict) -> None:
        if not data.get("AssetAccountRef"):
            raise faults.required_detail(
                "AssetAccountRef",
                "Required parameter is missing in the request. An inventory asset account is required "
                "if you are tracking inventory quantities for this product.",
            )
        if not data.get("ExpenseAccountRef"):
            raise faults.required("ExpenseAccountRef")
        if not data.get("InvStartDate"):
            raise faults.required("InvStartDate")
        if data.get("QtyOnHand") is None:
            raise faults.required("QtyOnHand")
        data["TrackQtyOnHand"] = True
        qty = number(data["QtyOnHand"])
        data["QtyOnHand"] = emit(qty.normalize() if qty == qty.to_integral_value() else qty)

    def after_save(self, ctx: Ctx, old: Record | None, new: Record) -> None:
        if old is not None:
            refresh_descendants(ctx, new, "Name")


class AccountHandler(Handler):
    name = "Account"
    readonly = COMMON_READONLY | {
        "FullyQualifiedName",
        "SubAccount",
        "Classification",
        "CurrentBalance",
        "CurrentBalanceWithSubAccounts",
        "CurrencyRef",
    }

    def build(self, ctx: Ctx, data: dict, current: Record | None, body: dict) -> Record:
        name = _name(data, current, 100, ':"')
        account_type, subtype = data.get("AccountType"), data.get("AccountSubType")
        if not account_type and not subtype:
            raise faults.account_type_missing()
        if not account_type:
            account_type = SUBTYPE_TO_TYPE.get(subtype)
            if account_type is None:
                raise faults.bad_enum("AccountSubType", subtype)
        if account_type not in ACCOUNT_CLASSIFICATION:
            raise faults.bad_enum("AccountType", account_type)
        classification, default_subtype = ACCOUNT_CLASSIFICATION[account_type]
        data["AccountType"], data["AccountSubType"] = account_type, subtype or default_subtype
        data["Classification"] = classification
        acct_num = data.get("AcctNum")
        if acct_num:
            check_text(data, {"AcctNum": ctx.config.account_number_max_length}, ("AcctNum",), ":")
            for other in ctx.store.select("realm = ? AND type = 'Account' AND deleted = 0", (ctx.realm,)):
                if other.doc.get("AcctNum") == acct_num and (current is None or other.id != current.id):
                    raise faults.duplicate_name(other.id)
        parent_id, _, fqn = hierarchy(ctx, "Account", data, current, name, 5, "Accounts")
        if parent_id:
            parent = ctx.store.get(ctx.realm, "Account", parent_id)
            if parent and parent.doc.get("AccountType") != account_type:
                raise faults.business("A sub-account must have the same account type as its parent.")
        data["SubAccount"], data["FullyQualifiedName"] = bool(parent_id), fqn
        data.pop("Level", None)
        keep = current.doc if current is not None else {}
        data["CurrentBalance"] = keep.get("CurrentBalance", 0)
        data["CurrentBalanceWithSubAccounts"] = keep.get("CurrentBalanceWithSubAccounts", 0)
        data["CurrencyRef"] = {"value": "USD", "name": "United States Dollar"}
        _unique_in_parent(ctx, "Account", name, parent_id, current)
        record = self.new_record(ctx, current, data)
        record.name, record.parent_id, record.active = name.lower(), parent_id, data["Active"]
        if (
            current is not None
            and current.active
            and not record.active
            and ctx.config.rename_account_on_deactivate
        ):
            data["Name"] += DELETED_SUFFIX
            data["FullyQualifiedName"] += DELETED_SUFFIX
            record.name = data["Name"].lower()
        return record

    def after_save(self, ctx: Ctx, old: Record | None, new: Record) -> None:
        if old is not None:
            refresh_descendants(ctx, new, "Name")


class SimpleListHandler(Handler):
    """PaymentMethod and Term: a unique Name and a few plain fields."""

    def __init__(self, name: str) -> None:
        self.name = name

    def build(self, ctx: Ctx, data: dict, current: Record | None, body: dict) -> Record:
        name = _name(data, current, 31, ":")
        if self.name == "PaymentMethod":
            check_enum(data, "Type", ("CREDIT_CARD", "NON_CREDIT_CARD"))
        else:
            data.setdefault("Type", "STANDARD")
        _unique_in_parent(ctx, self.name, name, None, current)
        record = self.new_record(ctx, current, data)
        record.name, record.active = name.lower(), data["Active"]
        return record


class ReadOnlyHandler(Handler):
    """TaxCode, TaxRate, CompanyInfo: readable and queryable, not writable through the API."""

    kind = "readonly"

    def __init__(self, name: str) -> None:
        self.name = name

    def build(self, ctx: Ctx, data: dict, current: Record | None, body: dict) -> Record:
        raise faults.unsupported("Create" if current is None else "Update")
