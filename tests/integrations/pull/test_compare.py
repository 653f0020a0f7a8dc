"""The three-way compare, field by field (pure: no database, no network)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from integrations.mapping.choices import ConflictPolicy as P
from integrations.pull.compare import APPLY, CONFLICT, KEEP, SAME, UNKNOWN, decide
from integrations.webhooks.parse import MalformedWebhook, parse_notices

EARLY, LATE = datetime(2026, 11, 1, 9, tzinfo=UTC), datetime(2026, 11, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("base", "local", "remote", "policy", "expected"),
    [
        ("a", "a", "b", P.ASK, APPLY),  # only QuickBooks changed it
        ("a", "b", "a", P.ASK, KEEP),  # only we changed it
        ("a", "b", "b", P.ASK, SAME),  # both made the same change
        ("a", "b", "c", P.ASK, CONFLICT),
        ("a", "b", "c", P.QBO_WINS, APPLY),
        ("a", "b", "c", P.LOCAL_WINS, KEEP),
        (UNKNOWN, "b", "c", P.ASK, CONFLICT),  # base unknown: never guess on ask
        ("12.50", Decimal("12.5"), 12.5, P.ASK, SAME),  # money compares as money, not text
        ("02134", "02134", "2134", P.ASK, APPLY),  # a postcode is text: leading zeros matter
        (None, "", "x", P.ASK, APPLY),  # empty and missing are the same
    ],
)
def test_decide(base, local, remote, policy, expected):
    assert decide(base=base, local=local, remote=remote, policy=policy) == expected


def test_newest_wins_follows_the_later_edit_and_asks_when_a_time_is_missing():
    both = {"base": "a", "local": "b", "remote": "c", "policy": P.NEWEST_WINS}
    assert decide(**both, local_updated=LATE, qbo_updated=EARLY) == KEEP
    assert decide(**both, local_updated=EARLY, qbo_updated=LATE) == APPLY
    assert decide(**both, local_updated=EARLY, qbo_updated=None) == CONFLICT


def test_a_cloudevents_merge_names_the_survivor_and_the_merged_customer():
    body = (
        b'[{"specversion":"1.0","id":"e-1","type":"qbo.customer.merged.v1","intuitentityid":"7",'
        b'"intuitaccountid":"123","time":"2026-11-22T03:00:00Z","data":{"deletedid":"9"}}]'
    )
    kind, [notice] = parse_notices(body)
    assert kind == "cloudevents"
    assert (notice.entity, notice.operation, notice.entity_id, notice.deleted_id) == (
        "Customer",
        "Merge",
        "7",
        "9",
    )


def test_a_legacy_body_without_a_realm_is_malformed():
    with pytest.raises(MalformedWebhook, match="realmId"):
        parse_notices(b'{"eventNotifications":[{"dataChangeEvent":{"entities":[]}}]}')
