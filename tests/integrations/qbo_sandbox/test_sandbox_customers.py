"""Customers, vendors and employees through unmodified python-quickbooks (spec §3.1, §2.4, §4.3-4.5)."""

from __future__ import annotations

import json

import pytest
from quickbooks.exceptions import (
    ObjectNotFoundException,
    QuickbooksException,
    UnsupportedException,
    ValidationException,
)
from quickbooks.objects.customer import Customer
from quickbooks.objects.employee import Employee
from quickbooks.objects.vendor import Vendor


def new_customer(qb, name, **fields) -> Customer:
    customer = Customer()
    customer.DisplayName = name
    for key, value in fields.items():
        setattr(customer, key, value)
    return customer.save(qb=qb)


def test_create_read_full_update_round_trip(qb, unique):
    name = unique("Acme")
    created = new_customer(qb, name, GivenName="Ada", CompanyName="Acme Inc")
    assert created.SyncToken == "0" and created.FullyQualifiedName == name
    assert created.PrintOnCheckName == "Acme Inc" and created.Balance == 0
    fetched = Customer.get(created.Id, qb=qb)
    fetched.GivenName = "Grace"
    updated = fetched.save(qb=qb)
    assert updated.SyncToken == "1" and updated.GivenName == "Grace"
    assert Customer.get(created.Id, qb=qb).GivenName == "Grace"


def test_display_name_falls_back_to_name_parts_then_company(qb, unique):
    customer = Customer()
    customer.GivenName, customer.FamilyName = "Jo", unique("Parts")
    assert customer.save(qb=qb).DisplayName == f"Jo {customer.FamilyName}"
    only_company = Customer()
    only_company.CompanyName = unique("Co")
    assert only_company.save(qb=qb).DisplayName == only_company.CompanyName
    with pytest.raises(QuickbooksException) as exc:
        Customer().save(qb=qb)
    assert exc.value.error_code == 6080


def test_display_name_unique_across_customer_vendor_employee_case_insensitive(qb, unique):
    name = unique("Shared")
    vendor = Vendor()
    vendor.DisplayName = name
    vendor = vendor.save(qb=qb)
    with pytest.raises(QuickbooksException) as exc:
        new_customer(qb, name.upper())
    assert type(exc.value) is QuickbooksException and exc.value.error_code == 6240
    assert f"Id={vendor.Id}" in exc.value.detail
    employee = Employee()
    employee.DisplayName = f"  {name.lower()} "
    with pytest.raises(QuickbooksException) as exc:
        employee.save(qb=qb)
    assert exc.value.error_code == 6240


def test_sub_customer_rules(qb, unique):
    parent = new_customer(qb, unique("Parent"))
    child = Customer()
    child.DisplayName = unique("Child")
    child.ParentRef = parent.to_ref()
    with pytest.raises(QuickbooksException) as exc:  # python-quickbooks sends Job: false by default
        child.save(qb=qb)
    assert exc.value.error_code == 6150
    child.Job = True
    child.BillWithParent = True
    child = child.save(qb=qb)
    assert child.Level == 1 and child.BillWithParent is True
    assert child.FullyQualifiedName == f"{parent.DisplayName}:{child.DisplayName}"
    level, current = 1, child
    while level < 4:
        deeper = Customer()
        deeper.DisplayName, deeper.Job, deeper.ParentRef = unique("Deep"), True, current.to_ref()
        current, level = deeper.save(qb=qb), level + 1
    assert current.Level == 4
    too_deep = Customer()
    too_deep.DisplayName, too_deep.Job, too_deep.ParentRef = unique("TooDeep"), True, current.to_ref()
    with pytest.raises(QuickbooksException) as exc:
        too_deep.save(qb=qb)
    assert exc.value.error_code == 6180
    orphan = Customer()
    orphan.DisplayName, orphan.Job = unique("Orphan"), True
    with pytest.raises(QuickbooksException) as exc:
        orphan.save(qb=qb)
    assert exc.value.error_code == 6150


def test_renaming_a_parent_renames_the_children_fully_qualified_names(qb, unique):
    parent = new_customer(qb, unique("Old"))
    child = Customer()
    child.DisplayName, child.Job, child.ParentRef = unique("Kid"), True, parent.to_ref()
    child = child.save(qb=qb)
    parent.DisplayName = unique("New")
    parent.save(qb=qb)
    assert Customer.get(child.Id, qb=qb).FullyQualifiedName == f"{parent.DisplayName}:{child.DisplayName}"


@pytest.mark.parametrize("bad", ["A:B", "Tab\there", "Line\nbreak"])
def test_invalid_characters_in_names(qb, bad):
    with pytest.raises(ValidationException) as exc:
        new_customer(qb, bad)
    assert exc.value.error_code == 2040


def test_deactivated_customer_is_hidden_from_default_queries(qb, unique):
    customer = new_customer(qb, unique("Sleepy"))
    customer.Active = False
    customer = customer.save(qb=qb)
    assert customer.Active is False
    assert Customer.filter(DisplayName=customer.DisplayName, qb=qb) == []
    found = Customer.where(f"Active = false AND DisplayName = '{customer.DisplayName}'", qb=qb)
    assert [c.Id for c in found] == [customer.Id]
    assert Customer.get(customer.Id, qb=qb).Active is False  # still readable by Id
    customer.Active = True
    assert customer.save(qb=qb).Active is True
    assert len(Customer.filter(DisplayName=customer.DisplayName, qb=qb)) == 1


def test_deactivating_a_parent_deactivates_its_sub_customers(qb, unique):
    parent = new_customer(qb, unique("Boss"))
    child = Customer()
    child.DisplayName, child.Job, child.ParentRef = unique("Job"), True, parent.to_ref()
    child = child.save(qb=qb)
    parent.Active = False
    parent.save(qb=qb)
    refreshed = Customer.get(child.Id, qb=qb)
    assert refreshed.Active is False and refreshed.SyncToken == "1"


def test_stale_sync_token_is_rejected_for_full_and_sparse_updates(qb, unique):
    customer = new_customer(qb, unique("Stale"))
    stale = Customer.get(customer.Id, qb=qb)
    customer.Notes = "first"
    customer.save(qb=qb)
    stale.Notes = "second"
    with pytest.raises(QuickbooksException) as exc:
        stale.save(qb=qb)
    assert type(exc.value) is QuickbooksException and exc.value.error_code == 5010
    body = {"Id": customer.Id, "SyncToken": "0", "sparse": True, "Notes": "x"}
    with pytest.raises(QuickbooksException) as exc:
        qb.update_object("Customer", json.dumps(body))
    assert exc.value.error_code == 5010
    assert Customer.get(customer.Id, qb=qb).Notes == "first"


def test_sparse_update_keeps_omitted_fields_and_full_update_clears_them(qb, unique):
    customer = new_customer(qb, unique("Sparse"), Notes="keep me", GivenName="Ann")
    body = {"Id": customer.Id, "SyncToken": customer.SyncToken, "sparse": True, "GivenName": "Bea"}
    sparse = qb.update_object("Customer", json.dumps(body))["Customer"]
    assert sparse["GivenName"] == "Bea" and sparse["Notes"] == "keep me" and sparse["SyncToken"] == "1"
    full = {"Id": customer.Id, "SyncToken": "1", "DisplayName": customer.DisplayName, "GivenName": "Cy"}
    result = qb.update_object("Customer", json.dumps(full))["Customer"]
    assert result["GivenName"] == "Cy" and "Notes" not in result


def test_customers_cannot_be_deleted(qb, unique):
    customer = new_customer(qb, unique("Forever"))
    body = json.dumps({"Id": customer.Id, "SyncToken": customer.SyncToken})
    with pytest.raises(UnsupportedException) as exc:
        qb.delete_object("Customer", body)
    assert exc.value.error_code == 500


def test_unknown_and_malformed_ids(qb):
    with pytest.raises(ObjectNotFoundException) as exc:
        Customer.get("99999999", qb=qb)
    assert exc.value.error_code == 610
    with pytest.raises(ValidationException) as exc:
        Customer.get("abc", qb=qb)
    assert exc.value.error_code == 2030


def test_vendor_and_employee_crud(qb, unique):
    vendor = Vendor()
    vendor.DisplayName = unique("Supplier")
    vendor = vendor.save(qb=qb)
    vendor.CompanyName = "Supplies Ltd"
    assert vendor.save(qb=qb).CompanyName == "Supplies Ltd"
    employee = Employee()
    employee.GivenName, employee.FamilyName = "Eve", unique("Worker")
    employee = employee.save(qb=qb)
    assert employee.DisplayName == f"Eve {employee.FamilyName}"
    assert Employee.get(employee.Id, qb=qb).FamilyName == employee.FamilyName
