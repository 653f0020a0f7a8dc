"""Big-table admin helpers: split search finds exactly what the admin's own search finds; estimated counts."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory

from customers.services import customer_create
from sales.models import Sale
from syncportal import admin_scale
from syncportal.access.roles import MANAGER
from tests.factories.integrations import user_in_role
from tests.factories.sales import make_cash_sale, make_charge

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL-only planner features")


@pytest.fixture
def sales(db):
    smith = customer_create(display_name="Jane Smith")
    other = customer_create(display_name="Bob Jones")
    wanted = [make_charge(customer=smith), make_cash_sale(customer=smith, memo="left with Jones")]
    make_charge(customer=other, memo="plain")
    make_cash_sale(memo="for Mrs Smithers")
    return wanted


def _search(term):
    model_admin = admin.site._registry[Sale]
    request = RequestFactory().get("/", {"q": term})
    request.user = user_in_role(MANAGER)
    found, _ = model_admin.get_search_results(request, Sale.objects.all(), term)
    plain, _ = admin.ModelAdmin.get_search_results(model_admin, request, Sale.objects.all(), term)
    return set(found.values_list("pk", flat=True)), set(plain.values_list("pk", flat=True))


@pytest.mark.parametrize("broad", [False, True])
@pytest.mark.parametrize("term", ["smith", "jones", "Smith jones", "nothing-like-this"])
def test_sale_search_finds_what_the_plain_admin_search_finds(sales, term, broad, monkeypatch):
    if broad:  # on PostgreSQL: take the "walk the ordering index" form, as for a term matching many rows
        monkeypatch.setattr(admin_scale, "ESTIMATE_ABOVE", -1)
    found, plain = _search(term)
    assert found == plain
    if term == "smith":
        assert len(found) == 3  # Jane Smith's two sales and the memo naming Mrs Smithers


@on_postgres
def test_unfiltered_count_comes_from_the_planner_statistics(sales, monkeypatch):
    monkeypatch.setattr(admin_scale, "ESTIMATE_ABOVE", 0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sales_sale")
    assert admin_scale.EstimatedCountPaginator(Sale.objects.order_by("pk"), 100).count == 4
    with connection.cursor() as cursor:  # make the statistics say something the table does not
        cursor.execute("UPDATE pg_class SET reltuples = 1234567 WHERE oid = 'sales_sale'::regclass")
    assert admin_scale.EstimatedCountPaginator(Sale.objects.order_by("pk"), 100).count == 1234567
    # A filtered list is counted exactly while the planner expects it to be small.
    monkeypatch.setattr(admin_scale, "ESTIMATE_ABOVE", 10**9)
    assert admin_scale.EstimatedCountPaginator(Sale.objects.filter(kind="cash"), 100).count == 2
