"""What every page writer needs: the connection, the run's counters, and cached reference maps."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from integrations.importing import bulk
from integrations.models.importing import ImportRun, QBOReference
from integrations.models.sync import QBOLink
from integrations.sync import documents, snapshots
from integrations.sync.documents import Invalid
from integrations.sync.refs import Refs, Unresolved

MAX_WARNINGS = 200


def plain(value):
    """A JSON-safe copy (decimals and dates as text), for link bases."""
    return json.loads(
        json.dumps(
            value,
            default=lambda v: (
                format(v, "f")
                if isinstance(v, Decimal)
                else (v.isoformat() if isinstance(v, date | datetime) else str(v))
            ),
        )
    )


@dataclass
class PageResult:
    created: int = 0
    updated: int = 0
    linked: int = 0
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.linked + self.skipped


@dataclass
class ImportContext:
    run: ImportRun
    mappings: list = field(default_factory=list)
    rules: list = field(default_factory=list)
    options: object = None
    custom_fields: dict[str, str] | None = None  # sales form custom field name → DefinitionId
    _static: Refs | None = field(default=None, repr=False)

    @property
    def connection(self):
        return self.run.connection

    def refs(self, *, customers=None, items=None, transactions=None) -> Refs:
        """What a push would resolve references with: the lists and configuration (built once per
        run, from the lists this import already stored) plus the links the page at hand needs.

        The push reloads every link (``refresh_refs``); per page that would be quadratic in company
        size, so each writer passes only the ids its own records point at.
        """
        if self._static is None:
            self._static = stored_list_refs(
                self.connection,
                custom_fields=self.custom_fields,
                mappings=self.mappings,
                options=self.options,
            )
        return replace(
            self._static,
            customers=customers or {},
            items=items or {},
            transactions=transactions or {},
        )

    def links(self, qbo_type: str, qbo_ids) -> dict[str, QBOLink]:
        rows = QBOLink.objects.filter(connection=self.connection, qbo_type=qbo_type, qbo_id__in=list(qbo_ids))
        return {link.qbo_id: link for link in rows}

    def local_ids(self, qbo_type: str, qbo_ids) -> dict[str, int]:
        rows = QBOLink.objects.filter(
            connection=self.connection, qbo_type=qbo_type, qbo_id__in=list(set(qbo_ids))
        ).values_list("qbo_id", "object_id")
        return dict(rows)

    def linked_locals(self, entity: str, object_ids) -> set[int]:
        """Which of these local records are already linked to some QuickBooks object."""
        rows = QBOLink.objects.filter(
            connection=self.connection, entity=entity, object_id__in=list(object_ids)
        )
        return set(rows.values_list("object_id", flat=True))

    def references(self, qbo_type: str) -> dict[str, QBOReference]:
        # Small lists (accounts, payment methods): read once per stage page, never per row.
        return {
            r.qbo_id: r for r in QBOReference.objects.filter(connection=self.connection, qbo_type=qbo_type)
        }


def _names(connection, qbo_type: str) -> dict[str, str]:
    # Same shape as the push's lists: lower-case name → Id, active entries only.
    rows = QBOReference.objects.filter(connection=connection, qbo_type=qbo_type, active=True)
    return {name.lower(): qbo_id for name, qbo_id in rows.order_by("pk").values_list("name", "qbo_id")}


def stored_list_refs(connection, *, custom_fields=None, mappings=(), options=None) -> Refs:
    """The push's lists (accounts, payment methods, tax codes) as the import stored them, without a
    metered read: the import and the pull compute what a push would send from these."""
    return Refs(
        accounts=_names(connection, "Account"),
        payment_methods=_names(connection, "PaymentMethod"),
        tax_codes=_names(connection, "TaxCode"),
        custom_fields=dict(custom_fields or {}),
        mappings=tuple(mappings),
        options=options,
    )


def pushed_state(entity: str, record, refs: Refs) -> tuple[str, dict]:
    """The fingerprint and base the push builder would store for ``record`` right now, so the next
    push finds it unchanged and sends nothing back to QuickBooks.

    A record the push could not send as it stands (a link it needs is missing, a name QuickBooks
    lacks, data QuickBooks refuses) gets no fingerprint: the next push looks at it and says why.
    """
    label = f"{record._meta.verbose_name.capitalize()} ‘{record}’"
    try:
        doc = documents.BUILDERS[entity](record, refs, label)
    except (KeyError, Unresolved, Invalid):
        return "", {}
    return snapshots.fingerprint(doc.state), doc.state


def link_row(ctx: ImportContext, *, entity: str, object_id: int, doc: dict, fingerprint: str, base: dict):
    return new_link(
        ctx.connection, entity=entity, object_id=object_id, doc=doc, fingerprint=fingerprint, base=base
    )


def new_link(connection, *, entity: str, object_id: int, doc: dict, fingerprint: str, base: dict):
    """An unsaved link to QuickBooks object ``doc`` (``qbo_type`` is set by the caller)."""
    return QBOLink(
        connection=connection,
        entity=entity,
        object_id=object_id,
        qbo_type="",
        qbo_id=str(doc["Id"]),
        sync_token=str(doc.get("SyncToken", "")),
        fingerprint=fingerprint,
        base=plain(base),
        qbo_updated_at=_updated(doc),
    )


def _updated(doc: dict):
    text = (doc.get("MetaData") or {}).get("LastUpdatedTime")
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def save_links(ctx: ImportContext, qbo_type: str, new: list, changed: list) -> None:
    """New links in one INSERT, refreshed ones (token, fingerprint, base) in one UPDATE."""
    now = timezone.now()
    for link in new:
        link.qbo_type = qbo_type
        link.last_synced_at = now
    bulk.insert(QBOLink, new)
    for link in changed:
        link.last_synced_at = now
    QBOLink.objects.bulk_update(
        changed, ["sync_token", "fingerprint", "base", "qbo_updated_at", "last_synced_at"], batch_size=1000
    )
