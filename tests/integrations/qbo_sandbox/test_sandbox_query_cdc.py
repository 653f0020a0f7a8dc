"""The query language as python-quickbooks emits it (spec §1.1.4, §4.7) and change data capture (§4.8)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import UnsupportedException, ValidationException
from quickbooks.objects.account import Account
from quickbooks.objects.customer import Customer
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.taxcode import TaxCode

from .test_sandbox_sales import invoice, line, pay


def company_now() -> datetime:
    """python-quickbooks sends CDC times without an offset; QBO reads them as company time."""
    return datetime.now(ZoneInfo("America/Los_Angeles"))


def make(qb, name: str) -> Customer:
    customer = Customer()
    customer.DisplayName = name
    return customer.save(qb=qb)


def test_python_quickbooks_query_strings(qb, unique):
    prefix = unique("Q").replace(" ", "")
    made = [make(qb, f"{prefix} {n}") for n in ("b", "a", "O'Brien")]
    like = Customer.where(f"DisplayName LIKE '{prefix}%'", order_by="DisplayName", qb=qb)
    assert [c.DisplayName for c in like] == sorted((c.DisplayName for c in made), key=str.lower)
    desc = Customer.where(f"DisplayName LIKE '{prefix}%'", order_by="DisplayName DESC", qb=qb)
    assert desc[0].DisplayName == f"{prefix} O'Brien"
    assert Customer.filter(DisplayName=f"{prefix} O'Brien", Active=True, qb=qb)[0].Id == made[2].Id
    chosen = Customer.choose([made[0].Id, made[1].Id], qb=qb)
    assert sorted(c.Id for c in chosen) == sorted([made[0].Id, made[1].Id])
    assert Customer.count(f"DisplayName LIKE '{prefix}%'", qb=qb) == 3
    paged = Customer.where(f"DisplayName LIKE '{prefix}%'", start_position=0, max_results=2, qb=qb)
    assert len(paged) == 2
    second = Customer.where(f"DisplayName LIKE '{prefix}%'", start_position=3, max_results=2, qb=qb)
    assert [c.Id for c in second] == [max(made, key=lambda c: int(c.Id)).Id]
    # string comparison is case-insensitive, like QBO
    assert Account.where("Name = 'checking'", qb=qb)[0].Name == "Checking"
    assert Item.all(qb=qb)  # "SELECT *, Sku FROM Item MAXRESULTS 100"


def test_query_response_shapes(qb):
    empty = qb.query("SELECT * FROM Customer WHERE DisplayName = 'nobody at all'")
    assert empty["QueryResponse"] == {}
    page = qb.query("select Id, DisplayName from customer where Id in ('1', '2') orderby Id")
    rows = page["QueryResponse"]["Customer"]
    assert page["QueryResponse"]["maxResults"] == 2 and page["QueryResponse"]["startPosition"] == 1
    assert set(rows[0]) == {"Id", "DisplayName", "sparse"}


def test_query_errors(qb):
    with pytest.raises(ValidationException) as exc:
        qb.query("SELECT * FROM Customer WHERE")
    assert exc.value.error_code == 4000
    with pytest.raises(ValidationException) as exc:
        qb.query("SELECT * FROM Customer WHERE NoSuchField = '1'")
    assert exc.value.error_code == 4001
    with pytest.raises(ValidationException) as exc:
        qb.query("SELECT * FROM Customer MAXRESULTS 1001")
    assert exc.value.error_code == 4001


def test_invoices_by_customer_ref_and_taxcodes(qb, unique):
    customer = make(qb, unique("Ref"))
    first = invoice(qb, customer, line(10))
    second = invoice(qb, customer, line(20))
    rows = qb.query(f"select * from Invoice where CustomerRef = '{customer.Id}'")["QueryResponse"]["Invoice"]
    assert [r["Id"] for r in rows] == [first.Id, second.Id]
    first.delete(qb=qb)
    assert [i.Id for i in Invoice.where(f"CustomerRef = '{customer.Id}'", qb=qb)] == [second.Id]
    assert {t.Name for t in TaxCode.all(qb=qb)} >= {"TAX", "NON", "California"}


def test_cdc_reports_changes_deactivations_and_tombstones(make_qb, new_realm, hook):
    qb = make_qb(new_realm)
    since = company_now() - timedelta(minutes=5)
    assert change_data_capture([Customer, Invoice], since, qb=qb).__dict__.get("Customer") is None
    raw = qb.change_data_capture("Customer", since.strftime("%Y-%m-%dT%H:%M:%S"))
    assert raw["CDCResponse"] == [{"QueryResponse": [{}]}]
    kept, gone = make(qb, "Kept"), make(qb, "Sleeper")
    gone.Active = False
    gone.save(qb=qb)
    inv = invoice(qb, kept, line(10))
    doomed = invoice(qb, kept, line(5))
    doomed.delete(qb=qb)
    result = change_data_capture([Customer, Invoice], since, qb=qb)
    customers = {c.Id: c for c in result.Customer}
    assert set(customers) == {kept.Id, gone.Id} and customers[gone.Id].Active is False
    invoices = [i.to_dict() for i in result.Invoice]
    assert (
        invoices[0]["Id"] == inv.Id
        and invoices[-1]["status"] == "Deleted"
        and invoices[-1]["Id"] == doomed.Id
    )


def test_cdc_window_is_thirty_days_of_sandbox_time(make_qb, new_realm, hook):
    qb = make_qb(new_realm)
    with pytest.raises(UnsupportedException) as exc:
        change_data_capture([Customer], company_now() - timedelta(days=31), qb=qb)
    assert "older than fixed days" in exc.value.detail
    make(qb, "Before the jump")
    since = company_now() - timedelta(days=1)
    hook("clock", {"advance_seconds": 2 * 86400})
    qb = make_qb(new_realm)  # a fresh token: two days passed
    later = change_data_capture([Customer], since, qb=qb)
    assert [c.DisplayName for c in later.Customer] == ["Before the jump"]


def test_paging_a_filtered_list_stays_exact_when_it_changes_between_pages(qb, new_realm, make_qb, unique):
    """A client walking STARTPOSITION pages over a filter SQLite cannot evaluate (Balance) gets every
    row once; the server's shortcut to the next page must not survive a write in between."""
    books = make_qb(new_realm)
    buyer = make(books, unique("Pager"))
    made = [invoice(books, buyer, line(amount)) for amount in (10, 0, 20, 30, 0, 40, 50)]
    sql = (
        f"SELECT * FROM Invoice WHERE CustomerRef = '{buyer.Id}' AND Balance > '0' ORDERBY Id "
        "STARTPOSITION {} MAXRESULTS 2"
    )

    def page(start: int) -> list[str]:
        return [row["Id"] for row in books.query(sql.format(start))["QueryResponse"].get("Invoice", [])]

    ids = [i.Id for i in made]
    assert page(1) + page(3) + page(5) + page(7) == [ids[0], ids[2], ids[3], ids[5], ids[6]]
    assert page(1) == [ids[0], ids[2]]  # the server now knows where position 3 starts
    pay(books, buyer, 10, (made[0], 10))  # the first open invoice is paid: later rows shift back
    assert page(3) == [ids[5], ids[6]]
    assert page(1) == [ids[2], ids[3]] and page(5) == []
