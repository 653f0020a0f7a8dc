"""The three-way merge alone: who changed what since the agreed state."""

from __future__ import annotations

from integrations.qbo.contracts import BatchOp
from integrations.sync.merge3 import narrow, next_base, three_way

BASE = {"DisplayName": "Ann", "PrimaryEmailAddr": {"Address": "a@x.example"}, "Notes": "vip"}


def test_only_our_changes_are_pushed_and_theirs_are_left_alone():
    theirs = {**BASE, "Notes": "called", "PrimaryEmailAddr": {"Id": "9", "Address": "a@x.example"}}
    merge = three_way(BASE, {**BASE, "PrimaryEmailAddr": {"Address": "b@x.example"}}, theirs)
    assert merge.push == {"PrimaryEmailAddr": {"Address": "b@x.example"}}
    assert merge.conflicts == []


def test_the_same_field_changed_differently_is_a_conflict_with_all_three_values():
    merge = three_way(BASE, {**BASE, "Notes": "ours"}, {**BASE, "Notes": "theirs"})
    assert merge.push == {}
    assert merge.conflicts == [("Notes", "vip", "ours", "theirs")]


def test_both_sides_making_the_same_change_is_no_conflict_and_nothing_to_send():
    merge = three_way(BASE, {**BASE, "Notes": "same"}, {**BASE, "Notes": "same"})
    assert (merge.push, merge.conflicts) == ({}, [])


def test_a_field_empty_at_creation_counts_as_empty_in_the_base():
    merge = three_way(BASE, {**BASE, "CompanyName": "Ann Ltd"}, dict(BASE))
    assert merge.push == {"CompanyName": "Ann Ltd"}


def test_without_any_agreed_state_differing_values_are_never_overwritten():
    merge = three_way({}, {"Notes": "ours"}, {"Notes": "theirs"})
    assert merge.conflicts == [("Notes", None, "ours", "theirs")]


def test_updates_are_narrowed_to_fields_changed_since_the_agreed_state():
    op = BatchOp(bid="", operation="update", qbo_type="Customer",
                 body={"Id": "5", "SyncToken": "2", "sparse": True, **BASE, "Notes": "new"})  # fmt: skip
    narrowed = narrow(op, BASE)
    assert narrowed.body == {"Id": "5", "SyncToken": "2", "sparse": True, "Notes": "new"}
    assert narrow(BatchOp("", "update", "Customer", {"Id": "5", "SyncToken": "2", **BASE}), BASE) is None
    void = BatchOp("", "update", "Invoice", {"Id": "5", "SyncToken": "2"}, options="void")
    assert narrow(void, BASE) is void


def test_the_agreed_state_keeps_fields_a_sparse_update_did_not_touch():
    assert next_base(BASE, {"Id": "5", "SyncToken": "3", "sparse": True, "Notes": "new"}) == {
        **BASE,
        "Notes": "new",
    }
