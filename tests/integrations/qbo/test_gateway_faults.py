"""The gateway turns every way QuickBooks says "no" into the project's error family."""

import pytest

from integrations.qbo.errors import DuplicateName

pytestmark = pytest.mark.sandbox


def test_lower_case_400_still_reads_as_the_duplicate_name_it_is(qbo, qbo_sandbox, monkeypatch):
    # Real QBO sometimes answers in its lower-case envelope, which python-quickbooks reports as a
    # generic 10000; the gateway must still see the 6240 so the engine can link instead of retrying.
    qbo.create("Customer", {"DisplayName": "Lower Case Fault Shop"})
    monkeypatch.setattr(qbo_sandbox.config, "lowercase_fault_chaos", True)
    with pytest.raises(DuplicateName) as exc:
        qbo.create("Customer", {"DisplayName": "Lower Case Fault Shop"})
    assert exc.value.code == "6240"
