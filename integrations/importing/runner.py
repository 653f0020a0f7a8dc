"""Walking a run through its stages, one QuickBooks page (≤ 1000 rows, one metered read) at a time.

Each page is written in one transaction together with the run's new position, so memory stays
flat in company size and a run that dies (worker killed, machine restarted) resumes after the
last committed page: rows are matched by their links, so a replayed page never duplicates.
One worker holds a run at a time (a lease on the run row); a dead worker's lease expires and the
next attempt takes over. A run gives up its lease after ``time_budget`` seconds so a django-q
task never outlives the cluster's timeout; the task then queues its own continuation.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from integrations.importing import catalog, customers, transactions
from integrations.importing.context import MAX_WARNINGS, ImportContext, PageResult
from integrations.models.connection import QBOConnection
from integrations.models.importing import STAGES, ImportRun
from integrations.qbo.errors import QBOError
from integrations.qbo.gateway import QBOGateway
from integrations.selectors.config import mapping_specs, match_rule_specs, sync_options
from integrations.services.connection import connection_access_token
from integrations.services.initial_export import initial_export_queue
from integrations.sync.limiter import RealmLimiter
from integrations.sync.refs import custom_field_definitions

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # far longer than one page takes; a dead worker's run waits this long
LABELS = dict(STAGES)
# stage → (QuickBooks entity, filter). Name lists are asked for active rows explicitly.
QUERIES = {
    "accounts": ("Account", "Active = true"),
    "payment_methods": ("PaymentMethod", "Active = true"),
    "tax_codes": ("TaxCode", "Active = true"),
    "items": ("Item", "Active = true"),
    "customers": ("Customer", "Active = true"),
    "sub_customers": ("Customer", "Active = true AND Job = true"),
    "invoices": ("Invoice", "Balance > '0'"),
    "payments": ("Payment", ""),
}
WRITERS: dict[str, Callable[..., PageResult]] = {
    "accounts": catalog.accounts_page,
    "payment_methods": catalog.payment_methods_page,
    "items": catalog.items_page,
    "customers": customers.customers_page,
    "sub_customers": customers.sub_customers_page,
    "invoices": transactions.invoices_page,
    "payments": transactions.payments_page,
}
ORDER = [name for name, _ in STAGES]
# Stages whose next page is read while the current one is written (no other call runs meanwhile).
READ_AHEAD = {"items", "customers", "sub_customers", "invoices", "payments"}
# Stages whose links get the push's fingerprint, which needs the sales form custom field names.
PUSH_SHAPED = {"items", "customers", "sub_customers", "invoices", "payments"}


class Stop(Exception):
    """The run was cancelled or taken over by another worker: stop without writing this page."""


def _where(stage: str) -> str:
    entity, where = QUERIES[stage]
    return f"FROM {entity}" + (f" WHERE {where}" if where else "")


def _page_sql(stage: str, start: int, size: int) -> str:
    return f"SELECT * {_where(stage)} ORDERBY Id STARTPOSITION {start} MAXRESULTS {size}"


def _claim(run_id: int, owner: str) -> bool:
    now = timezone.now()
    free = Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now) | Q(lease_owner=owner)
    claimed = ImportRun.objects.filter(free, pk=run_id, status__in=ImportRun.ACTIVE).update(
        status=ImportRun.Status.RUNNING, lease_owner=owner, lease_expires_at=now + LEASE
    )
    ImportRun.objects.filter(pk=run_id, started_at__isnull=True).update(started_at=now)
    return bool(claimed)


def _release(run: ImportRun, **fields) -> None:
    ImportRun.objects.filter(pk=run.pk, lease_owner=run.lease_owner).update(
        lease_owner="", lease_expires_at=None, **fields
    )


def run_import(
    run_id: int,
    *,
    owner: str = "",
    page_size: int = 1000,
    time_budget: float | None = None,
    stop_after_pages: int | None = None,
    progress: Callable[[ImportRun], None] | None = None,
) -> ImportRun | None:
    """Advance the run as far as it goes. ``None``: another worker holds it, or it is finished.

    ``stop_after_pages`` leaves the run exactly as a worker killed after that many pages would
    (its lease expired): the crash-and-resume tests and the benchmark use it.
    """
    owner = owner or uuid.uuid4().hex
    if not _claim(run_id, owner):
        return None
    run = ImportRun.objects.select_related("connection").get(pk=run_id)
    try:
        gateway = _gateway(run.connection)
    except QBOError as exc:  # e.g. the company must be reconnected first
        _release(
            run, status=ImportRun.Status.FAILED, finished_at=timezone.now(), error=_words(run, exc.message)
        )
        run.refresh_from_db()
        return run
    gateway.page_size = page_size
    reader = _PageReader(gateway)
    ctx = ImportContext(
        run=run,
        mappings=mapping_specs(),
        rules=match_rule_specs(),
        options=sync_options(run.connection.realm_id),
    )
    started, pages, counted = time.monotonic(), 0, 0
    try:
        if not run.totals:
            _count(run, gateway)
        counted = gateway.calls
        rates: dict[str, Decimal] | None = None
        for stage in ORDER[ORDER.index(run.stage) :]:
            while True:
                if stop_after_pages is not None and pages >= stop_after_pages:
                    _release(run)
                    return run
                if time_budget is not None and time.monotonic() - started > time_budget:
                    _release(run)
                    return run
                if ImportRun.objects.filter(pk=run.pk, cancel_requested=True).exists():
                    raise Stop("cancelled")
                if stage == "tax_codes" and rates is None:
                    rates = _TaxRates(gateway)
                if stage in PUSH_SHAPED and ctx.custom_fields is None:
                    # Once per run, at a stage's first page (no read-ahead in flight yet).
                    prefs = gateway.query("SELECT * FROM Preferences").get("Preferences") or [{}]
                    ctx.custom_fields = custom_field_definitions(prefs[0])
                sql = _page_sql(stage, run.position, page_size)
                docs = reader.fetch(sql, QUERIES[stage][0])
                last = len(docs) < page_size
                if not last and stage in READ_AHEAD:
                    reader.ahead(_page_sql(stage, run.position + len(docs), page_size))
                # A read-ahead may still be on its way: it is counted with the next page.
                now = gateway.calls
                _commit_page(ctx, stage, docs, last=last, calls=now - counted, rates=rates)
                counted = now
                pages += 1
                if progress:
                    progress(run)
                if last:
                    break
        _release(run, status=ImportRun.Status.DONE, finished_at=timezone.now())
        # Pull's CDC starts where the import started: changes made meanwhile are read again, not lost.
        QBOConnection.objects.filter(pk=run.connection_id, cdc_cursor__isnull=True).update(
            cdc_cursor=run.started_at
        )
        # Store customers QuickBooks has never seen follow, through the ordinary push.
        initial_export_queue(run.connection)
    except Stop:
        _release(run, status=ImportRun.Status.CANCELLED, finished_at=timezone.now())
    except QBOError as exc:
        _release(
            run, status=ImportRun.Status.FAILED, finished_at=timezone.now(), error=_words(run, exc.message)
        )
    except Exception:
        log.exception("import run %s stopped by an unexpected error", run.pk)
        _release(
            run,
            status=ImportRun.Status.FAILED,
            finished_at=timezone.now(),
            error=_words(run, "an unexpected error (details are in the server log)"),
        )
    finally:
        reader.close()
        if gateway.calls > counted:  # reads the run did not get to record (metered all the same)
            ImportRun.objects.filter(pk=run.pk).update(api_calls=F("api_calls") + gateway.calls - counted)
    run.refresh_from_db()
    if progress:
        progress(run)
    return run


def _gateway(connection: QBOConnection) -> QBOGateway:
    """A gateway whose token is fetched here, in the caller's thread: the read-ahead thread then
    never touches the database, except to refresh a token QuickBooks refused (rare)."""
    token = connection_access_token(connection_id=connection.pk)

    def provider(force_refresh: bool) -> str:
        nonlocal token
        if force_refresh:
            token = connection_access_token(connection_id=connection.pk, force_refresh=True)
        return token

    return QBOGateway(realm_id=connection.realm_id, token_provider=provider, pace=RealmLimiter().pace)


class _PageReader:
    """Reads the next page over HTTP while this one is written: one request in flight at a time
    (Intuit asks for serial calls per company), and the page read time overlaps the write time."""

    def __init__(self, gateway: QBOGateway) -> None:
        self._gateway = gateway
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qbo-import-read")
        self._ahead: tuple[str, object] | None = None

    def ahead(self, sql: str) -> None:
        self._ahead = (sql, self._pool.submit(self._gateway.query, sql))

    def fetch(self, sql: str, entity: str) -> list[dict]:
        if self._ahead is not None and self._ahead[0] == sql:
            future = self._ahead[1]
        else:
            self._drain()
            future = self._pool.submit(self._gateway.query, sql)
        self._ahead = None
        return future.result().get(entity, [])

    def _drain(self) -> None:
        if self._ahead is not None:
            self._ahead[1].exception()  # a read nobody wants any more: let it finish, ignore it
            self._ahead = None

    def close(self) -> None:
        self._drain()
        self._pool.shutdown(wait=True)


def _words(run: ImportRun, why: str) -> str:
    run.refresh_from_db(fields=["stage", "position"])
    return (
        f"The import stopped while reading {LABELS[run.stage].lower()} (from row {run.position}): {why}. "
        "Everything before that was saved. Start the import again to continue from there."
    )


def _count(run: ImportRun, gateway) -> None:
    totals = {}
    for stage in ORDER:
        totals[stage] = int(gateway.query(f"SELECT COUNT(*) {_where(stage)}").get("totalCount", 0))
    ImportRun.objects.filter(pk=run.pk).update(
        totals=totals, total=sum(totals.values()), api_calls=gateway.calls
    )
    run.totals, run.total, run.api_calls = totals, sum(totals.values()), gateway.calls


class _TaxRates(dict):
    """TaxRate percentages by Id: one query for all of them, or a read per rate where the query is
    refused (rates are few; the bundled sandbox cannot query TaxRate)."""

    def __init__(self, gateway) -> None:
        super().__init__()
        self._gateway = gateway
        try:
            for rate in gateway.query("SELECT * FROM TaxRate MAXRESULTS 1000").get("TaxRate", []):
                self[str(rate["Id"])] = Decimal(str(rate.get("RateValue") or 0))
            self._complete = bool(self)
        except QBOError:
            self._complete = False

    def get(self, key, default=None):
        if key not in self and not self._complete and key:
            try:
                self[key] = Decimal(str(self._gateway.read("TaxRate", key).get("RateValue") or 0))
            except QBOError:
                return default
        return super().get(key, default)


def _commit_page(ctx: ImportContext, stage: str, docs: list[dict], *, last: bool, calls: int, rates) -> None:
    run = ctx.run
    with transaction.atomic():
        row = ImportRun.objects.select_for_update().get(pk=run.pk)
        if (
            row.lease_owner != run.lease_owner
            or row.cancel_requested
            or row.status != ImportRun.Status.RUNNING
        ):
            raise Stop("taken over or cancelled")
        if not docs:
            result = PageResult()
        elif stage == "tax_codes":
            result = catalog.tax_codes_page(ctx, docs, rates if rates is not None else {})
        else:
            result = WRITERS[stage](ctx, docs)
        counts = dict(row.counts or {})
        mine = counts.get(stage) or {"created": 0, "updated": 0, "linked": 0, "skipped": 0}
        for key in mine:
            mine[key] += getattr(result, key)
        counts[stage] = mine
        row.counts = counts
        row.processed += len(docs)
        row.pages += 1
        row.api_calls += calls
        row.warnings = (row.warnings + result.warnings)[:MAX_WARNINGS]
        if last:
            following = ORDER.index(stage) + 1
            row.stage, row.position = (ORDER[following], 1) if following < len(ORDER) else (stage, 1)
        else:
            row.position += len(docs)
        row.lease_expires_at = timezone.now() + LEASE
        row.save()
    for name in (
        "counts",
        "processed",
        "pages",
        "api_calls",
        "warnings",
        "stage",
        "position",
        "lease_expires_at",
    ):
        setattr(run, name, getattr(row, name))
