"""Batch (spec §4.10) and requestid idempotency (§4.9)."""

from __future__ import annotations

import json
import threading

import pytest
import requests
from quickbooks.batch import batch_create, batch_delete
from quickbooks.exceptions import GeneralException, ValidationException
from quickbooks.objects.customer import Customer
from quickbooks.objects.invoice import Invoice

from .test_sandbox_sales import invoice, line


def customers(names):
    out = []
    for name in names:
        customer = Customer()
        customer.DisplayName = name
        out.append(customer)
    return out


def test_batch_with_mixed_results(qb, unique):
    taken = unique("Taken")
    batch_create(customers([taken]), qb=qb)
    result = batch_create(customers([unique("Fresh"), taken, unique("Fresh")]), qb=qb)
    assert len(result.successes) == 2 and len(result.faults) == 1
    assert result.faults[0].Error[0].code == "6240"
    assert all(c.Id for c in result.successes)


def test_batch_delete_void_and_query_items(qb, unique, sandbox):
    buyer = customers([unique("Batch buyer")])[0].save(qb=qb)
    first, second = invoice(qb, buyer, line(10)), invoice(qb, buyer, line(20))
    deleted = batch_delete([first], qb=qb)
    assert deleted.successes[0].Id == first.Id and Invoice.filter(Id=first.Id, qb=qb) == []
    body = {"BatchItemRequest": [
        {"bId": "v1", "operation": "update", "optionsData": "void",
         "Invoice": {"Id": second.Id, "SyncToken": "0"}},
        {"bId": "q1", "Query": f"select * from Invoice where Id = '{second.Id}'"},
        {"bId": "s1", "operation": "update", "Invoice": {"Id": second.Id, "SyncToken": "0", "sparse": True}},
    ]}  # fmt: skip
    answer = qb.batch_operation(json.dumps(body))["BatchItemResponse"]
    by_bid = {item["bId"]: item for item in answer}
    assert by_bid["v1"]["Invoice"]["TotalAmt"] == 0
    assert by_bid["q1"]["QueryResponse"]["Invoice"][0]["Id"] == second.Id
    assert by_bid["s1"]["Fault"]["Error"][0]["code"] == "5010"


def test_batch_items_do_not_see_each_other(qb, unique):
    body = {"BatchItemRequest": [
        {"bId": "c", "operation": "create", "Customer": {"DisplayName": unique("Same batch")}},
        {"bId": "i", "operation": "create", "Invoice": {"CustomerRef": {"value": "0"}, "Line": []}},
    ]}  # fmt: skip
    answer = {i["bId"]: i for i in qb.batch_operation(json.dumps(body))["BatchItemResponse"]}
    created = answer["c"]["Customer"]["Id"]
    body["BatchItemRequest"] = [
        {"bId": "c2", "operation": "create", "Customer": {"DisplayName": unique("Other")}},
        {"bId": "i2", "operation": "create", "Invoice": {"CustomerRef": {"value": str(int(created) + 1)},
                                                        "Line": [line(5).to_dict()]}},
    ]  # fmt: skip
    answer = {i["bId"]: i for i in qb.batch_operation(json.dumps(body))["BatchItemResponse"]}
    assert answer["c2"]["Customer"]["Id"] == str(int(created) + 1)
    assert answer["i2"]["Fault"]["Error"][0]["code"] == "2500"


def test_default_and_maximum_page_sizes(make_qb, new_realm):
    qb = make_qb(new_realm)
    batch_create(customers([f"Bulk {n}" for n in range(100)]), qb=qb)  # four batches of ≤30
    assert len(Customer.all(qb=qb)) == 100
    assert len(Customer.where("", max_results=1000, qb=qb)) == 108  # 8 seed customers


def test_batch_of_31_items_is_refused(qb, unique):
    body = {"BatchItemRequest": [
        {"bId": str(n), "operation": "create", "Customer": {"DisplayName": unique("Big")}} for n in range(31)
    ]}  # fmt: skip
    with pytest.raises(GeneralException) as exc:
        qb.batch_operation(json.dumps(body))
    assert exc.value.error_code == 1040
    assert Customer.where("DisplayName LIKE 'Big %'", qb=qb) == []


def test_request_id_replays_the_first_answer(qb, unique):
    customer = customers([unique("Idem")])[0].save(qb=qb)
    first = Invoice()
    first.CustomerRef, first.Line = customer.to_ref(), [line(10)]
    a = first.save(qb=qb, request_id="inv-create-1")
    second = Invoice()
    second.CustomerRef, second.Line = customer.to_ref(), [line(99)]
    b = second.save(qb=qb, request_id="inv-create-1")
    assert a.Id == b.Id and b.TotalAmt == 10
    assert len(Invoice.filter(CustomerRef=customer.Id, qb=qb)) == 1
    with pytest.raises(GeneralException) as exc:  # same id, different operation
        qb.delete_object("Invoice", json.dumps({"Id": a.Id, "SyncToken": "0"}), request_id="inv-create-1")
    assert exc.value.error_code == 600
    with pytest.raises(ValidationException) as exc:
        second.save(qb=qb, request_id="x" * 51)
    assert exc.value.error_code == 2130


def test_request_id_fault_answers_are_replayed_too(qb, unique):
    name = unique("Dup")
    customers([name])[0].save(qb=qb)
    for _ in range(2):
        with pytest.raises(Exception) as exc:
            customers([name])[0].save(qb=qb, request_id="dup-name-1")
        assert exc.value.error_code == 6240


def test_concurrent_identical_requests_create_once(qb, sandbox, unique):
    name = unique("Race")
    token = qb.auth_client.access_token
    url = f"{sandbox.url}/v3/company/{qb.company_id}/customer?minorversion=75&requestid=race-1"
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    answers: list[dict] = []

    def send():
        answers.append(
            requests.post(url, data=json.dumps({"DisplayName": name}), headers=headers, timeout=30).json()
        )

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({a["Customer"]["Id"] for a in answers}) == 1
    assert len(Customer.filter(DisplayName=name, qb=qb)) == 1
