"""Applying one QuickBooks Customer to its local customer (or creating it), through customer services.

Order of checks: our own write coming back (same SyncToken, or same fingerprint as our last push)
is an echo and changes nothing; a customer merged away locally is never resurrected; otherwise each
mapped field goes through the three-way compare, the hierarchy (ParentRef) too, and QuickBooks'
Balance overwrites ours (it sees payments and charges entered only there).
"""

from __future__ import annotations

import copy
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from customers.models import Customer
from customers.services import customer_create, customer_set_balance, customer_update
from integrations.mapping.choices import ConflictPolicy, Entity
from integrations.mapping.engine import local_changes_from_qbo
from integrations.mapping.fields import WILDCARD, custom_name
from integrations.models.sync import QBOLink, SyncEvent
from integrations.pull import compare, record
from integrations.pull.linking import find_store_customer
from integrations.pull.state import base_values
from integrations.selectors.config import mapping_specs, sync_options
from integrations.sync import documents, snapshots
from integrations.sync.refs import Refs, Unresolved
from syncportal.outbox.services import Origin

ENTITY = "customers.customer"
CENT = Decimal("0.01")
PARENT = "parent"  # compared as the parent's QuickBooks id
Outcome = SyncEvent.Outcome


def _kind(doc: dict) -> str:
    return Entity.SUB_CUSTOMER if doc.get("Job") and doc.get("ParentRef") else Entity.CUSTOMER


def _remote_parent(doc: dict) -> str:
    return str((doc.get("ParentRef") or {}).get("value", "")) if doc.get("Job") else ""


def _local_parent(connection, customer: Customer) -> str:
    if not customer.parent_id:
        return ""
    return (
        QBOLink.objects.filter(connection=connection, entity=ENTITY, object_id=customer.parent_id)
        .values_list("qbo_id", flat=True)
        .first()
        or f"local:{customer.parent_id}"
    )


def _parent_customer(connection, qbo_parent: str) -> Customer | None:
    link = QBOLink.objects.filter(connection=connection, qbo_type="Customer", qbo_id=qbo_parent).first()
    return Customer.objects.filter(pk=link.object_id).first() if link else None


def push_state(connection, customer: Customer, remote: dict, doc: dict) -> dict:
    """What our push would send for ``customer`` holding QuickBooks' current values (the builder's
    own document), or {} when it cannot be built here (then only the SyncToken detects echoes)."""
    record = copy.copy(customer)
    for name, value in remote.items():
        if name in {f.attname for f in Customer._meta.concrete_fields}:
            setattr(record, name, value)
    customs = _customs(remote)
    if customs:
        record.custom_fields = {**(customer.custom_fields or {}), **customs}
    parent = _remote_parent(doc)
    record.bill_with_parent = bool(doc.get("BillWithParent")) if parent else False
    return _doc_state(connection, record, parent)


def _doc_state(connection, record: Customer, parent: str) -> dict:
    """The builder's document for ``record`` (changed in place) under QuickBooks parent id ``parent``
    (``""``: none), or {} when it cannot be built here."""
    record.parent_id = -1 if parent else None
    refs = Refs(
        customers={-1: parent} if parent else {},
        mappings=tuple(mapping_specs()),
        options=sync_options(connection.realm_id),
    )
    try:
        return documents.customer_doc(record, refs, "").state
    except (KeyError, documents.Invalid, Unresolved):
        return {}


def _pushed_as_is(connection, link: QBOLink, customer: Customer, local_parent: str) -> bool:
    """Whether our push last sent ``customer`` exactly as it is here now (same fingerprint).

    Then QuickBooks took every value it holds here, even if the outbox still shows the change as
    waiting (a worker died after the push was committed, before it moved the outbox on)."""
    if not link.fingerprint or local_parent.startswith("local:"):
        return False
    state = _doc_state(connection, copy.copy(customer), local_parent)
    return bool(state) and snapshots.fingerprint(state) == link.fingerprint


def push_fingerprint(connection, customer: Customer, remote: dict, doc: dict) -> str:
    state = push_state(connection, customer, remote, doc)
    return snapshots.fingerprint(state) if state else ""


def _agreed_base(connection, customer: Customer, remote: dict, doc: dict) -> tuple[dict, str]:
    # One JSON holds both views of the agreed state: QuickBooks-shaped keys (PascalCase) for the
    # push's sparse diff and 5010 merge, local field names for the pull's three-way compare.
    state = push_state(connection, customer, remote, doc)
    return {**state, **remote}, (snapshots.fingerprint(state) if state else "")


def _remote_values(doc: dict) -> tuple[dict, dict, Decimal | None]:
    mappings = mapping_specs(_kind(doc))
    remote = local_changes_from_qbo(_kind(doc), doc, mappings)
    balance = remote.pop("balance", None)
    policies = {m.local_field: m.conflict_policy for m in mappings}
    # Custom fields are shared by name: each one is compared on its own, as ``custom_fields[Name]``
    # (the mapping's own name for it), under its named mapping's policy or the wildcard's.
    default = policies.get(f"custom_fields[{WILDCARD}]", ConflictPolicy.NEWEST_WINS)
    for name, value in (remote.pop("custom_fields", None) or {}).items():
        remote[f"custom_fields[{name}]"] = value
        policies.setdefault(f"custom_fields[{name}]", default)
    return remote, policies, balance


def _customs(values: dict) -> dict:
    """``{"custom_fields[Tier]": "Gold"}`` → ``{"Tier": "Gold"}`` (other keys left out)."""
    return {custom_name(k): v for k, v in values.items() if custom_name(k)}


def _local_value(customer: Customer, name: str):
    custom = custom_name(name)
    if custom:
        return (customer.custom_fields or {}).get(custom, "")
    return getattr(customer, name)


def apply_customer(connection, doc: dict) -> str:
    """Returns the outcome recorded (``ok``, ``echo``, ``conflict``, ``skipped``, ``failed`` or ``seen``)."""
    doc = {**doc, "_type": "Customer"}
    link = QBOLink.objects.filter(connection=connection, qbo_type="Customer", qbo_id=str(doc["Id"])).first()
    if link is None:
        return _create(connection, doc)
    token = str(doc.get("SyncToken", ""))
    customer = Customer.objects.filter(pk=link.object_id).first()
    if customer is None:
        record.event(
            connection,
            entity=ENTITY,
            object_id=link.object_id,
            doc=doc,
            operation="update",
            outcome=Outcome.SKIPPED,
            summary={"reason": "deleted here"},
        )
        return Outcome.SKIPPED
    remote, policies, balance = _remote_values(doc)
    if link.sync_token == token:
        if record.already_pulled(link, doc):
            # An overlapping CDC window or a duplicate webhook; only the Balance may have moved
            # (QuickBooks changes it without a new SyncToken).
            _set_balance(customer, balance)
            return "seen"
        return _echo(connection, link, customer, doc, remote, balance)
    if customer.merged_into_id:
        # Merged away here: QuickBooks' copy may still change (it stays inactive there); never revive.
        record.link_store(link, doc=doc)
        record.event(
            connection,
            entity=ENTITY,
            object_id=customer.pk,
            doc=doc,
            operation="update",
            outcome=Outcome.SKIPPED,
            summary={"reason": "merged into another customer"},
        )
        return Outcome.SKIPPED
    if link.fingerprint and push_fingerprint(connection, customer, remote, doc) == link.fingerprint:
        return _echo(connection, link, customer, doc, remote, balance)
    return _merge_fields(connection, link, customer, doc, remote, policies, balance)


def _set_balance(customer: Customer, balance) -> None:
    if balance is not None and not customer.merged_into_id:
        customer_set_balance(customer=customer, balance=Decimal(balance).quantize(CENT), origin=Origin.QBO)


def _echo(connection, link, customer, doc, remote, balance) -> str:
    # Our own write came back: what QuickBooks holds now is exactly what both sides agreed on.
    # Storing it as the base (with its token) lets a local edit made since keep a known base, so
    # the next compare sees "changed here only" instead of an unknown base left to the policy.
    remote = {**remote, PARENT: _remote_parent(doc)}
    base, print_ = _agreed_base(connection, customer, remote, doc)
    base = {**(link.base or {}), **base}  # keeps the push's keys when its state cannot be rebuilt
    with transaction.atomic():
        _set_balance(customer, balance)
        record.link_store(link, doc=doc, base=base, fingerprint=print_ or None)
        record.event(
            connection,
            entity=ENTITY,
            object_id=customer.pk,
            doc=doc,
            operation="update",
            outcome=Outcome.ECHO,
        )
    return Outcome.ECHO


def _local_values(connection, customer: Customer, remote: dict) -> dict:
    values = {name: _local_value(customer, name) for name in remote}
    values[PARENT] = _local_parent(connection, customer)
    return values


def _merge_fields(connection, link, customer, doc, remote, policies, balance) -> str:
    remote = {**remote, PARENT: _remote_parent(doc)}
    local = _local_values(connection, customer, remote)
    base = base_values(
        link, local, pushed_as_is=lambda: _pushed_as_is(connection, link, customer, local[PARENT])
    )
    open_ = record.open_conflicts(connection, ENTITY, customer.pk)
    qbo_updated = record.qbo_time(doc)
    changes, conflicts = {}, []
    for name, value in remote.items():
        if name in open_:
            if compare.comparable(value) != compare.comparable(local[name]):
                conflicts.append(name)  # still disputed: keep both, refresh QuickBooks' side
            continue
        verdict = compare.decide(
            base=base[name],
            local=local[name],
            remote=value,
            policy=policies.get(name, ConflictPolicy.NEWEST_WINS),
            local_updated=customer.updated_at,
            qbo_updated=qbo_updated,
        )
        if verdict == compare.APPLY:
            changes[name] = value
        elif verdict == compare.CONFLICT:
            conflicts.append(name)
    customs = _customs(changes)
    if customs:
        for name in customs:
            changes.pop(f"custom_fields[{name}]")
        changes["custom_fields"] = {**(customer.custom_fields or {}), **customs}
    if PARENT in changes:
        parent_id = changes.pop(PARENT)
        parent = _parent_customer(connection, parent_id) if parent_id else None
        if parent_id and parent is None:
            conflicts.append(PARENT)  # its parent is not here yet: keep both until the import brings it
        else:
            changes["parent"] = parent
            if parent is None:
                changes["bill_with_parent"] = False
    label = f"Customer {customer.display_name}"
    try:
        with transaction.atomic():
            if changes:
                customer = customer_update(customer=customer, changes=changes, origin=Origin.QBO)
            _set_balance(customer, balance)
            for name in conflicts:
                record.conflict_record(
                    connection,
                    entity=ENTITY,
                    object_id=customer.pk,
                    label=label,
                    field=name,
                    base=None if base[name] is compare.UNKNOWN else base[name],
                    local=local[name],
                    remote=remote[name],
                    existing=open_.get(name),
                )
            new_base = {k: v for k, v in remote.items()}
            customer.refresh_from_db()
            base, print_ = _agreed_base(connection, customer, new_base, doc)
            record.link_store(link, doc=doc, base=base, fingerprint=print_)
            outcome = Outcome.CONFLICT if conflicts else Outcome.OK
            record.event(
                connection,
                entity=ENTITY,
                object_id=customer.pk,
                doc=doc,
                operation="update",
                outcome=outcome,
                summary={"fields": sorted(changes), "conflicts": sorted(conflicts)},
            )
    except ValidationError as error:
        message = "; ".join(error.messages)[:400]
        record.pull_failure(
            connection,
            entity=ENTITY,
            object_id=customer.pk,
            label=label,
            operation="update",
            message=f"A change made in QuickBooks to {label} could not be applied here: "
            f"{message}. Correct it here or in QuickBooks; the next change will retry.",
            doc=doc,
            summary={"fields": sorted(changes)},
        )
        return Outcome.FAILED
    return outcome


def _create(connection, doc: dict) -> str:
    """A customer created in QuickBooks (after the initial import): link it to the store customer the
    match rules say it is, or create it here and link it."""
    remote, _policies, balance = _remote_values(doc)
    existing, match = find_store_customer(connection, doc)
    if existing is not None:
        return _link_existing(connection, doc, existing, remote, balance, match.reason)
    parent_qbo = _remote_parent(doc)
    parent = _parent_customer(connection, parent_qbo) if parent_qbo else None
    fields = {
        k: v for k, v in remote.items() if k not in ("is_active", "bill_with_parent") and not custom_name(k)
    }
    if _customs(remote):
        fields["custom_fields"] = _customs(remote)
    fields["sync_with_quickbooks"] = True
    if parent is not None:
        fields["parent"] = parent
        fields["bill_with_parent"] = bool(remote.get("bill_with_parent"))
    name = fields.pop("display_name", "") or doc.get("DisplayName", "")
    try:
        with transaction.atomic():
            customer = customer_create(display_name=name, origin=Origin.QBO, **fields)
            if remote.get("is_active") is False:
                customer = customer_update(customer=customer, changes={"is_active": False}, origin=Origin.QBO)
            _set_balance(customer, balance)
            link = QBOLink.objects.create(
                connection=connection,
                entity=ENTITY,
                object_id=customer.pk,
                qbo_type="Customer",
                qbo_id=str(doc["Id"]),
            )
            remote[PARENT] = parent_qbo
            base, print_ = _agreed_base(connection, customer, remote, doc)
            record.link_store(link, doc=doc, base=base, fingerprint=print_)
            record.event(
                connection,
                entity=ENTITY,
                object_id=customer.pk,
                doc=doc,
                operation="create",
                outcome=Outcome.OK,
            )
    except ValidationError as error:
        record.event(
            connection,
            entity=ENTITY,
            object_id=None,
            doc=doc,
            operation="create",
            outcome=Outcome.FAILED,
            summary={"problem": "; ".join(error.messages)[:200]},
        )
        return Outcome.FAILED
    return Outcome.OK


def _link_existing(connection, doc: dict, customer: Customer, remote: dict, balance, reason: str) -> str:
    # As the initial import does: the store's own values stay, QuickBooks fills what is blank here.
    own = {f.attname for f in Customer._meta.concrete_fields} - {
        "is_active",
        "bill_with_parent",
        "display_name",
    }
    fill = {
        name: value
        for name, value in remote.items()
        if name in own and value not in (None, "") and getattr(customer, name) in (None, "")
    }
    try:
        with transaction.atomic():
            if fill:
                customer = customer_update(customer=customer, changes=fill, origin=Origin.QBO)
            _set_balance(customer, balance)
            link = QBOLink.objects.create(
                connection=connection,
                entity=ENTITY,
                object_id=customer.pk,
                qbo_type="Customer",
                qbo_id=str(doc["Id"]),
            )
            base, print_ = _agreed_base(connection, customer, {**remote, PARENT: _remote_parent(doc)}, doc)
            record.link_store(link, doc=doc, base=base, fingerprint=print_)
            record.event(
                connection,
                entity=ENTITY,
                object_id=customer.pk,
                doc=doc,
                operation="link",
                outcome=Outcome.OK,
                summary={"linked_existing": True, "reason": reason[:300]},
            )
    except ValidationError as error:
        record.event(
            connection,
            entity=ENTITY,
            object_id=customer.pk,
            doc=doc,
            operation="link",
            outcome=Outcome.FAILED,
            summary={"problem": "; ".join(error.messages)[:200]},
        )
        return Outcome.FAILED
    return Outcome.OK
