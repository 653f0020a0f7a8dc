"""The import's own INSERT (integrations/importing/bulk.py) stores exactly what Django's bulk_create
stores, on SQLite and on PostgreSQL (where rows travel as one array per column)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from customers.models import Customer
from integrations.importing.bulk import insert

pytestmark = pytest.mark.django_db

AWKWARD = [
    {
        "display_name": 'O\'Brien, "Pat" {VIP}',
        "notes": "line one\nline two\\ and a tab\t",
        "credit_limit": None,
    },
    {
        "display_name": "Zoë Ångström",
        "custom_fields": {"PO": "A,B", "note": None},
        "credit_limit": Decimal("0.10"),
    },
    {
        "display_name": "NULL",
        "email": "",
        "tax_exempt": True,
        "tax_exemption_reason": 1,
        "credit_limit": Decimal("99999.99"),
    },
]


def _stored(customers) -> list[dict]:
    skip = {"id", "created_at", "updated_at"}
    rows = Customer.objects.filter(pk__in=[c.pk for c in customers]).order_by("pk")
    return [{k: v for k, v in model_to_dict(row).items() if k not in skip} for row in rows]


def test_rows_come_back_field_for_field_as_bulk_create_stores_them_with_their_keys_in_order():
    parent = Customer.objects.create(display_name="Parent Co")
    ours = [Customer(parent=parent, depth=1, **values) for values in AWKWARD]
    theirs = [
        Customer(parent=parent, depth=1, **{**v, "display_name": v["display_name"] + " 2"}) for v in AWKWARD
    ]

    insert(Customer, ours)
    Customer.objects.bulk_create(theirs)

    assert [c.pk for c in ours] == sorted(c.pk for c in ours) and all(c.pk for c in ours)
    assert [Customer.objects.get(pk=c.pk).display_name for c in ours] == [v["display_name"] for v in AWKWARD]
    mine, reference = _stored(ours), _stored(theirs)
    for row in reference:
        row["display_name"] = row["display_name"][: -len(" 2")]
    assert mine == reference
    assert all(c.created_at is not None for c in Customer.objects.filter(pk__in=[c.pk for c in ours]))


def test_more_rows_than_one_statement_holds_all_arrive_with_their_own_keys():
    customers = [Customer(display_name=f"Bulk {n:05d}") for n in range(5_100)]

    insert(Customer, customers)

    stored = dict(Customer.objects.filter(display_name__startswith="Bulk ").values_list("pk", "display_name"))
    assert len(stored) == 5_100
    assert all(stored[c.pk] == c.display_name for c in customers)
