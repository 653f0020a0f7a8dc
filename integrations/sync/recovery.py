"""After a batch is committed: turn recoverable item failures into follow-up operations.

- 5010 on an update → ``stale.resolve_stale`` (three-way merge, fresh SyncToken, or a conflict);
- 6240 on a new customer → ``linking.resolve_duplicate`` (link to the same customer, or say why not).
Runs outside any transaction (it reads QuickBooks). Follow-ups go through the intent ledger like any
other batch, and are never recovered again in the same drain (no loops): if one fails it stays a
retrying failure.
"""

from __future__ import annotations

from integrations.models.sync import PushBatch
from integrations.qbo.contracts import BatchOp, BatchResult
from integrations.sync import linking, stale


def after_batch(
    connection, gateway, batch: PushBatch, answers: list[BatchResult]
) -> list[tuple[dict, BatchOp]]:
    by_bid = {answer.bid: answer for answer in answers}
    bodies = {body["bId"]: body for body in batch.body["BatchItemRequest"]}
    followups: list[tuple[dict, BatchOp]] = []
    for item in batch.items:
        answer = by_bid.get(item["bId"])
        if answer is None or answer.ok or item.get("recovery"):
            continue
        body = bodies[item["bId"]].get(item["qbo_type"]) or {}
        op = None
        if (
            answer.error.code == "5010"
            and item["batch_operation"] == "update"
            and "optionsData" not in bodies[item["bId"]]
        ):
            op = stale.resolve_stale(connection, gateway, item, body)
            kind = "merge"
        elif (
            answer.error.code == "6240"
            and item["entity"] == "customers.customer"
            and item["batch_operation"] == "create"
        ):
            op = linking.resolve_duplicate(connection, gateway, item, body, answer.error)
            kind = "link"
        if op is not None:
            followups.append(({**item, "recovery": kind}, op))
    return followups
