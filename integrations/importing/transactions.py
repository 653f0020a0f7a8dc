"""Page writers for open invoices (→ account charges) and the payments applied to them.

Only what is still open matters to the store: invoices with a balance, and payments that are
applied to one of those invoices or still hold unapplied credit. QuickBooks' figures (totals,
balance due) are stored as QuickBooks computed them; lines whose item is not in the store are
left out with a warning rather than invented.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import DecimalField

from customers.models import Customer
from integrations.importing import bulk
from integrations.importing.context import ImportContext, PageResult, link_row, pushed_state, save_links
from integrations.qbo import reading
from integrations.qbo.reading import day as _day
from integrations.qbo.reading import money
from integrations.qbo.reading import ref as _ref
from sales.models import Item, Payment, PaymentAllocation, Sale, SaleLine, TaxCode

ZERO = Decimal("0.00")


def _lines(doc: dict, item_ids: dict[str, int], result: PageResult) -> list[SaleLine]:
    lines = []
    for line in reading.item_lines(doc):
        item_id = item_ids.get(line.item_ref)
        if item_id is None or line.unit_price < 0 or line.amount < 0:
            result.warnings.append(
                f"Invoice {doc.get('DocNumber') or doc['Id']}: a line of {line.amount} was left out "
                "(its item is not in the store, or it is a negative amount)."
            )
            continue
        lines.append(
            SaleLine(
                item_id=item_id,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                taxable=line.taxable,
            )
        )
    return lines


def invoices_page(ctx: ImportContext, docs: list[dict]) -> PageResult:
    result = PageResult()
    customers = ctx.local_ids("Customer", (_ref(d, "CustomerRef") for d in docs))
    items = ctx.local_ids("Item", [ref for d in docs for ref in reading.item_refs(d)])
    tax_refs = {reading.tax_code_ref(d) for d in docs}
    taxes = ctx.local_ids("TaxCode", tax_refs)
    links = ctx.links("Invoice", (d["Id"] for d in docs))
    linked = Sale.objects.in_bulk([x.object_id for x in links.values()])
    wanted = [str(d.get("DocNumber") or "")[:21] for d in docs]
    taken = dict(Sale.objects.filter(number__in=wanted).values_list("number", "pk"))
    rows = []  # (doc, sale, link, lines)
    for doc in docs:
        qid, customer_id = str(doc["Id"]), customers.get(_ref(doc, "CustomerRef"))
        if customer_id is None:
            result.skipped += 1
            result.warnings.append(
                f"Invoice {doc.get('DocNumber') or qid} was not imported: its customer "
                f"(QuickBooks id {_ref(doc, 'CustomerRef')}) is inactive or was not imported."
            )
            continue
        link = links.get(qid)
        sale = linked.get(link.object_id) if link else None
        sale = sale or Sale(kind=Sale.Kind.CHARGE)
        number = str(doc.get("DocNumber") or "")[:21]
        if not number or taken.get(number, sale.pk) != sale.pk:
            number = f"QB-{qid}"  # the store numbers its own charges; never take another sale's number
        tax_ref = reading.tax_code_ref(doc)
        lines = _lines(doc, items, result)
        total = max(money(doc.get("TotalAmt")), ZERO)
        discount = reading.discount_amount(doc)
        values = {
            "number": number,
            "customer_id": customer_id,
            "date": _day(doc.get("TxnDate"), date.today()),
            "due_date": _day(doc.get("DueDate")),
            "memo": (doc.get("PrivateNote") or "")[:4000],
            "subtotal": sum((x.amount for x in lines), ZERO),
            "discount_amount": discount,
            "tax_total": money((doc.get("TxnTaxDetail") or {}).get("TotalTax")),
            "total": total,
            "balance_due": min(max(money(doc.get("Balance")), ZERO), total),
            "tax_code_id": taxes.get(tax_ref),
        }
        for key, value in values.items():
            setattr(sale, key, value)
        rows.append((doc, sale, link, lines))
    new = [sale for _, sale, link, _ in rows if link is None]
    old = [sale for _, sale, link, _ in rows if link is not None]
    bulk.insert(Sale, new)
    fields = [
        "number",
        "customer",
        "date",
        "due_date",
        "memo",
        "subtotal",
        "discount_amount",
        "tax_total",
        "total",
        "balance_due",
        "tax_code",
    ]
    Sale.objects.bulk_update(old, fields, batch_size=1000)
    SaleLine.objects.filter(sale__in=old).delete()  # QuickBooks' lines replace the previous import's
    for _, sale, _, lines in rows:
        for line in lines:
            line.sale_id = sale.pk
    bulk.insert(SaleLine, [x for row in rows for x in row[3]])
    # The page's charges as the push reads them: lines with their items, customer, tax code (a fixed
    # number of queries per page, none per charge). New ones are not read back: nothing but what
    # was just written is on them.
    old_ids = [sale.pk for _, sale, link, _ in rows if link is not None]
    saved = (
        Sale.objects.select_related("customer__customer_type", "tax_code")
        .prefetch_related("lines__item", "credit_applications")
        .in_bulk(old_ids)
        if old_ids
        else {}
    )
    saved.update(_as_read_back([(sale, lines) for _, sale, link, lines in rows if link is None]))
    refs = ctx.refs(customers={v: k for k, v in customers.items()}, items={v: k for k, v in items.items()})
    new_links, changed = [], []
    for doc, sale, link, _ in rows:
        print_, base = pushed_state("sales.sale", saved[sale.pk], refs)
        if link is None:
            new_links.append(
                link_row(ctx, entity="sales.sale", object_id=sale.pk, doc=doc, fingerprint=print_, base=base)
            )
        else:
            link.sync_token, link.fingerprint, link.base = str(doc.get("SyncToken", "")), print_, base
            changed.append(link)
    save_links(ctx, "Invoice", new_links, changed)
    result.created, result.updated = len(new), len(old)
    return result


def _stored_decimals(record) -> None:
    # What the database hands back: every decimal at its field's scale ("0.00", not "0"), so the
    # fingerprint equals the one a later push computes from a fresh read.
    for f in record._meta.concrete_fields:
        value = getattr(record, f.attname)
        if isinstance(f, DecimalField) and value is not None:
            setattr(record, f.attname, Decimal(value).quantize(Decimal(1).scaleb(-f.decimal_places)))


def _as_read_back(new: list[tuple[Sale, list[SaleLine]]]) -> dict[int, Sale]:
    """Just-created charges with what a read with their relations would give (three reads a page)."""
    if not new:
        return {}
    customers = Customer.objects.select_related("customer_type").in_bulk({s.customer_id for s, _ in new})
    codes = TaxCode.objects.in_bulk({s.tax_code_id for s, _ in new if s.tax_code_id})
    items = Item.objects.in_bulk({line.item_id for _, lines in new for line in lines})
    for sale, lines in new:
        _stored_decimals(sale)
        sale.customer, sale.tax_code = customers[sale.customer_id], codes.get(sale.tax_code_id)
        for line in lines:
            _stored_decimals(line)
            line.item = items[line.item_id]
        sale._prefetched_objects_cache = {"lines": lines, "credit_applications": []}
    return {sale.pk: sale for sale, _ in new}


def _method(doc: dict, methods: dict) -> str:
    found = methods.get(_ref(doc, "PaymentMethodRef"))
    return reading.payment_method((found.name, found.kind) if found else None)


def payments_page(ctx: ImportContext, docs: list[dict]) -> PageResult:
    result = PageResult()
    customers = ctx.local_ids("Customer", (_ref(d, "CustomerRef") for d in docs))
    txn_ids = [
        t.get("TxnId")
        for d in docs
        for x in d.get("Line") or []
        for t in x.get("LinkedTxn") or []
        if t.get("TxnType") == "Invoice"
    ]
    invoices = ctx.local_ids("Invoice", txn_ids)
    methods = ctx.references("PaymentMethod")
    links = ctx.links("Payment", (d["Id"] for d in docs))
    linked = Payment.objects.in_bulk([x.object_id for x in links.values()])
    rows = []
    for doc in docs:
        qid, customer_id = str(doc["Id"]), customers.get(_ref(doc, "CustomerRef"))
        allocations: dict[int, Decimal] = {}
        for txn_id, amount in reading.linked(doc, "Invoice").items():
            if sale_id := invoices.get(txn_id):
                allocations[sale_id] = allocations.get(sale_id, ZERO) + amount
        amount, unapplied = money(doc.get("TotalAmt")), max(money(doc.get("UnappliedAmt")), ZERO)
        if customer_id is None or amount <= 0 or not (allocations or unapplied > 0):
            result.skipped += 1  # applied only to invoices already paid in full (or void): nothing open
            continue
        link = links.get(qid)
        payment = (linked.get(link.object_id) if link else None) or Payment(number=f"QB-{qid}"[:21])
        values = {
            "customer_id": customer_id,
            "date": _day(doc.get("TxnDate"), date.today()),
            "amount": amount,
            "method": _method(doc, methods),
            "reference": str(doc.get("PaymentRefNum") or "")[:100],
            "memo": (doc.get("PrivateNote") or "")[:4000],
            "unapplied_amount": min(unapplied, amount),
        }
        for key, value in values.items():
            setattr(payment, key, value)
        rows.append((doc, payment, link, {k: v for k, v in allocations.items() if v > 0}))
    new = [p for _, p, link, _ in rows if link is None]
    old = [p for _, p, link, _ in rows if link is not None]
    Payment.objects.bulk_create(new, batch_size=1000)
    Payment.objects.bulk_update(
        old,
        ["customer", "date", "amount", "method", "reference", "memo", "unapplied_amount"],
        batch_size=1000,
    )
    PaymentAllocation.objects.filter(payment__in=old).delete()
    PaymentAllocation.objects.bulk_create(
        [
            PaymentAllocation(payment_id=p.pk, sale_id=s, amount=a)
            for _, p, _, allocs in rows
            for s, a in allocs.items()
        ],
        batch_size=2000,
    )
    saved = Payment.objects.prefetch_related("allocations").in_bulk([p.pk for _, p, _, _ in rows])
    refs = ctx.refs(
        customers={v: k for k, v in customers.items()},
        transactions={("sales.sale", sale): qbo for qbo, sale in invoices.items()},
    )
    new_links, changed = [], []
    for doc, payment, link, _ in rows:
        print_, base = pushed_state("sales.payment", saved[payment.pk], refs)
        if link is None:
            new_links.append(
                link_row(
                    ctx, entity="sales.payment", object_id=payment.pk, doc=doc, fingerprint=print_, base=base
                )
            )
        else:
            link.sync_token, link.fingerprint, link.base = str(doc.get("SyncToken", "")), print_, base
            changed.append(link)
    save_links(ctx, "Payment", new_links, changed)
    result.created, result.updated = len(new), len(old)
    return result
