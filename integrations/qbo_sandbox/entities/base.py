"""The shape every entity handler shares, and the rules common to all name lists.

A handler turns "the writable fields the client wants" into a stored ``Record``:
``build(ctx, data, current, body)`` validates and computes the document (``current`` is None on
create; ``body`` is the raw request for write-on-create fields), ``after_save`` applies side
effects (balances, stock, sub-customers), ``void``/``delete`` implement those operations.
"""

from __future__ import annotations

from .. import faults
from ..store import Record
from .context import Ctx

DELETED_SUFFIX = " (deleted)"
COMMON_READONLY = frozenset({"Id", "SyncToken", "MetaData", "domain", "sparse", "status"})


class Handler:
    name = ""
    kind = "name"  # name | txn | readonly
    readonly = COMMON_READONLY
    create_only: frozenset[str] = frozenset()
    can_delete = False
    can_void = False

    def build(self, ctx: Ctx, data: dict, current: Record | None, body: dict) -> Record:
        raise NotImplementedError

    def after_save(self, ctx: Ctx, old: Record | None, new: Record) -> None:
        """Side effects of a create / update (inside the same transaction)."""

    def delete(self, ctx: Ctx, record: Record) -> None:
        """Mark ``record`` deleted (the caller saves it and then runs ``after_save``)."""
        raise faults.unsupported("Delete")

    def void(self, ctx: Ctx, record: Record) -> Record:
        """Zero ``record`` in place (the caller saves it and then runs ``after_save``)."""
        raise faults.unsupported("Void")

    def new_record(self, ctx: Ctx, current: Record | None, doc: dict) -> Record:
        if current is None:
            return Record(realm=ctx.realm, type=self.name, id="", doc=doc)
        record = current.copy()
        record.doc = doc
        return record


def check_text(
    data: dict, limits: dict[str, int], forbidden: tuple[str, ...] = (), chars: str = ":\t\n"
) -> None:
    """Length limits (2050) and characters QBO refuses in name fields (2040)."""
    for field, maximum in limits.items():
        value = data.get(field)
        if isinstance(value, str) and len(value) > maximum:
            raise faults.bad_length(field, maximum, len(value))
    for field in forbidden:
        value = data.get(field)
        if isinstance(value, str) and any(ch in value for ch in chars):
            raise faults.invalid_string(field)


def strip_deleted_suffix(name: str) -> str:
    return name[: -len(DELETED_SUFFIX)] if name.endswith(DELETED_SUFFIX) else name


def check_enum(data: dict, field: str, allowed: tuple[str, ...]) -> None:
    value = data.get(field)
    if value is not None and value not in allowed:
        raise faults.bad_enum(field, value)


def hierarchy(
    ctx: Ctx, record_type: str, data: dict, current: Record | None, name: str, max_level: int, label: str
) -> tuple[str | None, int, str]:
    """Resolve ParentRef: returns (parent id, Level, FullyQualifiedName); 2500/610/6180/6000."""
    ref = data.get("ParentRef")
    if not ref or not str(ref.get("value", "")).strip():
        data.pop("ParentRef", None)
        return None, 0, name
    parent = ctx.resolve(ref, (record_type,), label, "ParentRef")
    if current is not None:
        walk: Record | None = parent
        while walk is not None:
            if walk.id == current.id:
                raise faults.business(f"A {record_type.lower()} cannot be its own parent or ancestor.")
            walk = ctx.store.get(ctx.realm, record_type, walk.parent_id) if walk.parent_id else None
    level = int(parent.doc.get("Level", 0)) + 1
    if level > max_level:
        raise faults.sub_level_limit(max_level)
    data["ParentRef"] = {"value": parent.id, "name": parent.doc.get("DisplayName") or parent.doc.get("Name")}
    return parent.id, level, f"{parent.doc.get('FullyQualifiedName')}:{name}"


def refresh_descendants(ctx: Ctx, record: Record, name_field: str) -> None:
    """Children's FullyQualifiedName / Level / ParentRef.name follow a renamed or moved parent."""
    for child in ctx.store.children(ctx.realm, record.type, record.id):
        fqn = f"{record.doc['FullyQualifiedName']}:{child.doc.get(name_field)}"
        level = int(record.doc.get("Level", 0)) + 1
        parent_name = record.doc.get(name_field)
        if (
            child.doc.get("FullyQualifiedName") == fqn
            and child.doc.get("Level") == level
            and (child.doc.get("ParentRef") or {}).get("name") == parent_name
        ):
            continue
        child.doc["FullyQualifiedName"] = fqn
        child.doc["Level"] = level
        child.doc["ParentRef"] = {"value": record.id, "name": parent_name}
        ctx.store.save(child)
        refresh_descendants(ctx, child, name_field)
