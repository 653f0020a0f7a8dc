"""The seed company of spec §9, modelled on Intuit's sandbox sample company.

Created on first start (and by the reset / new-realm hooks) through the same handlers the API
uses, so balances, FullyQualifiedNames and links are computed exactly as for client writes.
Seed objects are dated ``seed_age_days`` back so they stay out of CDC windows.
"""

from __future__ import annotations

from datetime import timedelta

from .config import SandboxConfig
from .entities.context import Ctx
from .entities.registry import HANDLERS
from .operations import _finish
from .store import Record, Store
from .timefmt import utc_key

ACCOUNTS = [
    ("35", "Checking", "Bank", "Checking"),
    ("36", "Savings", "Bank", "Savings"),
    ("4", "Undeposited Funds", "Other Current Asset", "UndepositedFunds"),
    ("84", "Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable"),
    ("81", "Inventory Asset", "Other Current Asset", "Inventory"),
    ("79", "Sales of Product Income", "Income", "SalesOfProductIncome"),
    ("1", "Services", "Income", "ServiceFeeIncome"),
    ("86", "Discounts given", "Income", "DiscountsRefundsGiven"),
    ("80", "Cost of Goods Sold", "Cost of Goods Sold", "SuppliesMaterialsCogs"),
    ("33", "Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable"),
    ("89", "Board of Equalization Payable", "Other Current Liability", "SalesTaxPayable"),
    ("90", "Opening Balance Equity", "Equity", "OpeningBalanceEquity"),
]
# Customer types are read-only through the API (made in QuickBooks' settings), as in QuickBooks Online.
CUSTOMER_TYPES = [("1", "Retail"), ("2", "Wholesale"), ("3", "Trade")]
TERMS = [("1", "Due on receipt", 0), ("2", "Net 15", 15), ("3", "Net 30", 30), ("4", "Net 60", 60)]
PAYMENT_METHODS = [
    ("1", "Cash", "NON_CREDIT_CARD"),
    ("2", "Check", "NON_CREDIT_CARD"),
    ("3", "Visa", "CREDIT_CARD"),
    ("4", "MasterCard", "CREDIT_CARD"),
    ("5", "Discover", "CREDIT_CARD"),
    ("6", "American Express", "CREDIT_CARD"),
    ("7", "Diners Club", "CREDIT_CARD"),
]
TAX_RATES = [("1", "AZ State tax", 7.1), ("2", "Tucson City", 2), ("3", "California", 8)]
TAX_CODES = [("2", "California", ["3"]), ("3", "Tucson", ["1", "2"])]
INCOME = {"value": "1"}
ITEMS = [
    ("1", {"Name": "Services", "Type": "Service", "IncomeAccountRef": INCOME}),
    ("2", {"Name": "Hours", "Type": "Service", "IncomeAccountRef": INCOME}),
    ("4", {"Name": "Design", "Type": "Service", "UnitPrice": 75, "IncomeAccountRef": {"value": "79"}}),
    ("10", {"Name": "Pest Control", "Type": "Service", "UnitPrice": 35, "IncomeAccountRef": INCOME}),
    ("5", {"Name": "Rock Fountain", "Type": "Inventory", "UnitPrice": 275, "QtyOnHand": 2}),
    ("11", {"Name": "Pump", "Type": "Inventory", "UnitPrice": 15, "QtyOnHand": 25}),
]
CUSTOMERS = [
    ("1", {"DisplayName": "Amy's Bird Sanctuary", "GivenName": "Amy", "FamilyName": "Lauterbach"}),
    ("2", {"DisplayName": "Bill's Windsurf Shop", "GivenName": "Bill", "FamilyName": "Lucchini"}),
    ("6", {"DisplayName": "Dylan Sollfrank", "GivenName": "Dylan", "FamilyName": "Sollfrank"}),
    ("20", {"DisplayName": "Red Rock Diner", "CompanyName": "Red Rock Diner"}),
    ("24", {"DisplayName": "Sonnenschein Family Store", "CompanyName": "Sonnenschein Family Store"}),
    ("29", {"DisplayName": "Weiskopf Consulting", "CompanyName": "Weiskopf Consulting"}),
    ("7", {"DisplayName": "Freeman Sporting Goods", "CompanyName": "Freeman Sporting Goods"}),
    (
        "8",
        {
            "DisplayName": "0969 Ocean View Road",
            "Job": True,
            "ParentRef": {"value": "7"},
            "BillWithParent": True,
        },
    ),
]


def _line(item: str, amount: float, qty: int | None = None, price: float | None = None) -> dict:
    detail: dict = {"ItemRef": {"value": item}}
    if qty is not None:
        detail.update(Qty=qty, UnitPrice=price)
    return {"DetailType": "SalesItemLineDetail", "Amount": amount, "SalesItemLineDetail": detail}


TRANSACTIONS = [
    ("Invoice", "130", {"CustomerRef": {"value": "1"}, "Line": [_line("4", 150, 2, 75), _line("10", 35)]}),
    ("Invoice", "131", {"CustomerRef": {"value": "2"}, "Line": [_line("1", 85)]}),
    ("Invoice", "132", {"CustomerRef": {"value": "20"}, "Line": [_line("2", 120)]}),
    (
        "Payment",
        "133",
        {
            "CustomerRef": {"value": "20"},
            "TotalAmt": 50,
            "Line": [{"Amount": 50, "LinkedTxn": [{"TxnId": "132", "TxnType": "Invoice"}]}],
        },
    ),
    ("SalesReceipt", "134", {"CustomerRef": {"value": "6"}, "Line": [_line("10", 35)]}),
]


def _put(ctx: Ctx, type_: str, id_: str, data: dict) -> None:
    handler = HANDLERS[type_]
    record = handler.build(ctx, dict(data), None, dict(data))
    record.id = id_
    _finish(ctx, record, created=True)
    handler.after_save(ctx, None, record)


def _raw(ctx: Ctx, type_: str, id_: str, doc: dict, name: str | None = None) -> None:
    record = Record(realm=ctx.realm, type=type_, id=id_, doc=doc, name=name)
    _finish(ctx, record, created=True)


def seed_realm(store: Store, config: SandboxConfig, realm: str, company_name: str, now) -> None:
    """Create ``realm`` with the sample company (call inside a write transaction)."""
    ctx = Ctx(store=store, config=config, realm=realm, now=now - timedelta(days=config.seed_age_days))
    store.db.conn.execute(
        "INSERT OR REPLACE INTO realm(id, company_name, created_at) VALUES (?, ?, ?)",
        (realm, company_name, utc_key(now)),
    )
    for id_, name, type_, subtype in ACCOUNTS:
        _put(ctx, "Account", id_, {"Name": name, "AccountType": type_, "AccountSubType": subtype})
    for id_, name in CUSTOMER_TYPES:
        _raw(ctx, "CustomerType", id_, {"Name": name, "Active": True}, name=name.lower())
    for id_, name, days in TERMS:
        _put(ctx, "Term", id_, {"Name": name, "DueDays": days})
    for id_, name, kind in PAYMENT_METHODS:
        _put(ctx, "PaymentMethod", id_, {"Name": name, "Type": kind})
    for id_, name, rate in TAX_RATES:
        _raw(
            ctx,
            "TaxRate",
            id_,
            {"Name": name, "RateValue": rate, "Active": True, "AgencyRef": {"value": "1"}},
        )
    for id_, description in (("TAX", "TAX"), ("NON", "NON")):
        _raw(
            ctx,
            "TaxCode",
            id_,
            {
                "Name": id_,
                "Description": description,
                "Taxable": id_ == "TAX",
                "TaxGroup": False,
                "Active": True,
            },
        )
    for id_, name, rates in TAX_CODES:
        details = [
            {"TaxRateRef": {"value": r}, "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": 0} for r in rates
        ]
        _raw(
            ctx,
            "TaxCode",
            id_,
            {
                "Name": name,
                "Description": name,
                "Active": True,
                "Taxable": True,
                "TaxGroup": True,
                "SalesTaxRateList": {"TaxRateDetail": details},
                "PurchaseTaxRateList": {"TaxRateDetail": []},
            },
        )
    _raw(
        ctx,
        "Preferences",
        "1",
        {
            "SalesFormsPrefs": {
                "CustomTxnNumbers": False,
                "DefaultTerms": {"value": "3"},
                "AutoApplyCredit": False,
                "AllowDeposit": True,
                "AllowDiscount": True,
            },
            "CurrencyPrefs": {"MultiCurrencyEnabled": False, "HomeCurrency": {"value": "USD"}},
            "TaxPrefs": {"UsingSalesTax": True},
        },
    )
    _raw(
        ctx,
        "CompanyInfo",
        "1",
        {
            "CompanyName": company_name,
            "LegalName": company_name,
            "Country": "US",
            "CompanyAddr": {
                "Line1": "123 Sierra Way",
                "City": "San Pablo",
                "CountrySubDivisionCode": "CA",
                "PostalCode": "87999",
            },
            "FiscalYearStartMonth": "January",
            "DefaultTimeZone": config.company_tz,
            "SupportedLanguages": "en",
            "NameValue": [
                {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
                {"Name": "SubscriptionStatus", "Value": "SUBSCRIBED"},
            ],
        },
    )
    for id_, data in ITEMS:
        if data["Type"] == "Inventory":
            data = {
                **data,
                "IncomeAccountRef": {"value": "79"},
                "ExpenseAccountRef": {"value": "80"},
                "AssetAccountRef": {"value": "81"},
                "InvStartDate": str(ctx.today()),
                "TrackQtyOnHand": True,
            }
        _put(ctx, "Item", id_, data)
    for id_, data in CUSTOMERS:
        _put(ctx, "Customer", id_, data)
    _put(ctx, "Vendor", "30", {"DisplayName": "Books by Bessie", "CompanyName": "Books by Bessie"})
    _put(ctx, "Vendor", "31", {"DisplayName": "Brosnahan Insurance Agency"})
    _put(ctx, "Employee", "55", {"DisplayName": "Emily Platt", "GivenName": "Emily", "FamilyName": "Platt"})
    for type_, id_, data in TRANSACTIONS:
        _put(ctx, type_, id_, data)


def ensure_seeded(store: Store, config: SandboxConfig, now) -> None:
    """First start: an empty database gets the default realm."""
    with store.db.transaction():
        if not store.realms():
            seed_realm(store, config, config.seed_realm_id, "Sandbox Company_US_1", now)


def reset_realm(store: Store, config: SandboxConfig, realm: str, now) -> None:
    with store.db.transaction() as conn:
        row = conn.execute("SELECT company_name FROM realm WHERE id = ?", (realm,)).fetchone()
        name = row[0] if row else f"Sandbox Company {realm}"
        store.wipe_realm(realm)
        conn.execute("DELETE FROM meta WHERE key = ?", (f"docnumber:{realm}",))
        seed_realm(store, config, realm, name, now)
