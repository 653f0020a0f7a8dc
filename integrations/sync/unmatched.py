"""Before a document goes to the default customer: is its customer in QuickBooks after all?

"When nothing matches: post to the default customer" means the match rules run first. A customer
the scope leaves out and that is not linked is looked up in QuickBooks by name and by email (two
metered reads per drain at most, only when such documents are in the push and the setting is
"default customer"); when the rules pick one QuickBooks customer, ours is linked to it and the
document goes there. Otherwise the document goes to the default customer.
"""

from __future__ import annotations

from customers.models import Customer
from integrations.mapping.choices import Applies, UnmatchedAction
from integrations.mapping.defaults import DEFAULT_MATCH_RULES
from integrations.mapping.matching import match_customer
from integrations.models.sync import QBOLink
from integrations.selectors.config import match_rule_specs
from integrations.sync import snapshots
from integrations.sync.documents import customer_choice
from integrations.sync.linking import link_customer
from integrations.sync.refs import Refs

ENTITY = "customers.customer"
CHUNK = 30  # values per IN (…) clause: QuickBooks' query length stays well under its limit


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _document_customers(found: dict, refs: Refs) -> dict[int, Customer]:
    out = {}
    for (entity, _pk), record in found.items():
        target, kind = record, entity
        if entity == "sales.creditapplication":
            target, kind = record.store_credit, "sales.storecredit"
        customer = getattr(target, "customer", None)
        if customer is not None and customer_choice(kind, target, refs) == "default":
            out[customer.pk] = customer
    return out


def _read_candidates(gateway, customers: dict[int, Customer]) -> dict[str, dict]:
    names = sorted({c.display_name for c in customers.values() if c.display_name})
    emails = sorted({c.email.strip() for c in customers.values() if c.email.strip()})
    found: dict[str, dict] = {}
    for field, values in (("DisplayName", names), ("PrimaryEmailAddr", emails)):
        for start in range(0, len(values), CHUNK):
            clause = ", ".join(_quoted(v) for v in values[start : start + CHUNK])
            page = gateway.query(f"SELECT * FROM Customer WHERE {field} IN ({clause})")  # noqa: S608 (quoted)
            for doc in page.get("Customer", []):
                found[str(doc["Id"])] = doc
    return found


def link_matches(connection, gateway, found: dict, refs: Refs) -> bool:
    """Link customers bound for the default customer that the match rules find in QuickBooks.

    Returns ``True`` when a link was made (the caller refreshes its references).
    """
    options = refs.options
    if options.unmatched_action != UnmatchedAction.DEFAULT_CUSTOMER or not options.default_customer_qbo_id:
        return False
    customers = _document_customers(found, refs)
    if not customers:
        return False
    candidates = _read_candidates(gateway, customers)
    taken = set(
        QBOLink.objects.filter(connection=connection, entity=ENTITY, qbo_id__in=list(candidates)).values_list(
            "qbo_id", flat=True
        )
    )
    pool = [
        doc
        for qbo_id, doc in candidates.items()
        if qbo_id not in taken and qbo_id != options.default_customer_qbo_id
    ]
    rules = [
        r
        for r in (match_rule_specs() or DEFAULT_MATCH_RULES)
        if r.enabled and r.applies in (Applies.BOTH, Applies.PUSH)
    ]
    linked = False
    for customer in customers.values():
        if not pool:
            break
        local = {**snapshots.customer_snapshot(customer), "qbo_id": None}
        result = match_customer(local, pool, rules, name_field=options.name_field)
        if result.qbo_id is None:
            continue
        doc = next(d for d in pool if str(d["Id"]) == result.qbo_id)
        item = {"entity": ENTITY, "object_id": customer.pk}
        if link_customer(connection, item, result.qbo_id, str(doc.get("SyncToken", "")), result.reason):
            pool.remove(doc)
            linked = True
    return linked
