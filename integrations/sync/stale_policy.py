"""After a 5010, fields both sides changed are settled by the mapping's conflict policy.

``merge3.three_way`` finds the overlaps; this decides each one as the manager configured it for
that field (the same policies the pull applies), so a push and a pull never disagree about who
wins:

- SyncPortal wins → our value is sent;
- QuickBooks wins → QuickBooks' value is taken here (origin QBO: no outbox row, no echo);
- newest wins → whichever change is later (our change's commit time vs QuickBooks' LastUpdatedTime);
- ask → a conflict, named by the local field with both values in the store's terms.

Customers only: overlaps on sales and payments stay conflicts (money, dates and links are never
settled automatically).
"""

from __future__ import annotations

from datetime import datetime

from customers.models import Customer
from customers.services import customer_update
from integrations.mapping.choices import ConflictPolicy, Entity
from integrations.mapping.engine import local_changes_from_qbo
from integrations.selectors.config import mapping_specs
from integrations.sync.merge3 import Merge
from syncportal.outbox.services import Origin

CUSTOMER = "customers.customer"


def _newer_here(first_at: str | None, theirs: dict) -> bool:
    stamp = (theirs.get("MetaData") or {}).get("LastUpdatedTime")
    if not first_at or not stamp:
        return True  # no clock on one side: the change being sent is the one a person just made
    try:
        return datetime.fromisoformat(first_at) >= datetime.fromisoformat(stamp)
    except ValueError:
        return True


def settle(item: dict, merge: Merge, theirs: dict) -> tuple[Merge, set[str]]:
    """The merge with policy-decided overlaps moved to ``push`` (ours) or taken here (theirs), and
    the top-level QuickBooks fields whose values were taken here. Remaining conflicts are keyed by
    the local field."""
    if item["entity"] != CUSTOMER:
        return merge, set()
    kind = Entity.SUB_CUSTOMER if (theirs.get("ParentRef") or {}).get("value") else Entity.CUSTOMER
    specs = mapping_specs(kind)
    remote_values = local_changes_from_qbo(kind, theirs, specs)
    ours_newer = _newer_here(item.get("first_at"), theirs)
    settled = Merge(push=dict(merge.push))
    take_theirs: dict = {}
    for name, base, mine, their_value in merge.conflicts:
        owned = [s for s in specs if s.qbo_path.split(".", 1)[0] == name]
        if len(owned) != 1:
            settled.conflicts.append((name, base, mine, their_value))
            continue
        spec = owned[0]
        policy = spec.conflict_policy
        if policy == ConflictPolicy.NEWEST_WINS:
            policy = ConflictPolicy.LOCAL_WINS if ours_newer else ConflictPolicy.QBO_WINS
        if policy == ConflictPolicy.LOCAL_WINS:
            settled.push[name] = mine
        elif policy == ConflictPolicy.QBO_WINS and spec.local_field in remote_values:
            take_theirs[spec.local_field] = remote_values[spec.local_field]
        else:
            settled.conflicts.append(
                (spec.local_field, _leaf(base, spec), _leaf(mine, spec), remote_values.get(spec.local_field))
            )
    customer = Customer.objects.get(pk=item["object_id"])
    # QuickBooks' edits to fields we are not sending are taken here too: once our update goes out
    # on QuickBooks' SyncToken, the pull would see that token as ours and skip the whole document.
    sending = {name for name, *_ in merge.conflicts} | set(merge.push)
    for spec in specs:
        field = spec.local_field
        if field == "balance" or "[" in field:
            continue  # the balance has its own service (pull); custom fields are not compared
        if spec.qbo_path.split(".", 1)[0] in sending or field not in remote_values or field in take_theirs:
            continue
        if spec.direction in ("both", "from_qbo") and getattr(customer, field, None) != remote_values[field]:
            take_theirs[field] = remote_values[field]
    if take_theirs:
        customer_update(customer=customer, changes=take_theirs, origin=Origin.QBO)
    # The QuickBooks fields whose values are now held on both sides (the caller agrees on them).
    taken = {spec.qbo_path.split(".", 1)[0] for spec in specs if spec.local_field in take_theirs}
    return settled, taken


def _leaf(value, spec):
    """A QuickBooks-shaped value cut to the mapped leaf ({"Address": "x"} → "x")."""
    for part in spec.qbo_path.split(".")[1:]:
        value = value.get(part) if isinstance(value, dict) else None
    return value
