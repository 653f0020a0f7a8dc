"""The sparse update body: only what changed since the last push, and clearing what went away."""

from __future__ import annotations

from integrations.sync.builders import sparse_changes


def test_only_changed_top_level_fields_are_sent_whole():
    base = {"DisplayName": "Ann", "BillAddr": {"City": "Reno", "Line1": "1 Main"}, "Active": True}
    state = {"DisplayName": "Ann", "BillAddr": {"City": "Elko", "Line1": "1 Main"}, "Active": True}

    assert sparse_changes(base, state, frozenset()) == {"BillAddr": {"City": "Elko", "Line1": "1 Main"}}


def test_a_field_no_longer_sent_is_cleared_in_quickbooks():
    base = {"DisplayName": "Ann", "Notes": "VIP", "PrimaryEmailAddr": {"Address": "a@x.example"}, "Line": [1]}
    state = {"DisplayName": "Ann"}

    assert sparse_changes(base, state, frozenset()) == {
        "Notes": "",
        "PrimaryEmailAddr": {"Address": ""},
        "Line": [],
    }


def test_fields_fixed_after_create_and_foreign_keys_in_the_base_are_left_alone():
    base = {"Type": "Inventory", "UnitPrice": 8, "display_name": "kept by another stage"}
    state = {"Type": "Service", "UnitPrice": 9}

    assert sparse_changes(base, state, frozenset({"Type"})) == {"UnitPrice": 9}
