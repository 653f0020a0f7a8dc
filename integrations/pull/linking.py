"""A customer created in QuickBooks that the store already has: found by the match rules, not duplicated.

The CDC pull runs the same reverse match the initial import runs (rules that apply to importing,
in order, an ambiguous rule deciding nothing): candidates are the unlinked, unmerged store customers
sharing an email, phone number or name with the new QuickBooks customer, read through indexes.
"""

from __future__ import annotations

from django.db.models import Q

from customers.models import Customer
from integrations.mapping.choices import Applies
from integrations.mapping.matching import MatchResult, match_local
from integrations.models.sync import QBOLink
from integrations.selectors.config import match_rule_specs, sync_options

ENTITY = "customers.customer"
FIELDS = ("id", "display_name", "company_name", "email", "phone", "mobile", "bill_postal_code", "is_active")


def _candidates(connection, doc: dict) -> list[dict]:
    email = ((doc.get("PrimaryEmailAddr") or {}).get("Address") or "").strip()
    phones = {(doc.get(k) or {}).get("FreeFormNumber") for k in ("PrimaryPhone", "Mobile")} - {None, ""}
    names = {doc.get("DisplayName") or "", doc.get("CompanyName") or ""} - {""}
    query = Q(display_name__in=names) | Q(company_name__in=names)
    if email:
        query |= Q(email__iexact=email)
    if phones:
        query |= Q(phone__in=phones) | Q(mobile__in=phones)
    linked = QBOLink.objects.filter(connection=connection, entity=ENTITY).values("object_id")
    rows = Customer.objects.filter(query, merged_into__isnull=True).exclude(pk__in=linked)
    return [{**row, "qbo_id": None} for row in rows.values(*FIELDS)[:50]]


def find_store_customer(connection, doc: dict) -> tuple[Customer | None, MatchResult | None]:
    """The unlinked store customer the match rules say this new QuickBooks customer is, if any."""
    rules = [r for r in match_rule_specs() if r.enabled and r.applies in (Applies.BOTH, Applies.PULL)]
    if not rules:
        return None, None
    pool = _candidates(connection, doc)
    if not pool:
        return None, None
    result = match_local(doc, pool, rules, name_field=sync_options(connection.realm_id).name_field)
    if result.local_id is None:
        return None, result
    return Customer.objects.filter(pk=result.local_id).first(), result
