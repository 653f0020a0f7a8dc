"""Customer, Vendor and Employee: the name lists that share one DisplayName namespace (§3.1).

DisplayName is unique across all three, compared trimmed and case-insensitively, inactive records
included (6240 names the Id already using it). Sub-customers need ``Job: true`` *and* a
``ParentRef`` (6150 otherwise), at most four levels deep (6180).
"""

from __future__ import annotations

from decimal import Decimal

from .. import faults
from ..store import Record
from ..timefmt import cents, emit, money
from . import ledger
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

NAME_TYPES = ("Customer", "Vendor", "Employee")
NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
LIMITS = {
    "Title": 16,
    "GivenName": 100,
    "MiddleName": 100,
    "FamilyName": 100,
    "Suffix": 16,
    "DisplayName": 500,
    "CompanyName": 100,
    "PrintOnCheckName": 110,
    "Notes": 2000,
    "ResaleNum": 16,
}
FORBIDDEN = ("DisplayName", *NAME_PARTS)
USD = {"value": "USD", "name": "United States Dollar"}


def display_name(data: dict) -> str:
    """DisplayName, else the joined name parts, else CompanyName (spec §3.1), else 6080."""
    for key in (*NAME_PARTS, "DisplayName", "CompanyName", "PrintOnCheckName"):
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()
            if not data[key]:
                del data[key]
    name = data.get("DisplayName") or " ".join(data[p] for p in NAME_PARTS if data.get(p))
    name = name or data.get("CompanyName", "")
    if not name:
        raise faults.no_name()
    data["DisplayName"] = name
    return name


def check_person(ctx: Ctx, data: dict, current: Record | None, type_: str) -> str:
    name = display_name(data)
    check_text(data, LIMITS, FORBIDDEN)
    email = (data.get("PrimaryEmailAddr") or {}).get("Address")
    if email and ("@" not in email or "." not in email):
        raise faults.bad_email(email)
    clash = ctx.store.find_name(
        ctx.realm, NAME_TYPES, name.lower(), exclude=(type_, current.id) if current else None
    )
    if clash is not None:
        raise faults.duplicate_name(clash.id)
    data.setdefault("PrintOnCheckName", data.get("CompanyName") or name)
    data["Active"] = data.get("Active", True) is not False
    return name


class PersonHandler(Handler):
    """Vendor and Employee: a DisplayName in the shared namespace and nothing else special."""

    readonly = COMMON_READONLY | {"Balance", "FullyQualifiedName"}

    def __init__(self, name: str) -> None:
        self.name = name

    def build(self, ctx: Ctx, data: dict, current: Record | None, body: dict) -> Record:
        name = check_person(ctx, data, current, self.name)
        if self.name == "Vendor":
            data["Balance"] = 0
            data.setdefault("CurrencyRef", USD)
        record = self.new_record(ctx, current, data)
        record.name = name.lower()
        record.active = data["Active"]
        return record


class CustomerHandler(Handler):
    name = "Customer"
    readonly = COMMON_READONLY | {
        "FullyQualifiedName",
        "Level",
        "Balance",
        "BalanceWithJobs",
        "IsProject",
        "CurrencyRef",
        "OpenBalanceDate",
    }
    create_only = frozenset({"Balance", "OpenBalanceDate", "CurrencyRef"})

    def build(self, ctx: Ctx, data: dict, current: Record | None, body: dict) -> Record:
        reactivating = current is not None and not current.active and data.get("Active") is not False
        if reactivating and isinstance(data.get("DisplayName"), str):
            data["DisplayName"] = strip_deleted_suffix(data["DisplayName"])
        name = check_person(ctx, data, current, self.name)
        check_enum(data, "PreferredDeliveryMethod", ("Print", "Email", "None"))
        job = is_true(data.get("Job"))
        has_parent = bool(data.get("ParentRef") and str(data["ParentRef"].get("value", "")).strip())
        if job != has_parent:
            raise faults.parent_ref_required()
        parent_id, level, fqn = hierarchy(
            ctx, "Customer", data, current, name, ctx.config.max_sub_customer_levels, "Names"
        )
        data["Job"] = job
        data["BillWithParent"] = bool(parent_id) and is_true(data.get("BillWithParent"))
        data["Level"] = level
        data["FullyQualifiedName"] = fqn
        data["IsProject"] = False
        data["Taxable"] = data.get("Taxable", True) is not False
        record = self.new_record(ctx, current, data)
        record.name = name.lower()
        record.parent_id = parent_id
        record.active = data["Active"]
        if current is None:
            opening = self._opening(body)
            record.opening_cents = cents(opening)
            data["CurrencyRef"] = USD
            if opening:
                data["OpenBalanceDate"] = str(body.get("OpenBalanceDate") or ctx.today())[:10]
            data["Balance"] = data["BalanceWithJobs"] = emit(opening)
        else:
            for key in ("Balance", "BalanceWithJobs", "CurrencyRef", "OpenBalanceDate"):
                if key in current.doc:
                    data[key] = current.doc[key]
            if current.active and not record.active:
                self._deactivating(ctx, record)
        return record

    @staticmethod
    def _opening(body: dict) -> Decimal:
        try:
            return money(body.get("Balance") or 0)
        except ValueError:
            raise faults.invalid_property("Balance", "Balance") from None

    def _deactivating(self, ctx: Ctx, record: Record) -> None:
        if ctx.config.reject_deactivate_with_balance and ledger.subtree_balance_cents(ctx, record.id):
            raise faults.has_balance()
        if ctx.config.rename_on_deactivate:
            record.doc["DisplayName"] += DELETED_SUFFIX
            record.doc["FullyQualifiedName"] += DELETED_SUFFIX
            record.name = record.doc["DisplayName"].lower()

    def after_save(self, ctx: Ctx, old: Record | None, new: Record) -> None:
        if old is None:
            ledger.refresh_customer(ctx, new.parent_id)
            return
        refresh_descendants(ctx, new, "DisplayName")
        if old.parent_id != new.parent_id:
            ledger.refresh_customer(ctx, old.parent_id)
            ledger.refresh_customer(ctx, new.id)
        if old.active and not new.active and ctx.config.deactivate_children_with_parent:
            self._deactivate_children(ctx, new)

    def _deactivate_children(self, ctx: Ctx, parent: Record) -> None:
        """Deactivating a parent deactivates its sub-customers (QBO UI behaviour, configurable)."""
        for child in ctx.store.children(ctx.realm, "Customer", parent.id):
            if child.active:
                child.active = False
                child.doc["Active"] = False
                if ctx.config.rename_on_deactivate:
                    self._deactivating(ctx, child)
                ctx.touch(child)
            self._deactivate_children(ctx, child)
