"""What one operation needs: the realm, the store, the settings and a fixed "now".

``now`` is taken once the write lock is held, so every object touched by one request carries the
same LastUpdatedTime and a CDC call can never read a time older than an uncommitted write.
Change events are collected here and handed to the webhook dispatcher only after commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .. import faults
from ..config import SandboxConfig
from ..store import Record, Store
from ..timefmt import local_date, qbo_datetime, qbo_time, utc_key


@dataclass
class Event:
    realm: str
    entity: str
    entity_id: str
    operation: str  # Create | Update | Delete | Void | Merge
    last_updated: datetime
    deleted_id: str | None = None


@dataclass
class Ctx:
    store: Store
    config: SandboxConfig
    realm: str
    now: datetime
    events: list[Event] = field(default_factory=list)
    batch_created: set[tuple[str, str]] | None = None  # objects created earlier in the same batch
    user: str = "root"
    allow_duplicate_docnumber: bool = False  # ?include=allowduplicatedocnum

    @property
    def tz(self) -> str:
        return self.config.company_tz

    def today(self):
        return local_date(self.now, self.tz)

    def time_text(self) -> str:
        return qbo_time(self.now, self.tz)

    def event(self, record: Record, operation: str, deleted_id: str | None = None) -> None:
        self.events.append(Event(self.realm, record.type, record.id, operation, self.now, deleted_id))

    def stamp(self, record: Record, created: bool) -> None:
        """Set MetaData / updated_at to now (CreateTime only on create)."""
        text = qbo_datetime(self.now, self.tz)
        meta = dict(record.doc.get("MetaData") or {})
        if created or "CreateTime" not in meta:
            meta["CreateTime"] = text
        meta["LastUpdatedTime"] = text
        record.doc["MetaData"] = meta
        record.updated_at = utc_key(self.now)

    def touch(self, record: Record, operation: str = "Update") -> None:
        """A server-side change to an existing object: SyncToken+1, new LastUpdatedTime, event."""
        record.sync_token += 1
        record.doc["SyncToken"] = str(record.sync_token)
        self.stamp(record, created=False)
        self.store.save(record)
        self.event(record, operation)

    # --- references ------------------------------------------------------------------------------

    def lookup(self, type_: str, id_: str) -> Record | None:
        if self.batch_created is not None and (type_, id_) in self.batch_created:
            return None  # batch items do not see each other's creations
        record = self.store.get(self.realm, type_, id_)
        return None if record is None or record.deleted else record

    def resolve(self, ref: dict | None, types: tuple[str, ...], label: str, field_name: str) -> Record:
        """Resolve a reference: unknown ⇒ 2500, inactive ⇒ 610, else the record."""
        value = str((ref or {}).get("value", "")).strip()
        if not value:
            raise faults.required(field_name)
        for type_ in types:
            record = self.lookup(type_, value)
            if record is not None:
                if not record.active:
                    raise faults.not_found(element=field_name)
                return record
        if label == "Accounts":
            raise faults.invalid_reference(f"Accounts element id {value} is invalid")
        raise faults.invalid_reference(f"{label} element id {value} not found")
