"""What can be queried: the entities, their properties, and which of them are name lists.

The property lists follow spec §3 (plus the supporting entities of §3.10 and the fields every
entity carries). Lookups are case-insensitive and return the canonical spelling, so
``select * from cUstomer where givenname = 'Greg'`` resolves to ``Customer`` / ``GivenName``.
"""

from __future__ import annotations

# Carried by every entity. The two dotted names are the only dotted properties QBO accepts.
_COMMON = ("Id SyncToken domain sparse MetaData MetaData.CreateTime MetaData.LastUpdatedTime",)

_PERSON = (
    "DisplayName Title GivenName MiddleName FamilyName Suffix CompanyName PrintOnCheckName Active",
    "PrimaryPhone AlternatePhone Mobile Fax PrimaryEmailAddr WebAddr BillAddr ShipAddr OtherContactInfo",
    "Balance CurrencyRef FullyQualifiedName Notes Source",
)

# Fields shared by the sales forms (Invoice, SalesReceipt, CreditMemo, RefundReceipt).
_SALES_FORM = (
    "DocNumber TxnDate PrivateNote Line CustomerRef CustomerMemo BillAddr ShipAddr ShipFromAddr",
    "FreeFormAddress BillEmail BillEmailCc BillEmailBcc TxnTaxDetail TotalAmt HomeTotalAmt Balance",
    "HomeBalance CurrencyRef ExchangeRate ClassRef DepartmentRef LinkedTxn CustomField",
    "ApplyTaxAfterDiscount GlobalTaxCalculation PrintStatus EmailStatus DeliveryInfo ProjectRef",
    "TxnSource TransactionLocationType ShipDate ShipMethodRef TrackingNum ItemRef",
)

_RAW: dict[str, tuple[str, ...]] = {
    "Customer": (
        *_PERSON,
        "Job BillWithParent ParentRef Level Taxable ResaleNum BalanceWithJobs OpenBalanceDate",
        "PreferredDeliveryMethod SalesTermRef PaymentMethodRef DefaultTaxCodeRef CustomerTypeRef",
        "IsProject ARAccountRef PrimaryTaxIdentifier SecondaryTaxIdentifier TaxExemptionReasonId",
        "GSTIN BusinessNumber GSTRegistrationType",
    ),
    "Vendor": (
        *_PERSON,
        "TaxIdentifier TermRef AcctNum Vendor1099 APAccountRef CostRate BillRate GSTIN BusinessNumber",
        "GSTRegistrationType",
    ),
    "Employee": (
        "DisplayName Title GivenName MiddleName FamilyName Suffix PrintOnCheckName Active",
        "PrimaryPhone Mobile PrimaryEmailAddr PrimaryAddr EmployeeNumber SSN BillableTime BillRate",
        "CostRate BirthDate Gender HiredDate ReleasedDate Organization",
    ),
    "Item": (
        "Name Sku Description PurchaseDesc Active SubItem ParentRef Level FullyQualifiedName Taxable",
        "SalesTaxIncluded UnitPrice Type IncomeAccountRef ExpenseAccountRef AssetAccountRef",
        "PurchaseCost PurchaseTaxIncluded TrackQtyOnHand QtyOnHand InvStartDate ReorderPoint",
        "SalesTaxCodeRef PurchaseTaxCodeRef PrefVendorRef ClassRef Source TaxClassificationRef",
    ),
    "Account": (
        "Name AcctNum Description Active SubAccount ParentRef FullyQualifiedName Classification",
        "AccountType AccountSubType CurrentBalance CurrentBalanceWithSubAccounts CurrencyRef TaxCodeRef",
    ),
    "TaxCode": (
        "Name Description Active Hidden Taxable TaxGroup SalesTaxRateList PurchaseTaxRateList",
        "TaxCodeConfigType",
    ),
    "Invoice": (
        *_SALES_FORM,
        "DueDate Deposit DepositToAccountRef SalesTermRef AllowOnlineCreditCardPayment",
        "AllowOnlineACHPayment AllowIPNPayment AllowOnlinePayment InvoiceLink",
    ),
    "SalesReceipt": (
        *_SALES_FORM,
        "DepositToAccountRef PaymentMethodRef PaymentRefNum CreditCardPayment",
    ),
    "CreditMemo": (*_SALES_FORM, "RemainingCredit SalesTermRef"),
    "RefundReceipt": (
        *_SALES_FORM,
        "DepositToAccountRef PaymentMethodRef PaymentRefNum PaymentType CheckPayment CreditCardPayment",
    ),
    "Payment": (
        "TxnDate CustomerRef TotalAmt UnappliedAmt Line DepositToAccountRef PaymentMethodRef",
        "PaymentRefNum ARAccountRef PrivateNote ProcessPayment CreditCardPayment TxnStatus TxnSource",
        "CurrencyRef ExchangeRate ProjectRef",
    ),
    "PaymentMethod": ("Name Type Active",),
    "CustomerType": ("Name Active",),
    "Term": (
        "Name Active Type DueDays DiscountPercent DiscountDays DayOfMonthDue DueNextMonthDays",
        "DiscountDayOfMonth",
    ),
    "Class": ("Name SubClass ParentRef FullyQualifiedName Active",),
    "Department": ("Name SubDepartment ParentRef FullyQualifiedName Active",),
    "CompanyInfo": (
        "CompanyName LegalName CompanyAddr CustomerCommunicationAddr LegalAddr Country Email WebAddr",
        "PrimaryPhone FiscalYearStartMonth CompanyStartDate DefaultTimeZone NameValue SupportedLanguages",
    ),
    "Preferences": (
        "SalesFormsPrefs CurrencyPrefs TaxPrefs AccountingInfoPrefs ProductAndServicesPrefs",
        "VendorAndPurchasesPrefs TimeTrackingPrefs EmailMessagesPrefs ReportPrefs OtherPrefs",
    ),
}

ENTITY_PROPERTIES: dict[str, frozenset[str]] = {
    entity: frozenset(" ".join(_COMMON + chunks).split()) for entity, chunks in _RAW.items()
}

# Entities whose queries return only Active=true rows unless the WHERE clause mentions Active (§4.7).
NAME_LIST_ENTITIES: frozenset[str] = frozenset(
    {
        *("Customer", "Vendor", "Employee", "Item", "Account"),
        *("PaymentMethod", "Term", "Class", "Department", "TaxCode", "CustomerType"),
    }
)

# The property the server's lower-cased ``entity.name`` column is computed from.
NAME_FIELD: dict[str, str] = {
    entity: ("DisplayName" if "DisplayName" in props else "Name")
    for entity, props in ENTITY_PROPERTIES.items()
    if entity in NAME_LIST_ENTITIES
}

# Properties that exist only on a line detail: `Invoice WHERE ItemRef = '5'` matches when any
# SalesItemLineDetail (or GroupLineDetail) line uses that item.
LINE_PROPERTIES: frozenset[str] = frozenset({"ItemRef"})

_ENTITY_BY_LOWER = {entity.lower(): entity for entity in ENTITY_PROPERTIES}
_PROPERTY_BY_LOWER = {
    entity: {prop.lower(): prop for prop in props} for entity, props in ENTITY_PROPERTIES.items()
}


def canonical_entity(name: str) -> str | None:
    return _ENTITY_BY_LOWER.get(name.lower())


def canonical_property(entity: str, name: str) -> str | None:
    """``metadata.lastupdatedtime`` -> ``MetaData.LastUpdatedTime``; None when the entity lacks it."""
    return _PROPERTY_BY_LOWER.get(entity, {}).get(name.lower())
