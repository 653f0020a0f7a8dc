"""Customer import (CSV and XLSX): preview first, all or nothing, plain row errors, outbox rows;
and export files that import back unchanged."""

import csv
import io
from decimal import Decimal

import pytest
import tablib
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import Customer, TaxExemptionReason
from customers.resources import COLUMNS, CustomerResource
from syncportal.outbox.models import OutboxEntry
from tests.factories.customers import CustomerFactory, CustomerTypeFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:customers_customer_import")
PROCESS = reverse("admin:customers_customer_process_import")
EXPORT = reverse("admin:customers_customer_export")
CSV_FORMAT, XLSX_FORMAT = "0", "1"  # positions in CustomerAdmin.import_formats / export_formats


def _dataset(rows: list[dict]) -> tablib.Dataset:
    headers = list(dict.fromkeys(key for row in rows for key in row))
    return tablib.Dataset(*[[row.get(h, "") for h in headers] for row in rows], headers=headers)


def _upload(rows: list[dict], file_format: str) -> SimpleUploadedFile:
    dataset = _dataset(rows)
    if file_format == CSV_FORMAT:
        return SimpleUploadedFile("customers.csv", dataset.export("csv").encode(), "text/csv")
    return SimpleUploadedFile("customers.xlsx", dataset.export("xlsx"), "application/octet-stream")


def _preview(client, rows, file_format):
    return client.post(
        IMPORT, {"format": file_format, "resource": "0", "import_file": _upload(rows, file_format)}
    )


GOOD_ROWS = [
    {
        "display_name": "Acme Hardware",
        "email": "buy@acme.test",
        "phone": "555 123 4567",
        "customer_type": "retail",
    },
    {
        "display_name": "Acme Annex",
        "parent": "Acme Hardware",
        "bill_with_parent": "yes",
        "credit_limit": "1,500",
    },
    {"display_name": "City School", "tax_exempt": "yes", "tax_exemption_reason": "Educational organization"},
]


@pytest.fixture
def retail(db):
    return CustomerTypeFactory(name="Retail")


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT], ids=["csv", "xlsx"])
def test_a_good_file_is_previewed_then_imported_with_an_outbox_row_per_customer(
    manager_client, role_users, retail, file_format
):
    preview = _preview(manager_client, GOOD_ROWS, file_format)

    assert preview.context["confirm_form"] is not None
    assert [row.import_type for row in preview.context["result"].rows] == ["new", "new", "new"]
    assert not Customer.objects.exists()  # the preview is a dry run
    assert not OutboxEntry.objects.exists()

    done = manager_client.post(PROCESS, preview.context["confirm_form"].initial, follow=True)

    assert "Import finished: 3 new, 0 updated" in " ".join(str(m) for m in get_messages(done.wsgi_request))
    annex = Customer.objects.get(display_name="Acme Annex")
    assert (annex.parent.display_name, annex.depth, annex.bill_with_parent) == ("Acme Hardware", 1, True)
    assert annex.credit_limit == Decimal("1500.00")
    assert Customer.objects.get(display_name="Acme Hardware").customer_type == retail
    assert (
        Customer.objects.get(display_name="City School").tax_exemption_reason
        == TaxExemptionReason.EDUCATIONAL
    )
    entries = OutboxEntry.objects.filter(entity="customers.customer")
    assert sorted(entries.values_list("operation", flat=True)) == ["create"] * 3
    assert {entry.actor for entry in entries} == {role_users["Manager"]}


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT], ids=["csv", "xlsx"])
def test_one_bad_row_writes_nothing_and_the_preview_names_row_column_and_problem(
    manager_client, retail, file_format
):
    rows = [*GOOD_ROWS, {"display_name": "Bad Row", "email": "not-an-email", "customer_type": "Wholesale"}]

    preview = _preview(manager_client, rows, file_format)

    page = preview.content.decode()
    assert "Nothing was imported: 1 row needs fixing" in page
    assert "Row 4 (line 5 of the file)" in page
    assert "Enter a valid email address." in page
    assert "There is no customer type named &#x27;Wholesale&#x27;. Add it under Customer types first." in page
    assert preview.context.get("confirm_form") is None
    assert not Customer.objects.exists()
    assert not OutboxEntry.objects.exists()


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (
            {"display_name": "X", "parent": "Nobody"},
            "parent",
            "There is no customer named 'Nobody' to be the parent",
        ),
        ({"display_name": "X", "credit_limit": "lots"}, "credit_limit", "Enter an amount like 1500.00"),
        ({"display_name": "X", "credit_limit": "-5"}, "credit_limit", "cannot be negative"),
        ({"display_name": "X", "is_active": "maybe"}, "is_active", "Write yes or no here, not 'maybe'."),
        ({"display_name": "X", "custom_fields": "{oops"}, "custom_fields", "Write custom fields as JSON"),
        (
            {"display_name": "X", "tax_exemption_reason": "Because"},
            "tax_exemption_reason",
            "no tax exemption reason",
        ),
        ({"display_name": "X", "tax_exempt": "yes"}, "tax_exemption_reason", "Choose a tax exemption reason"),
        ({"display_name": "A:B"}, "display_name", "cannot contain a colon"),
        ({"display_name": "", "email": "a@b.test"}, "display_name", "Enter a display name"),
        ({"display_name": "X", "phone": "12"}, "phone", "Enter a phone number with 7 to 15 digits"),
    ],
)
def test_each_row_problem_is_reported_in_plain_words_on_its_column(db, row, column, message):
    result = CustomerResource().import_data(_dataset([row]), dry_run=True)

    assert result.has_validation_errors()
    invalid = result.invalid_rows[0]
    assert invalid.number == 1
    assert message in " ".join(invalid.field_specific_errors[column])


def test_headers_may_be_written_as_words_but_an_unknown_column_stops_the_import(manager_client):
    ok = CustomerResource().import_data(
        tablib.Dataset(["Words Co", "w@example.com"], headers=["Display name", "Email"])
    )
    assert [row.import_type for row in ok.rows] == ["new"]

    preview = _preview(manager_client, [{"display_name": "Typo Co", "emial": "t@example.com"}], CSV_FORMAT)

    page = preview.content.decode()
    assert "This file has columns SyncPortal does not know: emial." in page
    assert "Traceback" not in page
    assert preview.context.get("confirm_form") is None
    assert list(Customer.objects.values_list("display_name", flat=True)) == ["Words Co"]


def test_blank_lines_in_a_spreadsheet_are_skipped_not_refused(db):
    rows = [{"display_name": "Real", "email": "r@example.com"}, {"display_name": "", "email": ""}]

    result = CustomerResource().import_data(_dataset(rows), dry_run=False)

    assert [row.import_type for row in result.rows] == ["new", "skip"]
    assert list(Customer.objects.values_list("display_name", flat=True)) == ["Real"]


def test_a_customer_listed_twice_in_one_file_is_refused(db):
    rows = [{"display_name": "Twin"}, {"display_name": "twin "}]

    result = CustomerResource().import_data(_dataset(rows), dry_run=True)

    assert result.invalid_rows[0].number == 2
    assert result.invalid_rows[0].field_specific_errors["display_name"] == [
        "'twin' is already on row 1 of this file; list each customer once."
    ]


def _fifty_rows(last_email: str) -> tablib.Dataset:
    rows = [{"display_name": f"Customer {n}", "email": f"c{n}@example.com"} for n in range(1, 50)]
    return _dataset([*rows, {"display_name": "Customer 50", "email": last_email}])


# A real transaction (not the test's wrapping one), so commit and rollback are what production sees.
@pytest.mark.django_db(transaction=True)
def test_an_error_in_row_50_leaves_rows_1_to_49_unwritten_even_when_not_a_dry_run():
    result = CustomerResource().import_data(_fifty_rows("broken"), dry_run=False)

    assert [row.number for row in result.invalid_rows] == [50]
    assert not Customer.objects.exists()
    assert not OutboxEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_valid_file_of_fifty_commits_fifty_customers_and_fifty_outbox_rows():
    result = CustomerResource().import_data(_fifty_rows("c50@example.com"), dry_run=False)

    assert not result.has_validation_errors() and not result.has_errors()
    assert Customer.objects.count() == 50
    assert OutboxEntry.objects.filter(entity="customers.customer", operation="create").count() == 50


def test_existing_customers_are_matched_by_name_ignoring_case_and_only_real_changes_are_queued(db):
    kept = CustomerFactory(display_name="Same Co", email="same@example.com", phone="555 000 1111")
    changed = CustomerFactory(display_name="Moving Co", email="old@example.com", phone="555 000 2222")
    rows = [
        {"display_name": "Same Co", "email": "same@example.com", "phone": "555 000 1111"},
        {"display_name": "MOVING CO", "email": "new@example.com", "phone": "555 000 2222"},
    ]

    result = CustomerResource().import_data(_dataset(rows), dry_run=False)

    assert [row.import_type for row in result.rows] == ["skip", "update"]
    assert Customer.objects.count() == 2
    assert list(OutboxEntry.objects.values_list("object_id", "changed_fields")) == [
        (changed.pk, ["display_name", "email"])
    ]
    assert Customer.objects.get(pk=kept.pk).email == "same@example.com"


def test_a_blank_yes_no_cell_keeps_the_current_value(db):
    customer = CustomerFactory(display_name="Quiet", is_active=False, sync_with_quickbooks=False)

    CustomerResource().import_data(
        _dataset([{"display_name": "Quiet", "is_active": "", "phone": "5551112222"}])
    )

    customer.refresh_from_db()
    assert (customer.is_active, customer.sync_with_quickbooks, customer.phone) == (False, False, "5551112222")


def _export(client, file_format: str) -> bytes:
    fields = {f"customerresource_{column}": "on" for column in COLUMNS}
    response = client.post(EXPORT, {"format": file_format, "resource": "0", **fields})
    assert response.status_code == 200
    return response.content


def _snapshot() -> list[tuple]:
    return list(
        Customer.objects.order_by("display_name").values_list(
            *("display_name", "email", "phone", "parent__display_name", "customer_type__name"),
            *("credit_limit", "tax_exempt", "tax_exemption_reason", "custom_fields", "is_active"),
            *("sync_with_quickbooks", "depth"),
        )
    )


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT], ids=["csv", "xlsx"])
def test_an_export_imports_back_to_the_same_customers(manager_client, file_format):
    wholesale = CustomerTypeFactory(name="Wholesale")
    parent = CustomerFactory(
        display_name="Big Buyer", customer_type=wholesale, credit_limit=Decimal("2500.50")
    )
    CustomerFactory(
        display_name="Big Buyer Job",
        parent=parent,
        bill_with_parent=True,
        tax_exempt=True,
        tax_exemption_reason=TaxExemptionReason.RESALE,
        custom_fields={"Region": "North", "Rep": "Sam"},
        sync_with_quickbooks=False,
        phone="5551234567",
    )
    before = _snapshot()
    exported = _export(manager_client, file_format)
    if file_format == CSV_FORMAT:
        assert next(csv.reader(io.StringIO(exported.decode()))) == COLUMNS

    def reimport() -> list[str]:
        upload = SimpleUploadedFile(f"export.{_EXTENSIONS[file_format]}", exported)
        preview = manager_client.post(IMPORT, {"format": file_format, "resource": "0", "import_file": upload})
        manager_client.post(PROCESS, preview.context["confirm_form"].initial)
        return [row.import_type for row in preview.context["result"].rows]

    assert reimport() == ["skip", "skip"]
    assert not OutboxEntry.objects.exists()

    for customer in Customer.objects.order_by("-depth"):  # sub-customers first: parents are protected
        customer.delete()
    assert reimport() == ["new", "new"]
    assert _snapshot() == before


_EXTENSIONS = {CSV_FORMAT: "csv", XLSX_FORMAT: "xlsx"}
