"""Page writers for the lists: accounts, payment methods, tax codes and items.

Accounts and payment methods have no table in the store (items name their income account,
payments carry a method choice), so they are kept as ``QBOReference`` rows for translating
references. Tax codes and items are the store's own ``TaxCode`` and ``Item``: an existing local
record with the same name is linked rather than duplicated (both sides keep names unique).
"""

from __future__ import annotations

from decimal import Decimal

from integrations.importing.context import ImportContext, PageResult, link_row, pushed_state, save_links
from integrations.models.importing import QBOReference
from integrations.qbo.reading import ITEM_KINDS, item_values
from sales.models import Item, TaxCode


def write_references(ctx: ImportContext, qbo_type: str, docs: list[dict], kind_key: str) -> PageResult:
    result = PageResult()
    existing = ctx.references(qbo_type)
    new, changed = [], []
    for doc in docs:
        ref = existing.get(str(doc["Id"]))
        fields = {
            "name": doc.get("Name", "")[:255],
            "kind": str(doc.get(kind_key, ""))[:60],
            "active": doc.get("Active", True) is not False,
        }
        if ref is None:
            new.append(
                QBOReference(connection=ctx.connection, qbo_type=qbo_type, qbo_id=str(doc["Id"]), **fields)
            )
            result.created += 1
        else:
            for key, value in fields.items():
                setattr(ref, key, value)
            changed.append(ref)
            result.updated += 1
    QBOReference.objects.bulk_create(new)
    QBOReference.objects.bulk_update(changed, ["name", "kind", "active"])
    return result


def accounts_page(ctx: ImportContext, docs: list[dict]) -> PageResult:
    return write_references(ctx, "Account", docs, "AccountType")


def payment_methods_page(ctx: ImportContext, docs: list[dict]) -> PageResult:
    return write_references(ctx, "PaymentMethod", docs, "Type")


def tax_codes_page(ctx: ImportContext, docs: list[dict], rates: dict[str, Decimal]) -> PageResult:
    """Sales tax codes with their combined rate (the sum of their sales TaxRates).

    QuickBooks' pseudo codes TAX and NON only say "taxable or not" on a line; they are kept as
    references and get no local tax code.
    """
    result = PageResult()
    write_references(ctx, "TaxCode", docs, "Taxable")
    real = [d for d in docs if str(d["Id"]).isdigit()]
    result.skipped += len(docs) - len(real)
    links = ctx.links("TaxCode", (d["Id"] for d in real))
    by_name = {t.name: t for t in TaxCode.objects.filter(name__in=[d.get("Name", "")[:100] for d in real])}
    linked_ids = ctx.linked_locals("sales.taxcode", [t.pk for t in by_name.values()])
    new_links, changed_links, to_update = [], [], []
    for doc in real:
        details = (doc.get("SalesTaxRateList") or {}).get("TaxRateDetail") or []
        rate = sum(
            (rates.get(str((d.get("TaxRateRef") or {}).get("value")), Decimal("0")) for d in details),
            Decimal("0"),
        )
        values = {
            "name": doc.get("Name", "")[:100],
            "description": (doc.get("Description") or "")[:255],
            "rate": min(rate, Decimal("100")),
            "is_active": doc.get("Active", True) is not False,
        }
        link = links.get(str(doc["Id"]))
        if link is not None:
            code = TaxCode.objects.filter(pk=link.object_id).first()
            if code is None:
                result.skipped += 1
                continue
            for key, value in values.items():
                setattr(code, key, value)
            to_update.append(code)
            link.sync_token = str(doc.get("SyncToken", ""))
            link.base = {"name": code.name, "rate": str(code.rate)}
            changed_links.append(link)
            result.updated += 1
            continue
        code = by_name.get(values["name"])
        if code is not None and code.pk not in linked_ids:
            result.linked += 1  # same name: the same tax code; the store's rate is kept
        else:
            code = TaxCode.objects.create(**values)
            result.created += 1
        new_links.append(
            link_row(
                ctx,
                entity="sales.taxcode",
                object_id=code.pk,
                doc=doc,
                fingerprint="",
                base={"name": code.name, "rate": str(code.rate)},
            )
        )
    TaxCode.objects.bulk_update(to_update, ["name", "description", "rate", "is_active"])
    save_links(ctx, "TaxCode", new_links, changed_links)
    return result


def _item_values(doc: dict, accounts: dict) -> dict:
    income = accounts.get(str((doc.get("IncomeAccountRef") or {}).get("value", "")))
    return item_values(doc, income.name if income else "")


def items_page(ctx: ImportContext, docs: list[dict]) -> PageResult:
    result = PageResult()
    accounts = ctx.references("Account")
    usable = [d for d in docs if d.get("Type") in ITEM_KINDS]
    for doc in docs:
        if doc.get("Type") not in ITEM_KINDS:
            result.skipped += 1  # categories, groups and bundles are not items the store sells
    links = ctx.links("Item", (d["Id"] for d in usable))
    linked_items = Item.objects.in_bulk([link.object_id for link in links.values()])
    values = {str(d["Id"]): _item_values(d, accounts) for d in usable}
    names = [v["name"] for v in values.values()]
    skus = [v["sku"] for v in values.values() if v["sku"]]
    by_name = {i.name: i for i in Item.objects.filter(name__in=names)}
    taken_skus = dict(Item.objects.filter(sku__in=skus).values_list("sku", "pk"))
    already_linked = ctx.linked_locals("sales.item", [i.pk for i in by_name.values()])
    new_items, matched, updated = [], [], []
    for doc in usable:
        qid = str(doc["Id"])
        data = values[qid]
        link = links.get(qid)
        item = linked_items.get(link.object_id) if link else None
        if item is None:
            item = by_name.get(data["name"])
            if item is not None and item.pk in already_linked:
                result.skipped += 1
                result.warnings.append(
                    f"QuickBooks item {qid} ‘{data['name']}’ was not imported: a store item of that name is "
                    "already linked to another QuickBooks item. Rename one of them and import again."
                )
                continue
        if data["sku"] and taken_skus.get(data["sku"], getattr(item, "pk", None)) != getattr(
            item, "pk", None
        ):
            result.warnings.append(
                f"QuickBooks item ‘{data['name']}’: SKU {data['sku']} is used by another "
                "store item, so it was imported without a SKU."
            )
            data["sku"] = None
        if item is None:
            item = Item(**data)
            new_items.append((doc, item))
            continue
        if item.quantity_on_hand is not None and not link:
            data.pop("quantity_on_hand")  # a matched store item keeps its own stock count
        for key, value in data.items():
            setattr(item, key, value)
        (updated if link else matched).append((doc, item, link))
    Item.objects.bulk_create([item for _, item in new_items], batch_size=1000)
    fields = [
        "name",
        "sku",
        "description",
        "kind",
        "unit_price",
        "taxable",
        "income_account",
        "quantity_on_hand",
        "is_active",
    ]
    Item.objects.bulk_update([item for _, item, _ in updated + matched], fields, batch_size=1000)
    refs = ctx.refs()  # an item document points at accounts only
    new_links, changed_links = [], []
    for doc, item, link in [(d, i, None) for d, i in new_items] + matched + updated:
        print_, base = pushed_state("sales.item", item, refs)
        if link is None:
            new_links.append(
                link_row(ctx, entity="sales.item", object_id=item.pk, doc=doc, fingerprint=print_, base=base)
            )
        else:
            link.sync_token, link.fingerprint, link.base = str(doc.get("SyncToken", "")), print_, base
            changed_links.append(link)
    result.created += len(new_items)
    result.linked += len(matched)
    result.updated += len(updated)
    save_links(ctx, "Item", new_links, changed_links)
    return result
