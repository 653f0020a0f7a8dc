"""The baseline: what a straightforward integration does — python-quickbooks, ``.save()`` per object.

Customers, invoices and payments one request each, in a loop, against the same sandbox with the same
(time-scaled) limits. It has no pacing of its own: on a 429 it waits a tenth of a QuickBooks minute
and tries again, which is what most hand-written loops end up doing.
"""

from __future__ import annotations

import time

from django.conf import settings
from intuitlib.client import AuthClient
from quickbooks import QuickBooks
from quickbooks.objects.base import LinkedTxn
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.payment import Payment, PaymentLine


def _client(sandbox, realm: str) -> QuickBooks:
    auth = AuthClient(
        settings.QBO_CLIENT_ID,
        settings.QBO_CLIENT_SECRET,
        settings.QBO_REDIRECT_URI,
        f"{sandbox.url}/.well-known/openid_sandbox_configuration",
    )
    auth.get_bearer_token(sandbox.approve(realm), realm_id=realm)

    class SandboxQuickBooks(QuickBooks):
        api_url_v3 = f"{sandbox.url}/v3"
        sandbox_api_url_v3 = f"{sandbox.url}/v3"

    return SandboxQuickBooks(
        auth_client=auth, refresh_token=auth.refresh_token, company_id=realm, minorversion=75
    )


def naive_loop(sandbox, customers: int, scale: float) -> dict:
    realm = sandbox.new_realm("Naive baseline store")
    qb = _client(sandbox, realm)
    item = Item.all(max_results=1, qb=qb)[0]
    throttled = 0

    def save(obj):
        nonlocal throttled
        while True:
            try:
                return obj.save(qb=qb)
            except Exception as exc:  # python-quickbooks raises different classes for a 429
                if "429" not in str(exc) and "Throttle" not in str(exc):
                    raise
                throttled += 1
                time.sleep(6 / scale)

    started = time.perf_counter()
    for n in range(customers):
        customer = Customer()
        customer.DisplayName = f"Naive {n}"
        customer = save(customer)
        invoice = Invoice()
        invoice.CustomerRef = customer.to_ref()
        line = SalesItemLine()
        line.Amount = 25.0
        line.SalesItemLineDetail = SalesItemLineDetail()
        line.SalesItemLineDetail.ItemRef = item.to_ref()
        line.SalesItemLineDetail.Qty = 2
        line.SalesItemLineDetail.UnitPrice = 12.5
        invoice.Line = [line]
        invoice = save(invoice)
        payment = Payment()
        payment.CustomerRef = customer.to_ref()
        payment.TotalAmt = 25.0
        link = LinkedTxn()
        link.TxnId, link.TxnType = invoice.Id, "Invoice"
        pay_line = PaymentLine()
        pay_line.Amount = 25.0
        pay_line.LinkedTxn = [link]
        payment.Line = [pay_line]
        save(payment)
    seconds = time.perf_counter() - started
    objects = 3 * customers
    return {"objects": objects, "per_qbo_minute": objects / (seconds * scale / 60), "429s": throttled}
