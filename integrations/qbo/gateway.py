"""QBOGateway: every call SyncPortal makes to one QuickBooks company goes through here.

The gateway knows HTTP and the SDK; it does not know Django models. It is given
- ``token_provider(force_refresh)``: returns a valid access token (the connection service refreshes
  and persists under a lock), and
- ``pace(cost, is_batch)``: blocks until the client-side limiter allows ``cost`` more requests, so
  SyncPortal never provokes a 429 (500/min, 40 batches/min per company).
Requests go out one at a time per company, except a push's batches (``submit_batch``): a few of
them may be in flight at once, always well under Intuit's 10-in-flight limit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future

from quickbooks import exceptions as qbx

from integrations.qbo.client import quickbooks_client
from integrations.qbo.contracts import BatchOp, BatchResult
from integrations.qbo.errors import AuthExpired, QBOError, classify, from_fault

TokenProvider = Callable[[bool], str]
# Blocks until the call may go; may return ``done``, called when the answer is back.
Pacer = Callable[[int, bool], Callable[[], None] | None]


def _no_pacing(cost: int, is_batch: bool) -> None:
    return None


class QBOGateway:
    page_size = 1000  # QBO's MAXRESULTS ceiling: the fewest metered reads per row

    def __init__(self, *, realm_id: str, token_provider: TokenProvider, pace: Pacer = _no_pacing) -> None:
        self.realm_id = realm_id
        self._token_provider = token_provider
        self._pace = pace
        self._client = None
        self.calls = 0  # requests sent (for run records and benchmarks)

    # -- plumbing -------------------------------------------------------------------------------
    def _qb(self, *, refresh: bool = False):
        if self._client is None or refresh:
            self._client = quickbooks_client(
                access_token=self._token_provider(refresh), realm_id=self.realm_id
            )
        return self._client

    def _url(self, path: str) -> str:
        return f"{self._qb().api_url}/company/{self.realm_id}/{path}"

    def _call(self, fn: Callable, *, cost: int = 1, is_batch: bool = False):
        """Run ``fn(qb)``; on an expired access token refresh once and run it again."""
        for attempt in (1, 2):
            done = self._pace(cost, is_batch)
            self.calls += 1
            try:
                return fn(self._qb(refresh=attempt == 2))
            except qbx.QuickbooksException as exc:
                error = classify(exc)
            except Exception as exc:  # transport errors: requests / oauthlib
                error = classify(exc)
            finally:
                if done is not None:
                    done()
            if isinstance(error, AuthExpired) and attempt == 1:
                continue
            raise error
        raise AssertionError("unreachable")

    def _post(
        self,
        path: str,
        body: dict,
        *,
        request_id: str | None = None,
        params: dict | None = None,
        cost: int = 1,
        is_batch: bool = False,
    ) -> dict:
        data = json.dumps(body, default=str)
        return self._call(
            lambda qb: qb.make_request(
                "POST", self._url(path), data, params=dict(params or {}), request_id=request_id
            ),
            cost=cost,
            is_batch=is_batch,
        )

    def _get(self, path: str, params: dict | None = None) -> dict:
        return self._call(lambda qb: qb.make_request("GET", self._url(path), params=dict(params or {})))

    # -- operations -----------------------------------------------------------------------------
    def create(self, qbo_type: str, body: dict, *, request_id: str | None = None) -> dict:
        return self._post(qbo_type.lower(), body, request_id=request_id)[qbo_type]

    def update(self, qbo_type: str, body: dict, *, request_id: str | None = None) -> dict:
        """Sparse update: ``body`` holds Id, SyncToken and only the fields to change."""
        return self._post(qbo_type.lower(), {**body, "sparse": True}, request_id=request_id)[qbo_type]

    def read(self, qbo_type: str, qbo_id: str) -> dict:
        return self._get(f"{qbo_type.lower()}/{qbo_id}")[qbo_type]

    def void(self, qbo_type: str, qbo_id: str, sync_token: str, *, request_id: str | None = None) -> dict:
        body = {"Id": qbo_id, "SyncToken": sync_token}
        if qbo_type == "Invoice":
            return self._post("invoice", body, params={"operation": "void"}, request_id=request_id)[qbo_type]
        return self._post(
            qbo_type.lower(),
            {**body, "sparse": True},
            params={"operation": "update", "include": "void"},
            request_id=request_id,
        )[qbo_type]

    def delete(self, qbo_type: str, qbo_id: str, sync_token: str, *, request_id: str | None = None) -> dict:
        body = {"Id": qbo_id, "SyncToken": sync_token}
        return self._post(qbo_type.lower(), body, params={"operation": "delete"}, request_id=request_id)[
            qbo_type
        ]

    def batch(self, ops: list[BatchOp], *, request_id: str) -> list[BatchResult]:
        """One batch request (≤ 30 items). Each item succeeds or fails on its own."""
        response = self._post("batch", _batch_body(ops), request_id=request_id, cost=len(ops), is_batch=True)
        return _batch_results(ops, response)

    def submit_batch(self, pool: Executor, ops: list[BatchOp], *, request_id: str) -> Future:
        """Like ``batch``, but the request runs on ``pool`` so several can be in flight at once.

        Pacing happens here, on the caller's thread, so the limiter needs no lock. An expired access
        token is not refreshed on the pool's thread (refreshing writes the database): the future
        raises ``AuthExpired`` and the caller sends the same request again with ``batch``.
        """
        data = json.dumps(_batch_body(ops), default=str)
        done = self._pace(len(ops), True)
        self.calls += 1
        qb, url = self._qb(), self._url("batch")

        def send() -> list[BatchResult]:
            try:
                response = qb.make_request("POST", url, data, params={}, request_id=request_id)
            except Exception as exc:  # SDK faults and transport errors alike
                raise classify(exc) from None
            finally:
                if done is not None:
                    done()
            return _batch_results(ops, response)

        return pool.submit(send)

    def query(self, sql: str) -> dict:
        """Run one query; returns QueryResponse (entity lists, startPosition, maxResults, totalCount)."""
        return self._call(lambda qb: qb.query(sql)).get("QueryResponse", {})

    def query_all(self, entity: str, where: str = "") -> Iterator[list[dict]]:
        """Stream every row of ``entity`` page by page (1000 rows a page, one metered read each)."""
        start = 1
        clause = f" WHERE {where}" if where else ""
        while True:
            page = self.query(
                f"SELECT * FROM {entity}{clause} ORDERBY Id STARTPOSITION {start} MAXRESULTS {self.page_size}"  # noqa: S608 (a QBO query, built from our own constants)
            ).get(entity, [])
            if page:
                yield page
            if len(page) < self.page_size:
                return
            start += self.page_size

    def cdc(self, entities: list[str], changed_since: str) -> dict[str, list[dict]]:
        """Change data capture: every object of ``entities`` changed since the timestamp (≤ 1000)."""
        response = self._get("cdc", {"entities": ",".join(entities), "changedSince": changed_since})
        changes: dict[str, list[dict]] = {}
        for block in (response.get("CDCResponse") or [{}])[0].get("QueryResponse", []):
            for key, value in block.items():
                if isinstance(value, list):
                    changes.setdefault(key, []).extend(value)
        return changes


def _batch_body(ops: list[BatchOp]) -> dict:
    if not 0 < len(ops) <= 30:
        raise ValueError("a QuickBooks batch holds 1 to 30 items")
    items = []
    for op in ops:
        item = {"bId": op.bid, "operation": op.operation, op.qbo_type: op.body}
        if op.options:
            item["optionsData"] = op.options
        items.append(item)
    return {"BatchItemRequest": items}


def _batch_results(ops: list[BatchOp], response: dict) -> list[BatchResult]:
    by_bid = {item.get("bId"): item for item in response.get("BatchItemResponse", [])}
    results = []
    for op in ops:
        item = by_bid.get(op.bid)
        if item is None:
            error: QBOError = classify(RuntimeError("QuickBooks returned no answer for this item"))
            results.append(BatchResult(bid=op.bid, error=error))
        elif "Fault" in item:
            results.append(BatchResult(bid=op.bid, error=from_fault(item["Fault"])))
        else:
            results.append(BatchResult(bid=op.bid, entity=item.get(op.qbo_type)))
    return results
