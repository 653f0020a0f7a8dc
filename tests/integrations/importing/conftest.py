"""Seeding the sandbox company "in QuickBooks" (its bookkeeper hook) and running imports."""

from __future__ import annotations

import pytest

from integrations.importing.runner import run_import
from integrations.importing.services import initial_import_start


class Books:
    """Creates records in the sandbox company as a bookkeeper would in QuickBooks' own screens."""

    def __init__(self, sandbox) -> None:
        self.sandbox = sandbox

    def create(self, entity: str, fields: dict) -> dict:
        path = f"realms/{self.sandbox.realm}/bookkeeper"
        return self.sandbox.hook(path, {"entity": entity, "action": "create", "fields": fields})[entity]

    def edit(self, entity: str, id_: str, fields: dict, action: str = "update") -> dict:
        path = f"realms/{self.sandbox.realm}/bookkeeper"
        return self.sandbox.hook(path, {"entity": entity, "action": action, "id": id_, "fields": fields})[
            entity
        ]


@pytest.fixture
def books(sandbox_company):
    return Books(sandbox_company)


@pytest.fixture
def seeded(books):
    """The sample company plus a second family of sub-customers, an item, an invoice and payments.

    Sample company (integrations/qbo_sandbox/seed.py): 8 customers, ‘0969 Ocean View Road’ is a job
    of ‘Freeman Sporting Goods’; open invoices 130 (185.00), 131 (85.00), 132 (120.00, 50.00 paid).
    """
    parent = books.create(
        "Customer", {"DisplayName": "Harbor Outfitters", "PrimaryEmailAddr": {"Address": "ap@harbor.example"}}
    )
    job = books.create(
        "Customer",
        {"DisplayName": "Pier 12", "Job": True, "ParentRef": {"value": parent["Id"]}, "BillWithParent": True},
    )
    sub_job = books.create(
        "Customer", {"DisplayName": "Pier 12 Dock B", "Job": True, "ParentRef": {"value": job["Id"]}}
    )
    lamp = books.create(
        "Item",
        {
            "Name": "Dock Lamp",
            "Type": "NonInventory",
            "UnitPrice": 40,
            "IncomeAccountRef": {"value": "79"},
            "Sku": "LAMP-1",
        },
    )
    invoice = books.create(
        "Invoice",
        {
            "CustomerRef": {"value": job["Id"]},
            "Line": [
                {
                    "DetailType": "SalesItemLineDetail",
                    "Amount": 80,
                    "SalesItemLineDetail": {"ItemRef": {"value": lamp["Id"]}, "Qty": 2, "UnitPrice": 40},
                }
            ],
        },
    )
    payment = books.create(
        "Payment",
        {
            "CustomerRef": {"value": job["Id"]},
            "TotalAmt": 100,
            "PaymentMethodRef": {"value": "3"},
            "Line": [{"Amount": 30, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
    )
    return {
        "parent": parent,
        "job": job,
        "sub_job": sub_job,
        "lamp": lamp,
        "invoice": invoice,
        "payment": payment,
    }


@pytest.fixture
def import_all(connection):
    """Start an import and run it to the end in this process (small pages, so paging is exercised)."""

    def run(page_size: int = 3, **kwargs):
        run = initial_import_start(connection=connection, enqueue=False)
        return run_import(run.pk, page_size=page_size, **kwargs)

    return run
