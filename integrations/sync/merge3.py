"""5010 (stale SyncToken): re-read the QuickBooks object and merge three ways against ``QBOLink.base``.

``base`` holds the field values last agreed with QuickBooks (what our last successful push sent,
per field). For each field we are sending:
- only we changed it since base → it is pushed (with the fresh SyncToken);
- only QuickBooks changed it → QuickBooks' value stays (a sparse update leaves it alone);
- both changed it to the same value → nothing to do;
- both changed it differently → a ``SyncConflict`` row keeps both values, nothing is sent for the
  record, and it waits for a person.
Updates are also narrowed to the fields that differ from base (``narrow``), so a later edit never
re-sends — and so never overwrites — a field QuickBooks changed in the meantime. Pure: the engine
side (re-read, conflict rows) is ``integrations.sync.stale``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from integrations.qbo.contracts import BatchOp

CONTROL_KEYS = {"Id", "SyncToken", "sparse", "domain", "MetaData"}


def _norm(value):
    """None, "" and {} all mean "no value"; dicts and lists compare by content."""
    if isinstance(value, dict):
        value = {k: _norm(v) for k, v in value.items() if _norm(v) is not None}
        return value or None
    if isinstance(value, list):
        return [_norm(v) for v in value] or None
    if value == "":
        return None
    return value


def same(a, b) -> bool:
    return _norm(a) == _norm(b)


def project(remote, like):
    """QuickBooks' value cut to the shape of ours: the keys we manage (an address's Id is not ours)."""
    if isinstance(remote, dict) and isinstance(like, dict):
        return {k: project(remote.get(k), v) for k, v in like.items()}
    if isinstance(remote, list) and isinstance(like, list) and len(remote) == len(like):
        return [project(r, v) for r, v in zip(remote, like, strict=True)]
    return remote


def sent_fields(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in CONTROL_KEYS}


def next_base(old: dict | None, body: dict) -> dict:
    """The agreed state after QuickBooks accepted ``body`` (sparse: untouched fields keep their base)."""
    return {**(old or {}), **sent_fields(body)}


@dataclass
class Merge:
    push: dict = field(default_factory=dict)  # field → our value, to send
    conflicts: list[tuple[str, object, object, object]] = field(
        default_factory=list
    )  # field, base, ours, theirs


def three_way(base: dict, ours: dict, theirs: dict) -> Merge:
    """``ours``: the fields we tried to send; ``theirs``: the QuickBooks document now."""
    merge = Merge()
    for name, mine in ours.items():
        remote = project(theirs.get(name), mine if mine not in (None, "") else base.get(name))
        if base:
            # A field absent from base was empty when agreed (create bodies leave empty fields out).
            old = base.get(name)
            we_changed = not same(mine, old)
            they_changed = not same(project(theirs.get(name), old), old)
        else:
            # No agreed state (linked before bases were kept): only equal values are safe to assume.
            we_changed, they_changed = True, not same(remote, mine)
        if not we_changed or same(mine, remote):
            continue
        if they_changed:
            merge.conflicts.append((name, base.get(name), mine, theirs.get(name)))
        else:
            merge.push[name] = mine
    return merge


def narrow(op: BatchOp, base: dict | None) -> BatchOp | None:
    """A plain update cut to the fields that differ from base; ``None`` when nothing differs."""
    if op.operation != "update" or op.options or not base:
        return op
    changed = {k: v for k, v in sent_fields(op.body).items() if not same(v, base.get(k))}
    if not changed:
        return None
    control = {k: v for k, v in op.body.items() if k in CONTROL_KEYS}
    return BatchOp(bid=op.bid, operation=op.operation, qbo_type=op.qbo_type, body={**control, **changed})
