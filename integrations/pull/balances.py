"""QuickBooks' customer Balance, read after its transactions changed.

A transaction entered in QuickBooks changes the customer's Balance without touching the customer
(no new SyncToken, so CDC does not list it). After a batch, the customers named by its transactions
are read in one query (one metered read per 1,000 customers) and their balances overwrite ours;
available credit is derived from the balance, so it follows.
"""

from __future__ import annotations

from decimal import Decimal

from customers.models import Customer
from customers.services import customer_set_balance
from integrations.models.sync import QBOLink
from syncportal.outbox.services import Origin

CHUNK = 1000


def customers_named(changes: dict[str, list[dict]]) -> set[str]:
    named = set()
    for qbo_type, docs in changes.items():
        if qbo_type == "Customer":
            continue
        for doc in docs:
            ref = (doc.get("CustomerRef") or {}).get("value")
            if ref:
                named.add(str(ref))
    # Customers already in the batch came with their Balance.
    return named - {str(doc.get("Id")) for doc in changes.get("Customer", [])}


def refresh_balances(connection, gateway, qbo_ids: set[str]) -> int:
    links = dict(
        QBOLink.objects.filter(connection=connection, qbo_type="Customer", qbo_id__in=qbo_ids).values_list(
            "qbo_id", "object_id"
        )
    )
    if not links:
        return 0
    ids = sorted(links)
    refreshed = 0
    for start in range(0, len(ids), CHUNK):
        quoted = ", ".join(f"'{qbo_id}'" for qbo_id in ids[start : start + CHUNK] if qbo_id.isdigit())
        rows = gateway.query(f"SELECT * FROM Customer WHERE Id IN ({quoted}) MAXRESULTS {CHUNK}")  # noqa: S608 (digits only)
        for doc in rows.get("Customer", []):
            customer = Customer.objects.filter(pk=links.get(str(doc.get("Id")))).first()
            if customer is None or customer.merged_into_id or doc.get("Balance") is None:
                continue
            balance = Decimal(str(doc["Balance"])).quantize(Decimal("0.01"))
            customer_set_balance(customer=customer, balance=balance, origin=Origin.QBO)
            refreshed += 1
    return refreshed
