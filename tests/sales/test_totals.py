"""Money rules a customer sees on the receipt: rounding, discount, tax after discount."""

from decimal import Decimal as D

import pytest

from sales.services.totals import document_totals, line_amount, money


@pytest.mark.parametrize(
    ("quantity", "price", "expected"),
    [
        ("3", "0.335", "1.01"),  # 1.005 rounds half-up (banker's rounding would give 1.00)
        ("1", "2.675", "2.68"),
        ("0.125", "9.99", "1.25"),  # 1.24875
        ("2", "19.99", "39.98"),
    ],
)
def test_line_amount_is_quantity_times_price_rounded_half_up(quantity, price, expected):
    assert line_amount(D(quantity), D(price)) == D(expected)


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        money(0.1)


def test_discount_then_tax_on_taxable_lines_only():
    totals = document_totals(
        [(D("100.00"), True), (D("50.00"), False)], discount_percent=D("10"), tax_rate=D("8.25")
    )
    assert totals.subtotal == D("150.00")
    assert totals.discount_amount == D("15.00")
    # Tax on the taxable $100 less its 10% share of the discount: 8.25% of 90.00 = 7.425 -> 7.43.
    assert totals.tax_total == D("7.43")
    assert totals.total == D("142.43")


def test_tax_is_rounded_once_for_the_document_not_per_line():
    totals = document_totals([(D("0.33"), True)] * 3, tax_rate=D("10"))
    # Per line 0.033 -> 0.03 each would give 0.09; the document's 0.099 rounds to 0.10.
    assert totals.tax_total == D("0.10")
    assert totals.total == D("1.09")


def test_no_tax_code_means_no_tax():
    totals = document_totals([(D("20.00"), True)], tax_rate=None)
    assert (totals.tax_total, totals.total) == (D("0.00"), D("20.00"))


def test_full_discount_leaves_nothing_to_pay_or_tax():
    totals = document_totals([(D("20.00"), True)], discount_percent=D("100"), tax_rate=D("8.25"))
    assert (totals.discount_amount, totals.tax_total, totals.total) == (D("20.00"), D("0.00"), D("0.00"))


def test_discount_rounds_half_up_to_the_cent():
    totals = document_totals([(D("10.05"), False)], discount_percent=D("50"))
    assert totals.discount_amount == D("5.03")  # 5.025
    assert totals.total == D("5.02")
