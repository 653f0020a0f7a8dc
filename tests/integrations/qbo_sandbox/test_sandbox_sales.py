"""Sales forms, payments and the balances they move (spec §3.5-3.9, §4.4, §4.6)."""

from __future__ import annotations

import json

import pytest
from quickbooks.exceptions import ObjectNotFoundException, QuickbooksException, ValidationException
from quickbooks.objects.base import LinkedTxn, Ref
from quickbooks.objects.creditmemo import CreditMemo
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.payment import Payment, PaymentLine
from quickbooks.objects.refundreceipt import RefundReceipt
from quickbooks.objects.salesreceipt import SalesReceipt


def ref(value: str) -> Ref:
    r = Ref()
    r.value = value
    return r


def line(amount, item="1", qty=None, price=None) -> SalesItemLine:
    sales_line = SalesItemLine()
    sales_line.Amount = amount
    sales_line.SalesItemLineDetail = SalesItemLineDetail()
    sales_line.SalesItemLineDetail.ItemRef = ref(item)
    if qty is not None:
        sales_line.SalesItemLineDetail.Qty = qty
        sales_line.SalesItemLineDetail.UnitPrice = price
    return sales_line


@pytest.fixture
def customer(qb, unique) -> Customer:
    c = Customer()
    c.DisplayName = unique("Buyer")
    return c.save(qb=qb)


def invoice(qb, customer, *lines) -> Invoice:
    inv = Invoice()
    inv.CustomerRef = customer.to_ref()
    inv.Line = list(lines)
    return inv.save(qb=qb)


def pay(qb, customer, total, *applications) -> Payment:
    payment = Payment()
    payment.CustomerRef = customer.to_ref()
    payment.TotalAmt = total
    for txn, amount in applications:
        pl = PaymentLine()
        pl.Amount = amount
        linked = LinkedTxn()
        linked.TxnId, linked.TxnType = txn.Id, type(txn).__name__
        pl.LinkedTxn = [linked]
        payment.Line.append(pl)
    return payment.save(qb=qb)


def balance(qb, customer) -> float:
    return Customer.get(customer.Id, qb=qb).Balance


def test_invoice_totals_defaults_and_customer_balance(qb, customer):
    inv = invoice(qb, customer, line(100), line(50, qty=2, price=25))  # Qty/UnitPrice 0 with Amount is fine
    assert inv.TotalAmt == 150 and inv.Balance == 150
    assert inv.CustomerRef.name == customer.DisplayName
    assert inv.DocNumber and inv.DueDate > inv.TxnDate  # Net 30 default term
    assert inv.Line[-1].DetailType == "SubTotalLineDetail"
    assert balance(qb, customer) == 150
    assert [i.Id for i in Invoice.filter(CustomerRef=customer.Id, qb=qb)] == [inv.Id]


def test_line_math_and_required_fields(qb, customer):
    with pytest.raises(QuickbooksException) as exc:
        invoice(qb, customer, line(99, qty=2, price=25))
    assert exc.value.error_code == 6070
    with pytest.raises(ValidationException) as exc:
        invoice(qb, customer)
    assert exc.value.error_code == 2020 and "Line" in exc.value.detail
    with pytest.raises(ValidationException) as exc:
        invoice(qb, customer, line(10, item="987654"))
    assert exc.value.error_code == 2500


def test_payment_split_across_two_invoices_with_overpayment(qb, customer):
    first, second = invoice(qb, customer, line(100)), invoice(qb, customer, line(80))
    payment = pay(qb, customer, 200, (first, 100), (second, 30))
    assert payment.UnappliedAmt == 70
    first, second = Invoice.get(first.Id, qb=qb), Invoice.get(second.Id, qb=qb)
    assert (first.Balance, second.Balance) == (0, 50)
    assert first.SyncToken == "1" and first.LinkedTxn[0].TxnId == payment.Id
    assert balance(qb, customer) == -20  # 50 still open on the second, 70 credit on account
    payment.delete(qb=qb)
    assert Invoice.get(first.Id, qb=qb).Balance == 100 and balance(qb, customer) == 180


def test_payment_rules(qb, customer, unique):
    inv = invoice(qb, customer, line(40))
    with pytest.raises(QuickbooksException) as exc:
        pay(qb, customer, 50, (inv, 45))  # more than the invoice's open balance
    assert exc.value.error_code == 6000
    with pytest.raises(QuickbooksException) as exc:
        pay(qb, customer, 10, (inv, 20))  # more than the payment total
    assert exc.value.error_code == 6000
    no_total = Payment()
    no_total.CustomerRef = customer.to_ref()
    with pytest.raises(QuickbooksException) as exc:
        no_total.save(qb=qb)
    assert exc.value.error_code == 6000 and "transaction amount" in exc.value.detail
    other = Customer()
    other.DisplayName = unique("Other")
    other = other.save(qb=qb)
    with pytest.raises(QuickbooksException) as exc:
        pay(qb, other, 10, (inv, 10))
    assert exc.value.error_code == 6000
    assert Invoice.get(inv.Id, qb=qb).Balance == 40


def test_credit_memo_applied_through_a_zero_payment(qb, customer):
    inv = invoice(qb, customer, line(100))
    memo = CreditMemo()
    memo.CustomerRef = customer.to_ref()
    memo.Line = [line(30)]
    memo = memo.save(qb=qb)
    assert memo.RemainingCredit == 30 and balance(qb, customer) == 70
    pay(qb, customer, 0, (inv, 30), (memo, 30))
    assert CreditMemo.get(memo.Id, qb=qb).RemainingCredit == 0
    assert Invoice.get(inv.Id, qb=qb).Balance == 70 and balance(qb, customer) == 70
    with pytest.raises(QuickbooksException) as exc:
        memo.delete(qb=qb)  # the payment bumped the memo's SyncToken on the server
    assert exc.value.error_code == 5010
    with pytest.raises(QuickbooksException) as exc:
        CreditMemo.get(memo.Id, qb=qb).delete(qb=qb)  # applied credit must be unlinked first
    assert exc.value.error_code == 6000


def test_void_invoice_and_payment(qb, customer):
    inv = invoice(qb, customer, line(120))
    voided = inv.void(qb=qb)["Invoice"]
    assert voided["TotalAmt"] == 0 and voided["Balance"] == 0 and "Voided" in voided["PrivateNote"]
    assert voided["SyncToken"] == "1" and balance(qb, customer) == 0
    assert [i.Id for i in Invoice.filter(Id=inv.Id, qb=qb)] == [inv.Id]  # still queryable
    open_invoice = invoice(qb, customer, line(60))
    payment = pay(qb, customer, 60, (open_invoice, 60))
    with pytest.raises(QuickbooksException) as exc:
        Invoice.get(open_invoice.Id, qb=qb).void(qb=qb)  # payments applied
    assert exc.value.error_code == 6000
    result = payment.void(qb=qb)["Payment"]  # ?operation=update&include=void, sparse body
    assert result["TotalAmt"] == 0 and "Voided" in result["PrivateNote"]
    assert Invoice.get(open_invoice.Id, qb=qb).Balance == 60


def test_delete_invoice(qb, customer):
    inv = invoice(qb, customer, line(75))
    answer = inv.delete(qb=qb)
    assert answer["Invoice"] == {"status": "Deleted", "domain": "QBO", "Id": inv.Id}
    assert Invoice.filter(Id=inv.Id, qb=qb) == []
    with pytest.raises(ObjectNotFoundException):
        Invoice.get(inv.Id, qb=qb)
    with pytest.raises(ObjectNotFoundException):
        inv.delete(qb=qb)
    assert balance(qb, customer) == 0


def test_sales_receipt_and_refund_receipt(qb, customer):
    receipt = SalesReceipt()
    receipt.CustomerRef = customer.to_ref()
    receipt.Line = [line(100, qty=1, price=100)]
    receipt = receipt.save(qb=qb)
    assert receipt.TotalAmt == 100 and receipt.Balance == 0 and balance(qb, customer) == 0
    assert receipt.void(qb=qb)["SalesReceipt"]["TotalAmt"] == 0
    refund = RefundReceipt()
    refund.CustomerRef = customer.to_ref()
    refund.Line = [line(25)]
    with pytest.raises(ValidationException) as exc:
        refund.save(qb=qb)
    assert exc.value.error_code == 2020
    refund.DepositToAccountRef = ref("35")
    refund.DocNumber = "DocNum123"
    refund = refund.save(qb=qb)
    assert refund.DocNumber == "DocNum123" and refund.TotalAmt == 25
    refund.DepositToAccountRef = ref("79")  # an income account cannot pay out a refund
    with pytest.raises(QuickbooksException) as exc:
        refund.save(qb=qb)
    assert exc.value.error_code == 6430


def test_inventory_quantity_follows_sales_and_returns(qb, customer, unique):
    item = Item()
    item.Name, item.Type, item.TrackQtyOnHand, item.QtyOnHand = unique("Widget"), "Inventory", True, 10
    item.InvStartDate = "2024-01-01"
    item.IncomeAccountRef, item.ExpenseAccountRef, item.AssetAccountRef = ref("79"), ref("80"), ref("81")
    item = item.save(qb=qb)
    inv = invoice(qb, customer, line(30, item=item.Id, qty=3, price=10))
    assert Item.get(item.Id, qb=qb).QtyOnHand == 7
    memo = CreditMemo()
    memo.CustomerRef, memo.Line = customer.to_ref(), [line(10, item=item.Id, qty=1, price=10)]
    memo.save(qb=qb)
    assert Item.get(item.Id, qb=qb).QtyOnHand == 8
    inv.delete(qb=qb)
    assert Item.get(item.Id, qb=qb).QtyOnHand == 11


def test_inactive_customer_cannot_be_used_on_new_transactions(qb, customer):
    customer.Active = False
    customer.save(qb=qb)
    with pytest.raises(ObjectNotFoundException) as exc:
        invoice(qb, customer, line(10))
    assert "inactive" in exc.value.detail


def test_deactivating_a_customer_with_a_balance_is_refused(qb, customer):
    invoice(qb, customer, line(10))
    fresh = Customer.get(customer.Id, qb=qb)
    fresh.Active = False
    with pytest.raises(QuickbooksException) as exc:
        fresh.save(qb=qb)
    assert exc.value.error_code == 6220


def test_invoice_sparse_update_and_voided_invoice_is_frozen(qb, customer):
    inv = invoice(qb, customer, line(10))
    body = {"Id": inv.Id, "SyncToken": inv.SyncToken, "sparse": True, "DueDate": "2030-09-30"}
    updated = qb.update_object("Invoice", json.dumps(body))["Invoice"]
    assert updated["DueDate"] == "2030-09-30" and updated["TotalAmt"] == 10 and len(updated["Line"]) == 2
    Invoice.get(inv.Id, qb=qb).void(qb=qb)
    frozen = Invoice.get(inv.Id, qb=qb)
    frozen.PrivateNote = "edit"
    with pytest.raises(QuickbooksException) as exc:
        frozen.save(qb=qb)
    assert exc.value.error_code == 6000
