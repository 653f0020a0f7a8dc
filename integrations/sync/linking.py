"""6240 (duplicate name) on a new customer: is the QuickBooks customer holding the name ours?

QuickBooks names the Id already using the name. We read that one customer (one metered query), and
run the company's match rules on it. If they say it is the same customer, we link to it and send our
fields as an update, so nothing is created twice. Otherwise the failure says, in plain words, which
two customers collide and what to do.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from customers.models import Customer
from integrations.mapping.defaults import DEFAULT_MATCH_RULES
from integrations.mapping.matching import match_customer
from integrations.models.sync import Direction, QBOLink, SyncEvent
from integrations.qbo import errors
from integrations.qbo.contracts import BatchOp
from integrations.selectors.config import match_rule_specs, sync_options
from integrations.sync import records, snapshots
from integrations.sync.merge3 import sent_fields
from integrations.sync.outcomes import Diagnosis

log = logging.getLogger(__name__)


def resolve_duplicate(
    connection, gateway, item: dict, body: dict, error: errors.DuplicateName
) -> BatchOp | None:
    """The update to send to the matched QuickBooks customer, or ``None`` (failure re-worded)."""
    existing_id = error.existing_id
    customer = Customer.objects.filter(pk=item["object_id"]).first()
    if not existing_id.isdigit() or customer is None:
        return None
    try:
        found = gateway.query(f"SELECT * FROM Customer WHERE Id = '{existing_id}'").get("Customer", [])  # noqa: S608 (digits only)
    except errors.QBOError as exc:
        log.warning("reading customer %s after 6240 failed (%s)", existing_id, exc.code)
        return None
    label = f"Customer ‘{customer}’ (#{customer.pk})"
    if not found:
        return None  # a vendor or employee holds the name: the standard message already says so
    theirs = found[0]
    their_label = f"QuickBooks customer ‘{theirs.get('DisplayName', '')}’ (Id {existing_id})"
    linked_to = (
        QBOLink.objects.filter(connection=connection, qbo_type="Customer", qbo_id=existing_id)
        .values_list("object_id", flat=True)
        .first()
    )
    if linked_to is not None:
        other = Customer.objects.filter(pk=linked_to).first()
        _reword(
            connection,
            item,
            label,
            f"{label} could not be sent: {their_label} has the same name and is already linked to our "
            f"customer ‘{other or linked_to}’ (#{linked_to}). Rename one of them, or merge the two customers "
            "here, then retry.",
        )
        return None
    options = sync_options(connection.realm_id)
    local = {**snapshots.customer_snapshot(customer), "qbo_id": None}
    result = match_customer(
        local,
        [theirs],
        match_rule_specs() or DEFAULT_MATCH_RULES,
        name_field=options.name_field,
        local_name=body.get(options.name_field),
    )
    if result.qbo_id != str(existing_id):
        _reword(
            connection,
            item,
            label,
            f"{label} could not be sent: QuickBooks already has {their_label} with this name, and the "
            "match rules say it is a different customer ("
            + "; ".join(s.detail for s in result.steps)
            + "). Rename ours (for example add a middle initial or a company name), or change the match "
            "rules if they are the same customer, then retry.",
        )
        return None
    if not link_customer(connection, item, existing_id, str(theirs.get("SyncToken", "")), result.reason):
        return None
    update = {"Id": existing_id, "SyncToken": str(theirs.get("SyncToken", "")), "sparse": True}
    return BatchOp(bid="", operation="update", qbo_type="Customer", body={**update, **sent_fields(body)})


def link_customer(connection, item: dict, qbo_id: str, token: str, reason: str) -> bool:
    """Link our customer to an existing QuickBooks customer, with its event; False if linked meanwhile."""
    try:
        with transaction.atomic():
            QBOLink.objects.create(
                connection=connection,
                entity=item["entity"],
                object_id=item["object_id"],
                qbo_type="Customer",
                qbo_id=qbo_id,
                sync_token=token,
            )
            SyncEvent.objects.create(
                connection=connection,
                direction=Direction.PUSH,
                entity=item["entity"],
                object_id=item["object_id"],
                qbo_type="Customer",
                qbo_id=qbo_id,
                operation="link",
                outcome=SyncEvent.Outcome.OK,
                summary={"linked_existing": True, "reason": reason[:300]},
            )
    except IntegrityError:
        return False  # linked meanwhile (another path got there first): the retry sorts it out
    return True


def _reword(connection, item: dict, label: str, message: str) -> None:
    records.upsert_failure(
        connection,
        item,
        label,
        Diagnosis("duplicate_name", message, False),
        code="6240",
        detail="",
    )
