"""Page writers for customers: link, match or create, then the sub-customer hierarchy.

A page of QuickBooks customers becomes at most one SELECT per key, one bulk INSERT and one bulk
UPDATE. For each customer: already linked → update from QuickBooks; the match rules find exactly
one unlinked store customer → link it (no duplicate); else create. A store customer with the
very same name is the same customer (both sides keep names unique), so it is linked too.

Parents are set in a second pass over the sub-customers only (``sub_customers_page``), once every
customer exists locally: QuickBooks' Id order does not put parents first.
"""

from __future__ import annotations

from django.db.models import Q

from customers.models import MAX_DEPTH, Customer
from integrations.importing import bulk
from integrations.importing.context import ImportContext, PageResult, link_row, pushed_state, save_links
from integrations.mapping.choices import Applies, Entity
from integrations.mapping.engine import local_changes_from_qbo
from integrations.mapping.matching import match_local
from integrations.sync import snapshots

ENTITY = "customers.customer"
# Local fields the hierarchy pass owns: set only once the parent exists.
HIERARCHY = ("bill_with_parent",)
UPDATE_FIELDS = [*snapshots.CUSTOMER_FIELDS, "balance"]
UPDATE_FIELDS.remove("sync_with_quickbooks")


def _changes(ctx: ImportContext, doc: dict) -> dict:
    entity = Entity.SUB_CUSTOMER if doc.get("Job") else Entity.CUSTOMER
    changes = local_changes_from_qbo(entity, doc, ctx.mappings, value_maps=ctx.options.value_maps)
    for name in HIERARCHY:
        changes.pop(name, None)
    return changes


def _apply(customer: Customer, changes: dict, *, fill_only: bool, result: PageResult, doc: dict) -> None:
    for name, value in changes.items():
        if name == "custom_fields":
            customer.custom_fields = (
                {**value, **(customer.custom_fields or {})}
                if fill_only
                else {**(customer.custom_fields or {}), **value}
            )
        elif name == "balance" or not fill_only or getattr(customer, name) in (None, ""):
            setattr(customer, name, value)
    if customer.tax_exempt and not customer.tax_exemption_reason:
        # The store requires a reason with an exemption (so does QuickBooks' own UI, not its API).
        customer.tax_exempt = False
        result.warnings.append(
            f"QuickBooks customer {doc['Id']} ‘{customer.display_name}’ is not taxable but has no exemption "
            "reason; it was imported as taxable. Choose a reason in SyncPortal to make it exempt."
        )


def _candidates(ctx: ImportContext, docs: list[dict]) -> list[dict]:
    """Unlinked, unmerged store customers sharing an email, phone or name with the page.

    Every key is an indexed column, so the lookup costs the same on the 100th page as on the first;
    only the few rows found are then checked against the links (not every link of the company).
    """
    emails = {((d.get("PrimaryEmailAddr") or {}).get("Address") or "").strip() for d in docs} - {""}
    phones = {(d.get(k) or {}).get("FreeFormNumber") for d in docs for k in ("PrimaryPhone", "Mobile")} - {
        None,
        "",
    }
    names = {d.get("DisplayName", "") for d in docs} | {
        d.get("CompanyName") for d in docs if d.get("CompanyName")
    }
    query = Q(email__in=emails) | Q(phone__in=phones) | Q(mobile__in=phones) | Q(display_name__in=names)
    query |= Q(company_name__in=names)
    fields = (
        "id",
        "display_name",
        "company_name",
        "email",
        "phone",
        "mobile",
        "bill_postal_code",
        "is_active",
    )
    # Merged-away customers are dropped here, not in SQL: with "merged_into IS NULL" in the WHERE
    # clause SQLite walks that index (nearly every customer) instead of the five key indexes.
    rows = [
        r for r in Customer.objects.filter(query).values(*fields, "merged_into_id") if not r["merged_into_id"]
    ]
    linked = ctx.linked_locals(ENTITY, [row["id"] for row in rows]) if rows else set()
    return [
        {**{k: v for k, v in row.items() if k != "merged_into_id"}, "qbo_id": None}
        for row in rows
        if row["id"] not in linked
    ]


def customers_page(ctx: ImportContext, docs: list[dict]) -> PageResult:
    result = PageResult()
    links = ctx.links("Customer", (d["Id"] for d in docs))
    linked = Customer.objects.select_related("customer_type").in_bulk([x.object_id for x in links.values()])
    rules = [r for r in ctx.rules if r.enabled and r.applies in (Applies.BOTH, Applies.PULL)]
    unlinked = [d for d in docs if str(d["Id"]) not in links]
    candidates = _candidates(ctx, unlinked) if unlinked else []
    by_id = Customer.objects.select_related("customer_type").in_bulk([c["id"] for c in candidates])
    by_name = {c.display_name: c for c in by_id.values()}
    taken = set(
        Customer.objects.filter(display_name__in=[d.get("DisplayName", "") for d in unlinked]).values_list(
            "display_name", flat=True
        )
    )
    claimed: set[int] = set()
    created, matched, updated = [], [], []
    for doc in docs:
        qid, changes = str(doc["Id"]), _changes(ctx, doc)
        link = links.get(qid)
        if link is not None and link.object_id in linked:
            customer = linked[link.object_id]
            _apply(customer, changes, fill_only=False, result=result, doc=doc)
            updated.append((doc, customer, link, changes))
            continue
        pool = [c for c in candidates if c["id"] not in claimed]
        hit = (
            match_local(doc, pool, rules, name_field=ctx.options.name_field).local_id
            if rules and pool
            else None
        )
        customer = by_id.get(hit) if hit else by_name.get(doc.get("DisplayName", ""))
        if customer is not None and customer.pk not in claimed:
            claimed.add(customer.pk)
            # The store's own values stay; QuickBooks fills what is blank (and its balance wins).
            _apply(customer, changes, fill_only=True, result=result, doc=doc)
            matched.append((doc, customer, None, changes))
            continue
        if changes.get("display_name", doc.get("DisplayName")) in taken:
            result.skipped += 1
            result.warnings.append(
                f"QuickBooks customer {qid} ‘{doc.get('DisplayName', '')}’ was not imported: "
                "a store customer of that name is already linked to another QuickBooks customer. "
                "Rename one and import again."
            )
            continue
        customer = Customer(display_name=doc.get("DisplayName", "")[:500])
        _apply(customer, changes, fill_only=False, result=result, doc=doc)
        created.append((doc, customer, None, changes))
    bulk.insert(Customer, [c for _, c, _, _ in created])
    Customer.objects.bulk_update([c for _, c, _, _ in matched + updated], UPDATE_FIELDS, batch_size=1000)
    rows = created + matched + updated
    parent_ids = {c.parent_id for _, c, _, _ in rows if c.parent_id}
    parents = ctx.connection.links.filter(entity=ENTITY, object_id__in=parent_ids).values_list(
        "object_id", "qbo_id"
    )
    _write_links(ctx, rows, parents=dict(parents))
    result.created, result.linked, result.updated = len(created), len(matched), len(updated)
    return result


def _write_links(ctx: ImportContext, rows, *, parents: dict[int, str]) -> None:
    refs = ctx.refs(customers=parents)
    new, changed = [], []
    for doc, customer, link, _changes in rows:
        # What a push would send for this state: the same fingerprint = nothing to send (no echo).
        print_, base = pushed_state(ENTITY, customer, refs)
        if link is None:
            new.append(
                link_row(ctx, entity=ENTITY, object_id=customer.pk, doc=doc, fingerprint=print_, base=base)
            )
        else:
            link.sync_token, link.fingerprint, link.base = str(doc.get("SyncToken", "")), print_, base
            changed.append(link)
    save_links(ctx, "Customer", new, changed)


def sub_customers_page(ctx: ImportContext, docs: list[dict]) -> PageResult:
    """Set parent, depth and bill-with-parent on sub-customers whose customers are now local."""
    result = PageResult()
    links = ctx.links(
        "Customer", [d["Id"] for d in docs] + [(d.get("ParentRef") or {}).get("value") for d in docs]
    )
    children = Customer.objects.select_related("customer_type").in_bulk(
        [links[str(d["Id"])].object_id for d in docs if str(d["Id"]) in links]
    )
    rows, changed = [], []
    for doc in docs:
        link = links.get(str(doc["Id"]))
        parent_link = links.get(str((doc.get("ParentRef") or {}).get("value")))
        child = children.get(link.object_id) if link else None
        if child is None:
            result.skipped += 1  # not imported (inactive, or refused above with a warning)
            continue
        if parent_link is None:
            result.skipped += 1
            result.warnings.append(
                f"Sub-customer ‘{child.display_name}’ stays a top-level customer: its QuickBooks parent "
                f"(id {(doc.get('ParentRef') or {}).get('value')}) is inactive or was not imported."
            )
            continue
        child.parent_id = parent_link.object_id
        child.depth = min(int(doc.get("Level") or 1), MAX_DEPTH)
        child.bill_with_parent = bool(doc.get("BillWithParent"))
        changed.append(child)
        rows.append((doc, child, link, {"bill_with_parent": child.bill_with_parent}))
        result.updated += 1
    Customer.objects.bulk_update(changed, ["parent", "depth", "bill_with_parent"], batch_size=1000)
    parents = {links[k].object_id: k for k in links}
    _write_links(ctx, rows, parents=parents)
    return result
