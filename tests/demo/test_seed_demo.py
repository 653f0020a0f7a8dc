"""``manage.py seed_demo``: the promised mix of demo data, every stored figure adding up, idempotence."""

from __future__ import annotations

import io
import re
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Sum

from customers.models import MAX_DEPTH, Customer, CustomerType
from sales.models import (
    CreditApplication,
    Item,
    Payment,
    PaymentAllocation,
    Refund,
    RefundLine,
    Sale,
    SaleLine,
    StoreCredit,
    StoreCreditLine,
    TaxCode,
)
from sales.services.totals import document_totals, line_amount
from syncportal.demo.catalog import opening_stock
from syncportal.outbox.models import OutboxEntry

pytestmark = pytest.mark.django_db
N = 300
AS_OF = "2026-06-30"
ZERO = Decimal("0.00")


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--customers", str(N), "--seed", "7", "--as-of", AS_OF, *args, stdout=out)
    return out.getvalue()


def _sums(queryset, key: str, field: str) -> dict[int, Decimal]:
    return {row[key]: row["s"] for row in queryset.values(key).annotate(s=Sum(field))}


def test_creates_the_promised_mix_of_customers():
    seed()
    customers = list(Customer.objects.all())
    assert len(customers) == N
    assert set(CustomerType.objects.values_list("name", flat=True)) == {
        "Retail",
        "Wholesale",
        "Contractor",
        "Non-profit",
    }
    share = lambda test: sum(1 for c in customers if test(c)) / N  # noqa: E731
    assert 0.20 <= share(lambda c: c.company_name) <= 0.40
    assert 0.02 <= share(lambda c: c.tax_exempt) <= 0.09
    assert all(c.tax_exemption_reason and c.resale_number for c in customers if c.tax_exempt)
    assert 0.15 <= share(lambda c: c.credit_limit is not None) <= 0.40
    assert 0.10 <= share(lambda c: c.custom_fields) <= 0.30
    assert any(
        c.custom_fields.get("Loyalty tier") in {"Bronze", "Silver", "Gold", "Platinum"} for c in customers
    )
    assert {c.bill_region for c in customers} >= {"CA", "OR"}
    # Phones written the ways people write them, and each one passes the admin's validation.
    styles = {re.sub(r"\d", "9", c.phone) for c in customers if c.phone}
    assert len(styles) >= 4
    for c in customers:
        c.full_clean()

    subs = [c for c in customers if c.parent_id]
    assert 0.02 <= len(subs) / N <= 0.06
    by_id = {c.pk: c for c in customers}
    for sub in subs:
        parent = by_id[sub.parent_id]
        assert parent.company_name, "jobs hang under business customers"
        assert sub.depth == parent.depth + 1 <= MAX_DEPTH
        assert sub.full_name.startswith(parent.full_name + ":")
    assert any(sub.bill_with_parent for sub in subs)
    assert not any(c.bill_with_parent for c in customers if not c.parent_id)


def test_near_duplicates_exist_for_the_duplicate_finder():
    seed()
    customers = list(Customer.objects.filter(parent__isnull=True))
    groups: dict[str, list[Customer]] = defaultdict(list)
    for c in customers:
        if c.email:
            local, _, domain = c.email.lower().partition("@")
            groups["e:" + local.split("+")[0].replace(".", "") + "@" + domain].append(c)
        digits = re.sub(r"\D", "", c.phone)[-10:]
        if len(digits) == 10:
            groups["p:" + digits].append(c)
    pairs = {tuple(sorted((a.pk, b.pk))) for g in groups.values() for a in g for b in g if a.pk != b.pk}
    assert len(pairs) >= N * 0.015
    by_id = {c.pk: c for c in customers}
    twins = [(by_id[a], by_id[b]) for a, b in pairs]
    assert all(a.display_name != b.display_name for a, b in twins)
    swapped = any(
        {a.given_name, a.family_name} == {b.given_name, b.family_name} and a.given_name != b.given_name
        for a, b in twins
    )
    plus_or_case = any(a.email != b.email and a.email and b.email for a, b in twins)
    reformatted = any(
        a.phone != b.phone and re.sub(r"\D", "", a.phone)[-10:] == re.sub(r"\D", "", b.phone)[-10:]
        for a, b in twins
        if a.phone and b.phone
    )
    assert swapped or plus_or_case
    assert reformatted


def test_sales_history_covers_every_kind_of_document():
    seed()
    sales = Sale.objects.all()
    assert 1.6 <= sales.filter(customer__isnull=False).count() / N <= 3.0
    assert sales.filter(customer__isnull=True, kind="cash").exists(), "walk-in cash sales"
    assert sales.filter(kind="charge").exists()
    assert Payment.objects.filter(unapplied_amount__gt=0).exists(), "overpayments"
    assert Payment.objects.annotate(n=Count("allocations")).filter(n__gte=2).exists(), "split payments"
    partly_paid = Sale.objects.filter(kind="charge", balance_due__gt=0, allocations__isnull=False)
    paid_in_parts = Sale.objects.annotate(n=Count("allocations")).filter(n__gte=2)
    assert partly_paid.exists() or paid_in_parts.exists(), "partial payments"
    assert RefundLine.objects.filter(restock=True).exists(), "refunds with restock"
    assert CreditApplication.objects.exists(), "store credit applied to a charge"
    assert StoreCredit.objects.filter(remaining__gt=0).exists(), "store credit left to use"
    assert {(t.name, t.rate) for t in TaxCode.objects.all()} >= {
        ("CA Sales Tax", Decimal("8.25")),
        ("Out of state", Decimal("0")),
    }
    kinds = set(Item.objects.values_list("kind", flat=True))
    assert kinds == {"inventory", "non_inventory", "service"}
    assert not Item.objects.filter(sku__isnull=True).exists()
    assert not OutboxEntry.objects.exists(), "demo data is local history: nothing to push"


def test_every_stored_figure_adds_up():
    seed()
    # Lines and document totals, as the sales services compute them.
    for doc_model, line_model, fk in (
        (Sale, SaleLine, "sale"),
        (Refund, RefundLine, "refund"),
        (StoreCredit, StoreCreditLine, "store_credit"),
    ):
        lines = defaultdict(list)
        for line in line_model.objects.all():
            assert line.amount == line_amount(line.quantity, line.unit_price)
            lines[getattr(line, f"{fk}_id")].append((line.amount, line.taxable))
        for doc in doc_model.objects.select_related(
            "tax_code", *([] if doc_model is Sale else ["original_sale"])
        ):
            percent = doc.discount_percent if doc_model is Sale else doc.original_sale.discount_percent
            totals = document_totals(lines[doc.pk], discount_percent=percent, tax_rate=doc.tax_code.rate)
            got = (doc.subtotal, doc.discount_amount, doc.tax_total, doc.total)
            assert got == (totals.subtotal, totals.discount_amount, totals.tax_total, totals.total), doc

    paid = _sums(PaymentAllocation.objects, "sale_id", "amount")
    credited = _sums(CreditApplication.objects, "sale_id", "amount")
    for sale in Sale.objects.all():
        if sale.kind == "cash":
            assert sale.balance_due == 0 and sale.pk not in paid and sale.pk not in credited
        else:
            assert sale.balance_due == sale.total - paid.get(sale.pk, ZERO) - credited.get(sale.pk, ZERO) >= 0
    allocated = _sums(PaymentAllocation.objects, "payment_id", "amount")
    for payment in Payment.objects.all():
        assert payment.unapplied_amount == payment.amount - allocated.get(payment.pk, ZERO) >= 0
    assert not PaymentAllocation.objects.exclude(sale__customer=F("payment__customer")).exists()
    applied = _sums(CreditApplication.objects, "store_credit_id", "amount")
    for credit in StoreCredit.objects.all():
        assert credit.remaining == credit.total - applied.get(credit.pk, ZERO) >= 0
    assert not CreditApplication.objects.exclude(sale__customer=F("store_credit__customer")).exists()

    # Each customer's balance, recomputed from the ledger.
    open_charges = _sums(Sale.objects.filter(kind="charge"), "customer_id", "balance_due")
    unapplied = _sums(Payment.objects, "customer_id", "unapplied_amount")
    unused = _sums(StoreCredit.objects, "customer_id", "remaining")
    for c in Customer.objects.all():
        expected = open_charges.get(c.pk, ZERO) - unapplied.get(c.pk, ZERO) - unused.get(c.pk, ZERO)
        assert c.balance == expected, c
        if c.credit_limit is not None:
            assert c.balance <= c.credit_limit
    assert Customer.objects.filter(balance__gt=0).exists() and Customer.objects.filter(balance__lt=0).exists()

    # Stock: opening quantity - sold + restocked, never below zero.
    sold = _sums(SaleLine.objects, "item_id", "quantity")
    back = Counter(_sums(RefundLine.objects.filter(restock=True), "item_id", "quantity"))
    back.update(_sums(StoreCreditLine.objects.filter(restock=True), "item_id", "quantity"))
    for item in Item.objects.all():
        if item.kind == "inventory":
            expected = opening_stock(item.sku, N) - sold.get(item.pk, 0) + back.get(item.pk, 0)
            assert item.quantity_on_hand == expected >= 0, item
        else:
            assert item.quantity_on_hand == 0 and back.get(item.pk, 0) == 0
    # Nothing is returned twice: returned quantities stay within what the sale sold.
    sold_per_sale = {(ln.sale_id, ln.item_id): ln.quantity for ln in SaleLine.objects.all()}
    for line in [
        *RefundLine.objects.select_related("refund"),
        *StoreCreditLine.objects.select_related("store_credit"),
    ]:
        doc = getattr(line, "refund", None) or line.store_credit
        assert line.quantity <= sold_per_sale[(doc.original_sale_id, line.item_id)]


def test_second_run_changes_nothing_and_flush_rebuilds_the_same_data():
    first = seed()
    assert "customers 300/300" in first and "staff-demo-pass" in first
    fingerprint = lambda: (  # noqa: E731
        list(Customer.objects.order_by("pk").values_list("display_name", "email", "balance")),
        list(Sale.objects.order_by("pk").values_list("number", "date", "total", "balance_due")),
    )
    before = fingerprint()

    again = seed()
    assert "already exists" in again and "--flush" in again
    assert fingerprint() == before
    assert get_user_model().objects.count() == 4
    assert "password unchanged" in again

    seed("--flush")
    after = fingerprint()
    assert [row[0] for row in after[0]] == [row[0] for row in before[0]]  # same names, same order
    assert [row[1:] for row in after[1]] == [row[1:] for row in before[1]]
    assert Customer.objects.count() == N and get_user_model().objects.count() == 4


def test_as_of_date_bounds_the_history():
    seed()
    newest = Sale.objects.order_by("-date").values_list("date", flat=True).first()
    oldest = Sale.objects.order_by("date").values_list("date", flat=True).first()
    assert newest <= date.fromisoformat(AS_OF)
    assert (date.fromisoformat(AS_OF) - oldest).days <= 540
    assert not Payment.objects.filter(date__gt=AS_OF).exists()


@pytest.mark.parametrize(
    ("username", "password", "group"),
    [
        ("manager", "manager-demo-pass", "Manager"),
        ("bookkeeper", "bookkeeper-demo-pass", "Bookkeeper"),
        ("staff", "staff-demo-pass", "Staff"),
        ("admin", "admin-demo-pass", None),
    ],
)
def test_demo_users_have_their_role_and_can_sign_in(client, username, password, group):
    seed()
    user = get_user_model().objects.get(username=username)
    assert user.is_staff and user.is_active
    assert user.is_superuser == (group is None)
    assert list(user.groups.values_list("name", flat=True)) == ([group] if group else [])
    response = client.post("/admin/login/?next=/admin/", {"username": username, "password": password})
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_refuses_to_run_with_production_settings(settings):
    settings.SETTINGS_MODULE = "syncportal.settings.production"
    with pytest.raises(CommandError, match="production"):
        seed()
    assert not Customer.objects.exists() and not get_user_model().objects.exists()


def test_records_added_after_the_demo_get_fresh_ids():
    seed()
    last_customer, last_sale = Customer.objects.latest("pk").pk, Sale.objects.latest("pk").pk
    customer = Customer.objects.create(display_name="Added after the demo")
    sale = Sale.objects.create(number="CS-900001", date=date(2026, 7, 1), kind="cash", customer=customer)
    assert (customer.pk, sale.pk) == (last_customer + 1, last_sale + 1)
