"""Bad input gets QBO's faults (never a traceback), catalog entities, persistence, info and the HTML view."""

from __future__ import annotations

import json

import pytest
import requests
from quickbooks.exceptions import (
    AuthorizationException,
    QuickbooksException,
    SevereException,
    ValidationException,
)
from quickbooks.objects.account import Account
from quickbooks.objects.base import Ref
from quickbooks.objects.customer import Customer
from quickbooks.objects.item import Item
from quickbooks.objects.paymentmethod import PaymentMethod
from quickbooks.objects.taxcode import TaxCode
from quickbooks.objects.term import Term

from integrations.qbo_sandbox.server import start_in_thread

from .conftest import client_for, sandbox_config


def ref(value: str) -> Ref:
    r = Ref()
    r.value = value
    return r


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", 2010),
        ('["a list"]', 2010),
        ('{"DisplayName": "X", "PrimaryEmailAddr": "not-an-object"}', 2010),
        ('{"DisplayName": "X", "Active": "maybe"}', 2010),
        ('{"DisplayName": "X", "Balance": "lots"}', 2010),
    ],
)
def test_malformed_bodies_get_validation_faults(qb, body, code):
    with pytest.raises(ValidationException) as exc:
        qb.create_object("Customer", body)
    assert exc.value.error_code == code


def test_wrong_types_in_transactions_and_missing_required_fields(qb):
    with pytest.raises(ValidationException) as exc:
        qb.create_object("Invoice", json.dumps({"CustomerRef": "1", "Line": []}))
    assert exc.value.error_code == 2010
    with pytest.raises(ValidationException) as exc:
        qb.create_object(
            "Invoice", json.dumps({"Line": [{"Amount": 1, "DetailType": "SalesItemLineDetail"}]})
        )
    assert exc.value.error_code == 2020 and "CustomerRef" in exc.value.detail


def test_unknown_entities_and_paths_get_a_fault_not_a_traceback(qb, sandbox):
    headers = {"Authorization": f"Bearer {qb.auth_client.access_token}", "Accept": "application/json"}
    answer = requests.post(f"{sandbox.url}/v3/company/{qb.company_id}/spaceship", data="{}", headers=headers,
                           timeout=10)  # fmt: skip
    fault = answer.json()["Fault"]
    assert (
        answer.status_code == 400 and fault["Error"][0]["code"] == "10000" and "Traceback" not in answer.text
    )
    with pytest.raises(SevereException):
        qb.get_report("NoSuchReport")
    with pytest.raises(QuickbooksException) as exc:
        qb.create_object("TaxCode", json.dumps({"Name": "X"}))
    assert exc.value.error_code == 500


def test_missing_or_bad_token_gets_the_lower_case_401(qb, sandbox):
    answer = requests.get(f"{sandbox.url}/v3/company/{qb.company_id}/customer/1", timeout=10)
    assert answer.status_code == 401 and answer.json()["fault"]["error"][0]["code"] == "3200"
    qb.session.access_token = "not-a-real-token"
    qb.session.token = {"access_token": "not-a-real-token", "token_type": "Bearer"}
    with pytest.raises(AuthorizationException) as exc:
        Customer.get("1", qb=qb)
    assert exc.value.error_code == 401


def test_items_accounts_terms_and_payment_methods(qb, unique):
    service = Item()
    service.Name, service.Type, service.IncomeAccountRef, service.Sku = (
        unique("Svc"),
        "Service",
        ref("1"),
        "S-1",
    )
    service = service.save(qb=qb)
    assert service.IncomeAccountRef.name == "Services" and service.Sku == "S-1"
    duplicate = Item()
    duplicate.Name, duplicate.Type, duplicate.IncomeAccountRef = service.Name.upper(), "Service", ref("1")
    with pytest.raises(QuickbooksException) as exc:
        duplicate.save(qb=qb)
    assert exc.value.error_code == 6240
    inventory = Item()
    inventory.Name, inventory.Type, inventory.IncomeAccountRef = unique("Stock"), "Inventory", ref("79")
    inventory.ExpenseAccountRef, inventory.QtyOnHand, inventory.InvStartDate = ref("80"), 1, "2024-01-01"
    with pytest.raises(ValidationException) as exc:
        inventory.save(qb=qb)
    assert exc.value.error_code == 2020 and "asset account" in exc.value.detail
    account = Account()
    account.Name, account.AccountType, account.AcctNum = unique("Bank"), "Bank", "T1122012203"
    account = account.save(qb=qb)
    assert account.AccountSubType == "Checking" and account.Classification == "Asset"
    account.Name = unique("Renamed")
    assert account.save(qb=qb).AcctNum == "T1122012203"
    untyped = Account()
    untyped.Name = unique("Untyped")
    with pytest.raises(QuickbooksException) as exc:
        untyped.save(qb=qb)
    assert exc.value.error_code == 6010
    term = Term()
    term.Name, term.DueDays = unique("Net"), 45
    assert term.save(qb=qb).DueDays == 45
    method = PaymentMethod()
    method.Name, method.Type = unique("Card"), "CREDIT_CARD"
    assert method.save(qb=qb).Type == "CREDIT_CARD"
    assert TaxCode.get("2", qb=qb).Name == "California"
    customer = Customer.get("1", qb=qb)
    assert qb.get_single_object("CompanyInfo", qb.company_id)["CompanyInfo"]["Country"] == "US"
    assert customer.DisplayName == "Amy's Bird Sanctuary"


def test_data_survives_a_restart(tmp_path):
    config = sandbox_config(tmp_path)
    handle = start_in_thread(config)
    try:
        qb = client_for(handle.url, config, config.seed_realm_id)
        customer = Customer()
        customer.DisplayName = "Survivor"
        customer_id = customer.save(qb=qb).Id
    finally:
        handle.stop()
    config = sandbox_config(tmp_path)  # same data file, new process state and port
    handle = start_in_thread(config)
    try:
        qb = client_for(handle.url, config, config.seed_realm_id)
        assert Customer.get(customer_id, qb=qb).DisplayName == "Survivor"
        assert len(Customer.filter(DisplayName="Amy's Bird Sanctuary", qb=qb)) == 1  # not seeded twice
    finally:
        handle.stop()


def test_info_and_html_view(qb, sandbox, unique):
    info = requests.get(f"{sandbox.url}/__sandbox/info", timeout=10).json()
    assert info["discovery_url"] == sandbox.config.discovery_url and info["test_hooks"] is True
    assert {"id": sandbox.config.seed_realm_id, "name": "Sandbox Company_US_1"} in info["realms"]
    customer = Customer()
    customer.DisplayName = "<script>alert(1)</script> " + unique()
    customer = customer.save(qb=qb)
    page = requests.get(f"{sandbox.url}/realms/{qb.company_id}/", timeout=10)
    assert page.status_code == 200 and "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    assert "Freeman Sporting Goods" in page.text
    detail = requests.get(f"{sandbox.url}/realms/{qb.company_id}/customers/20", timeout=10).text
    assert "Red Rock Diner" in detail and "70.00" in detail
    assert "Invoice" in requests.get(f"{sandbox.url}/realms/{qb.company_id}/transactions", timeout=10).text


def test_lowercase_fault_chaos_flag_gives_the_observed_lower_case_400(qb, sandbox, unique, monkeypatch):
    name = unique("Chaos")
    first = Customer()
    first.DisplayName = name
    first.save(qb=qb)
    monkeypatch.setattr(sandbox.config, "lowercase_fault_chaos", True)
    duplicate = Customer()
    duplicate.DisplayName = name
    with pytest.raises(QuickbooksException) as exc:
        duplicate.save(qb=qb)
    # python-quickbooks cannot read the lower-case envelope: a generic 10000 carrying the raw body.
    assert exc.value.error_code == 10000 and '"code":"6240"' in exc.value.message
    monkeypatch.setattr(sandbox.config, "lowercase_fault_chaos", False)
    with pytest.raises(QuickbooksException) as exc:
        duplicate.save(qb=qb)
    assert exc.value.error_code == 6240
