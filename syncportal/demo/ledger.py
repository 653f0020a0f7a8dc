"""Demo sales history, with every stored figure computed here the way ``sales.services`` stores it.

Per customer with a history: about 2 sales (0-5, more for account customers). Account customers
put about 75 % of sales on account; each charge first uses any unused store credit (most of the
time), then is paid in full (45 %), partly (15 %, half of those paid off later), together with an
older open charge in one split payment (12 %), overpaid (6 %, the rest stays unapplied on the
account) or left open (22 %, and always when the payment would fall after the as-of date). About
5 % of sales come back: a refund for a cash sale, store credit for a charge (and for some cash
sales), restocking inventory most of the time. Walk-in cash sales without a customer add about 10 %.

The figures: line amount = quantity x price, document totals by ``sales.services.totals``,
``balance_due = total - payments - credit applied``, ``unapplied_amount = amount - allocated``,
``remaining = total - applied``, and ``customer.balance = open charges - unapplied payments - unused
store credit``. Inventory never goes below zero: a line asks for at most what is on hand.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from random import Random

from sales.models import Sale
from sales.services.totals import document_totals, line_amount, money
from syncportal.demo.catalog import CATALOG, INVENTORY, SERVICE, CatalogItem, opening_stock
from syncportal.demo.people import Person, weighted

ZERO = Decimal("0.00")
HISTORY_DAYS = 540
DISCOUNTS = {"Wholesale": Decimal("10"), "Non-profit": Decimal("10"), "Contractor": Decimal("5")}
MEMOS = ["Will pick up Tuesday.", "Delivered to job site.", "Customer brought own bags.", "Price match."]
# Weighted picks as lists to ``rng.choice`` from (much faster than ``rng.choices``).
LINE_COUNTS = weighted((1, 2, 3, 4, 5), (7, 6, 4, 2, 1))
CASH_SALE_METHODS = weighted(("card", "cash", "check"), (14, 5, 1))
PAYMENT_METHODS = weighted(("check", "card", "cash", "other"), (10, 7, 2, 1))
SALES_PER_DUPLICATE = weighted((0, 1, 2), (2, 2, 1))
SALES_PER_ACCOUNT = weighted((1, 2, 3, 4, 5), (15, 30, 25, 18, 12))
SALES_PER_CUSTOMER = weighted((0, 1, 2, 3, 4, 5), (8, 30, 30, 17, 10, 5))
RETURN_MEMOS = ["Returned: wrong size.", "Returned: not needed.", "Returned: duplicate purchase."]


# Rows of one batch by model name, in the order they must be inserted (parents first).
BATCH_MODELS = (
    "sale",
    "saleline",
    "payment",
    "paymentallocation",
    "storecredit",
    "storecreditline",
    "creditapplication",
    "refund",
    "refundline",
)


class Batch(dict):
    """Rows (dicts keyed by column attribute) of one batch: ``batch["sale"]`` is a list of sales."""

    def __init__(self):
        super().__init__((name, []) for name in BATCH_MODELS)


def history_share(customers: int) -> float:
    """Share of customers that get a sales history: all up to 10,000, then 1 in 4 of the rest."""
    if customers <= 10_000:
        return 1.0
    return (10_000 + 0.25 * (customers - 10_000)) / customers


class LedgerMaker:
    """Sales history per customer; ``new_id(model_name)`` hands out primary keys."""

    def __init__(
        self,
        rng: Random,
        *,
        customers: int,
        item_ids: dict[str, int],
        tax_codes: dict[str, tuple[int, Decimal]],
        as_of: date,
        clerk_ids: list[int],
        new_id: Callable[[str], int],
    ):
        self.rng = rng
        self.as_of = as_of
        self.new_id = new_id
        self.item_ids = item_ids
        self.tax_codes = tax_codes
        self.clerk_ids = clerk_ids or [None]
        self.share = history_share(customers)
        self.by_item_id = {item_ids[i.sku]: i for i in CATALOG}
        self.stock = {i.sku: opening_stock(i.sku, customers) for i in CATALOG if i.kind == INVENTORY}
        self.numbers = {"CS": 0, "INV": 0, "PMT": 0, "RF": 0, "CM": 0}
        sellable = [i for i in CATALOG if i.price > 0]
        self.retail_pool = weighted(sellable, [4 if i.kind == INVENTORY else 1 for i in sellable])
        self.business_pool = weighted(
            sellable, [5 if i.category in ("Lumber", "Fasteners", "Paint") else 2 for i in sellable]
        )
        self.delivery = next(i for i in CATALOG if i.sku == "SV-9003")

    def _number(self, prefix: str) -> str:
        self.numbers[prefix] += 1
        return f"{prefix}-{self.numbers[prefix]:06d}"

    # --- lines -------------------------------------------------------------------------------
    def _quantity(self, item: CatalogItem, business: bool) -> Decimal:
        rng = self.rng
        if item.kind == SERVICE:
            if "hour" in item.name:
                return Decimal(rng.choice(["1", "1.5", "2", "3", "4", "8"]))
            return Decimal(rng.choice([1, 1, 1, 2, 3])) if "day" in item.name else Decimal(1)
        if item.price >= 100:
            return Decimal(rng.choice([1, 2, 3, 5] if business else [1, 1, 2]))
        return Decimal(rng.choice([2, 4, 5, 10, 12, 20, 25, 40] if business else [1, 1, 1, 2, 2, 3, 4, 6]))

    def _lines(self, business: bool) -> list[tuple[CatalogItem, Decimal]]:
        """1-5 different items; inventory lines ask for at most what is on hand."""
        rng = self.rng
        pool = self.business_pool if business else self.retail_pool
        lines: list[tuple[CatalogItem, Decimal]] = []
        used: set[str] = set()
        for _ in range(rng.choice(LINE_COUNTS)):
            item = rng.choice(pool)
            if item.sku in used:
                continue
            qty = self._quantity(item, business)
            if item.kind == INVENTORY:
                qty = min(qty, self.stock[item.sku])
                if qty <= 0:
                    continue
                self.stock[item.sku] -= qty
            used.add(item.sku)
            lines.append((item, qty))
        if not lines:  # everything picked was out of stock: the sale is a delivery
            lines.append((self.delivery, Decimal(1)))
        return lines

    # --- documents ---------------------------------------------------------------------------
    def _sale(
        self, batch: Batch, person: Person | None, day: date, charge: bool, available: Decimal | None = None
    ) -> tuple[dict, list[dict]]:
        """A sale; an intended charge becomes a card sale when it would pass ``available`` credit."""
        rng = self.rng
        c = person.customer if person else None
        business = bool(c and c["company_name"])
        tax_id, rate = self._tax(person)
        discount = DISCOUNTS.get(person.type_name, ZERO) if person else ZERO
        if person and not discount and rng.random() < 0.06:
            discount = Decimal("10")  # a coupon
        sale_id = self.new_id("sale")
        lines = [
            {
                "id": self.new_id("saleline"),
                "sale_id": sale_id,
                "item_id": self.item_ids[item.sku],
                "description": item.name,
                "quantity": qty,
                "unit_price": item.price,
                "amount": line_amount(qty, item.price),
                "taxable": item.taxable,
            }
            for item, qty in self._lines(business)
        ]
        totals = document_totals(
            [(ln["amount"], ln["taxable"]) for ln in lines], discount_percent=discount, tax_rate=rate
        )
        if charge and available is not None and totals.total > available:
            charge = False
        sale = {
            "id": sale_id,
            "number": self._number("INV" if charge else "CS"),
            "date": day,
            "kind": Sale.Kind.CHARGE.value if charge else Sale.Kind.CASH.value,
            "customer_id": c["id"] if c else None,
            "customer_po": f"PO-{rng.randint(1000, 99999)}"
            if charge and business and rng.random() < 0.4
            else "",
            "discount_percent": discount,
            "tax_code_id": tax_id,
            "payment_method": "" if charge else rng.choice(CASH_SALE_METHODS),
            "due_date": day + timedelta(days=30) if charge else None,
            "memo": rng.choice(MEMOS) if rng.random() < 0.05 else "",
            "subtotal": totals.subtotal,
            "discount_amount": totals.discount_amount,
            "tax_total": totals.tax_total,
            "total": totals.total,
            "balance_due": totals.total if charge else ZERO,
            "created_by_id": rng.choice(self.clerk_ids),
        }
        batch["sale"].append(sale)
        batch["saleline"].extend(lines)
        return sale, lines

    def _tax(self, person: Person | None) -> tuple[int, Decimal]:
        if person is None:
            return self.tax_codes["CA"]
        return self.tax_codes["EXEMPT" if person.customer.get("tax_exempt") else person.area]

    def _payment(
        self, batch: Batch, customer_id: int, day: date, amount: Decimal, charges: list[dict]
    ) -> dict:
        """A payment applied to ``charges`` oldest first; what is left stays unapplied."""
        rng = self.rng
        method = rng.choice(PAYMENT_METHODS)
        reference = {
            "check": f"Check {rng.randint(1001, 9999)}",
            "card": f"{rng.choice(['Visa', 'Mastercard', 'Amex'])} ending {rng.randint(1000, 9999)}",
        }
        payment = {
            "id": self.new_id("payment"),
            "number": self._number("PMT"),
            "customer_id": customer_id,
            "date": day,
            "amount": amount,
            "method": method,
            "reference": reference.get(method, ""),
            "created_by_id": rng.choice(self.clerk_ids),
        }
        left = amount
        for sale in charges:
            applied = min(left, sale["balance_due"])
            if applied <= 0:
                continue
            sale["balance_due"] -= applied
            left -= applied
            batch["paymentallocation"].append(
                {
                    "id": self.new_id("paymentallocation"),
                    "payment_id": payment["id"],
                    "sale_id": sale["id"],
                    "amount": applied,
                }
            )
        payment["unapplied_amount"] = left
        batch["payment"].append(payment)
        return payment

    def _settle(
        self, batch: Batch, person: Person, sale: dict, open_charges: list[dict], credits: list[dict]
    ) -> Decimal:
        """Apply unused store credit to a new charge, then pay it; returns the amount left unapplied."""
        rng, customer_id = self.rng, person.customer["id"]
        for credit in credits:
            if (
                credit["remaining"] > 0
                and credit["date"] <= sale["date"]
                and sale["balance_due"] > 0
                and rng.random() < 0.8
            ):
                applied = min(credit["remaining"], sale["balance_due"])
                credit["remaining"] -= applied
                sale["balance_due"] -= applied
                batch["creditapplication"].append(
                    {
                        "id": self.new_id("creditapplication"),
                        "store_credit_id": credit["id"],
                        "sale_id": sale["id"],
                        "amount": applied,
                    }
                )
        due = sale["balance_due"]
        day = sale["date"] + timedelta(days=rng.randint(3, 45))
        if due <= 0 or day > self.as_of:
            return ZERO  # nothing left to pay, or too recent to be paid yet
        r = rng.random()
        older = [s for s in open_charges if s is not sale and s["balance_due"] > 0]
        part = money(due * Decimal(rng.randint(30, 70)) / 100)
        if 0.45 <= r < 0.60 and ZERO < part < due:  # partial, maybe paid off later
            self._payment(batch, customer_id, day, part, [sale])
            later = day + timedelta(days=rng.randint(10, 40))
            if rng.random() < 0.5 and later <= self.as_of:
                self._payment(batch, customer_id, later, sale["balance_due"], [sale])
        elif 0.60 <= r < 0.72 and older:  # one payment split over an older charge and this one
            self._payment(batch, customer_id, day, older[0]["balance_due"] + due, [older[0], sale])
        elif 0.72 <= r < 0.78:  # overpaid with a round amount: the rest stays on the account
            rounded = (due / 50).to_integral_value(rounding="ROUND_CEILING") * 50
            extra = rounded - due if rounded - due >= 1 else Decimal("20.00")
            return self._payment(batch, customer_id, day, money(due + extra), [sale])["unapplied_amount"]
        elif r < 0.78:
            self._payment(batch, customer_id, day, due, [sale])
        return ZERO

    def _return(
        self, batch: Batch, person: Person | None, sale: dict, lines: list[dict], as_credit: bool
    ) -> dict | None:
        """Part of ``sale`` comes back: a refund, or store credit on the customer's account."""
        rng = self.rng
        day = sale["date"] + timedelta(days=rng.randint(1, 30))
        if day > self.as_of:
            return None
        line = rng.choice(lines)
        item = self.by_item_id[line["item_id"]]
        qty = Decimal(rng.randint(1, int(line["quantity"]))) if item.kind == INVENTORY else line["quantity"]
        restock = item.kind == INVENTORY and rng.random() < 0.9
        if restock:
            self.stock[item.sku] += qty
        amount = line_amount(qty, line["unit_price"])
        # The customer gets back what they paid for the returned part: same discount, same tax.
        totals = document_totals(
            [(amount, line["taxable"])],
            discount_percent=sale["discount_percent"],
            tax_rate=self._tax(person)[1],
        )
        doc = {
            "date": day,
            "customer_id": sale["customer_id"],
            "original_sale_id": sale["id"],
            "tax_code_id": sale["tax_code_id"],
            "memo": rng.choice(RETURN_MEMOS) if restock else "Damaged: not restocked.",
            "subtotal": totals.subtotal,
            "discount_amount": totals.discount_amount,
            "tax_total": totals.tax_total,
            "total": totals.total,
            "created_by_id": rng.choice(self.clerk_ids),
        }
        row = {
            "item_id": line["item_id"],
            "description": line["description"],
            "quantity": qty,
            "unit_price": line["unit_price"],
            "amount": amount,
            "taxable": line["taxable"],
            "restock": restock,
        }
        if as_credit:
            doc.update(id=self.new_id("storecredit"), number=self._number("CM"), remaining=totals.total)
            batch["storecredit"].append(doc)
            batch["storecreditline"].append(
                {"id": self.new_id("storecreditline"), "store_credit_id": doc["id"], **row}
            )
            return doc
        doc.update(
            id=self.new_id("refund"), number=self._number("RF"), method=sale["payment_method"] or "card"
        )
        batch["refund"].append(doc)
        batch["refundline"].append({"id": self.new_id("refundline"), "refund_id": doc["id"], **row})
        return None

    # --- per customer ------------------------------------------------------------------------
    def history(self, batch: Batch, person: Person) -> None:
        """Give ``person`` a sales history and set the customer's balance from it."""
        rng, c = self.rng, person.customer
        if rng.random() >= self.share:
            return
        if person.is_duplicate:
            count = rng.choice(SALES_PER_DUPLICATE)
        elif person.has_account:
            count = rng.choice(SALES_PER_ACCOUNT)
        else:
            count = rng.choice(SALES_PER_CUSTOMER)
        charges: list[dict] = []
        credits: list[dict] = []
        unapplied = ZERO
        limit = c.get("credit_limit")
        for days_ago in sorted((rng.randint(0, HISTORY_DAYS) for _ in range(count)), reverse=True):
            day = self.as_of - timedelta(days=days_ago)
            available = None
            if limit is not None:
                available = limit - sum((s["balance_due"] for s in charges), ZERO) + unapplied
            sale, lines = self._sale(
                batch, person, day, person.has_account and rng.random() < 0.75, available
            )
            if sale["kind"] == Sale.Kind.CHARGE:
                charges.append(sale)
                unapplied += self._settle(batch, person, sale, charges, credits)
            if rng.random() < 0.05:
                as_credit = sale["kind"] == Sale.Kind.CHARGE or (c["is_active"] and rng.random() < 0.25)
                credit = self._return(batch, person, sale, lines, as_credit)
                if credit is not None:
                    credits.append(credit)
        c["balance"] = (
            sum((s["balance_due"] for s in charges), ZERO)
            - unapplied
            - sum((cr["remaining"] for cr in credits), ZERO)
        )

    def walk_ins(self, batch: Batch, count: int) -> None:
        """Cash sales to nobody in particular; a few come back for a refund."""
        for _ in range(count):
            day = self.as_of - timedelta(days=self.rng.randint(0, HISTORY_DAYS))
            sale, lines = self._sale(batch, None, day, charge=False)
            if self.rng.random() < 0.03:
                self._return(batch, None, sale, lines, as_credit=False)
