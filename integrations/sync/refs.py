"""What a payload may point at: QuickBooks ids by local record or by name, and the configuration.

Read once per drain (accounts, payment methods, tax codes, custom field definitions: four metered
reads) and refreshed from the link table before each wave, so a wave sees ids the previous one made.
The field mappings and sync settings ride along, so every builder uses the same configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from integrations.mapping.engine import MappingSpec, named_refs
from integrations.mapping.options import SyncOptions
from integrations.models.sync import QBOLink
from integrations.selectors.config import mapping_specs, sync_options
from integrations.sync.linkrows import links_for

# Which QuickBooks list a reference given by name is looked up in.
ACCOUNT_REFS = {
    "DepositToAccountRef",
    "IncomeAccountRef",
    "ItemAccountRef",
    "ExpenseAccountRef",
    "AssetAccountRef",
    "ARAccountRef",
}
LIST_WORDS = {
    "accounts": "account",
    "payment_methods": "payment method",
    "tax_codes": "tax code",
    "customer_types": "customer type",
}


class Unresolved(Exception):
    """A name the configuration sends that QuickBooks does not have: a person must fix a setting."""


@dataclass(frozen=True)
class Refs:
    customers: dict[int, str] = field(default_factory=dict)
    items: dict[int, str] = field(default_factory=dict)
    transactions: dict[tuple[str, int], str] = field(default_factory=dict)  # (entity, local id) → TxnId
    accounts: dict[str, str] = field(default_factory=dict)  # lower-case name → Id
    payment_methods: dict[str, str] = field(default_factory=dict)  # lower-case name → Id
    tax_codes: dict[str, str] = field(default_factory=dict)  # lower-case name → Id
    customer_types: dict[str, str] = field(default_factory=dict)  # lower-case name → Id (when mapped)
    custom_fields: dict[str, str] = field(default_factory=dict)  # custom field name → DefinitionId
    mappings: tuple[MappingSpec, ...] = ()
    options: SyncOptions = field(default_factory=SyncOptions)

    def transaction(self, entity: str, object_id: int) -> str:
        return self.transactions[(entity, object_id)]  # KeyError: not in QuickBooks yet


def _by_name(gateway, entity: str, key: str = "Name") -> dict[str, str]:
    return {row[key].lower(): row["Id"] for page in gateway.query_all(entity) for row in page}


def custom_field_definitions(preferences: Mapping) -> dict[str, str]:
    """Sales form custom fields: ``SalesFormsPrefs.SalesCustomNameN`` holds the name of definition N."""
    found = {}
    for group in (preferences.get("SalesFormsPrefs") or {}).get("CustomField") or []:
        for entry in group.get("CustomField") or []:
            key = str(entry.get("Name", ""))
            if key.startswith("SalesFormsPrefs.SalesCustomName") and entry.get("StringValue"):
                found[entry["StringValue"]] = key.removeprefix("SalesFormsPrefs.SalesCustomName")
    return found


def _sends_customer_type(mappings) -> bool:
    return any(
        m.qbo_path.startswith("CustomerTypeRef") and m.direction in ("both", "to_qbo") for m in mappings
    )


def load_refs(connection, gateway, cache: dict) -> Refs:
    """Lists and configuration once per drain (cached in ``cache``), then the current links."""
    if "static" not in cache:
        # One row per company; paging clauses are not accepted on Preferences.
        prefs = (gateway.query("SELECT * FROM Preferences").get("Preferences") or [{}])[0]
        mappings = tuple(mapping_specs())
        cache["static"] = Refs(
            accounts=_by_name(gateway, "Account"),
            payment_methods=_by_name(gateway, "PaymentMethod"),
            tax_codes=_by_name(gateway, "TaxCode"),
            custom_fields=custom_field_definitions(prefs),
            # Read only when a mapping shares the customer type: one metered read fewer otherwise.
            customer_types=_by_name(gateway, "CustomerType") if _sends_customer_type(mappings) else {},
            mappings=mappings,
            options=sync_options(connection.realm_id),
        )
    return refresh_refs(connection, cache["static"])


def refresh_refs(connection, refs: Refs, keys=None) -> Refs:
    """Re-read the link table so the next wave sees ids created by the previous one.

    With ``keys`` only those records' links are re-read (the previous wave's): re-reading every
    link before every wave made a long push quadratic in the size of the company.
    """
    if keys is not None:
        return _refresh_some(connection, refs, keys)
    customers, items, transactions = {}, {}, {}
    for entity, object_id, qbo_id, print_ in (
        QBOLink.objects.filter(connection=connection)
        .values_list("entity", "object_id", "qbo_id", "fingerprint")
        .iterator(chunk_size=5000)
    ):
        if print_ == "deleted":
            continue
        if entity == "customers.customer":
            customers[object_id] = qbo_id
        elif entity == "sales.item":
            items[object_id] = qbo_id
        else:
            transactions[(entity, object_id)] = qbo_id
    return replace(refs, customers=customers, items=items, transactions=transactions)


def _refresh_some(connection, refs: Refs, keys) -> Refs:
    customers, items, transactions = dict(refs.customers), dict(refs.items), dict(refs.transactions)
    tables = {"customers.customer": customers, "sales.item": items}
    keys = list(keys)
    for entity, object_id in keys:
        table = tables.get(entity)
        if table is None:
            transactions.pop((entity, object_id), None)
        else:
            table.pop(object_id, None)
    for (entity, object_id), link in links_for(connection, keys).items():
        if link.fingerprint == "deleted":
            continue
        table = tables.get(entity)
        if table is None:
            transactions[(entity, object_id)] = link.qbo_id
        else:
            table[object_id] = link.qbo_id
    return replace(refs, customers=customers, items=items, transactions=transactions)


def _list_for(path: str) -> str:
    key = path.split(".")[-1]
    if key in ACCOUNT_REFS:
        return "accounts"
    if key == "PaymentMethodRef":
        return "payment_methods"
    if key == "TxnTaxCodeRef":
        return "tax_codes"
    if key == "CustomerTypeRef":
        return "customer_types"
    return ""


def _resolve_one(ref: dict, path: str, refs: Refs) -> None:
    table = _list_for(path)
    name = ref["name"]
    qbo_id = getattr(refs, table).get(name.lower()) if table else None
    if qbo_id is None:
        what = LIST_WORDS.get(table, f"entry for {path.split('.')[-1]}")
        hint = {
            "payment_methods": "the payment method map in the sync settings",
            "tax_codes": "the tax code map in the sync settings",
            "accounts": "the income account settings or the item's income account",
            "customer_types": "the customer's type (QuickBooks: Settings → Lists → Customer types)",
        }.get(table, "the field mappings")
        raise Unresolved(
            f"QuickBooks has no {what} named ‘{name}’. Add it in QuickBooks or change {hint}, "
            "then retry this record."
        )
    ref.clear()
    ref["value"] = qbo_id


def resolve_names(doc: dict, refs: Refs) -> dict:
    """Turn every ``XRef: {"name": …}`` (top level and in lines) into ``{"value": id}``, in place."""
    for path in named_refs(doc):
        node = doc
        for part in path.split("."):
            node = node[part]
        _resolve_one(node, path, refs)
    for line in doc.get("Line") or []:
        for key, detail in line.items():
            if isinstance(detail, dict) and key.endswith("Detail"):
                for path in named_refs(detail):
                    if path != "ItemRef":  # items carry their linked id; the name is for people
                        _resolve_one(detail[path.split(".")[0]], path, refs)
    return doc


def add_definition_ids(doc: dict, refs: Refs) -> dict:
    """Custom fields go by DefinitionId in QuickBooks; the mappings name them.

    A company whose preferences list no sales custom fields (the sandbox) gets them numbered in
    name order, the same order QuickBooks gives the three slots.
    """
    entries = doc.get("CustomField") or []
    fallback = {e["Name"]: str(n) for n, e in enumerate(sorted(entries, key=lambda e: e["Name"]), 1)}
    for entry in entries:
        definition = refs.custom_fields.get(entry["Name"])
        if definition is None and not refs.custom_fields:
            definition = fallback[entry["Name"]]
        if definition is None:
            raise Unresolved(
                f"QuickBooks has no custom field named ‘{entry['Name']}’ on its sales forms. "
                "Add it in QuickBooks (Account and settings → Sales) or change the field mappings, "
                "then retry this record."
            )
        entry["DefinitionId"] = definition
    return doc
