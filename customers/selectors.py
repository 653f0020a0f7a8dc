"""Reads for customers: admin lists, search, the sub-customer tree and what blocks a delete."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db import router
from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.db.models.functions import Coalesce, Replace

from customers.models import MAX_DEPTH, Customer, CustomerType

ZERO = Decimal("0.00")
# Typed between the digits of a phone number; stripped so "5551234567" finds "(555) 123-4567".
_PHONE_PUNCTUATION = (" ", "(", ")", "-", ".", "+", "/")


def customer_list_for_admin() -> QuerySet[Customer]:
    """Customers with what the admin list shows, in one query: parent, type and available credit."""
    return Customer.objects.select_related("parent", "customer_type").annotate(
        # Sortable twin of the ``available_credit`` property (NULL when there is no limit).
        available_credit_value=F("credit_limit") - F("balance"),
    )


def customer_search(*, q: str, queryset: QuerySet[Customer] | None = None) -> QuerySet[Customer]:
    """Customers matching every word of ``q`` in a name, company, email or phone (digits only for phones)."""
    queryset = Customer.objects.all() if queryset is None else queryset
    words = q.split()
    if not words:
        return queryset
    queryset = queryset.annotate(phone_digits=_digits_of("phone"), mobile_digits=_digits_of("mobile"))
    for word in words:
        match = (
            Q(display_name__icontains=word)
            | Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(company_name__icontains=word)
            | Q(email__icontains=word)
        )
        digits = re.sub(r"\D", "", word)
        if len(digits) >= 3:
            match |= Q(phone_digits__contains=digits) | Q(mobile_digits__contains=digits)
        queryset = queryset.filter(match)
    return queryset


def _digits_of(field: str):
    expression = F(field)
    for char in _PHONE_PUNCTUATION:
        expression = Replace(expression, Value(char), Value(""))
    return expression


def customer_ancestor_ids(*, customer_id: int | None) -> list[int]:
    """Ids from ``customer_id`` up to its top-level customer (``customer_id`` first); [] for None."""
    chain: list[int] = []
    current = customer_id
    # Bounded walk: a corrupt parent loop in the data must not hang a request.
    while current is not None and len(chain) <= MAX_DEPTH + 1:
        if current in chain:
            break
        chain.append(current)
        current = Customer.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    return chain


def customer_subtree_levels(*, customer_id: int) -> list[list[int]]:
    """Ids of the sub-customers of ``customer_id`` level by level: [children, grandchildren, ...]."""
    levels: list[list[int]] = []
    frontier = [customer_id]
    seen = {customer_id}
    while frontier and len(levels) <= MAX_DEPTH + 1:
        children = [
            pk
            for pk in Customer.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            if pk not in seen
        ]
        if not children:
            break
        levels.append(children)
        seen.update(children)
        frontier = children
    return levels


def customer_descendant_ids(*, customer: Customer) -> list[int]:
    """Ids of every sub-customer below ``customer``, nearest levels first."""
    return [pk for level in customer_subtree_levels(customer_id=customer.pk) for pk in level]


def customer_get_subtree(*, customer: Customer) -> list[Customer]:
    """``customer`` and every sub-customer below it, parents before their sub-customers."""
    below = Customer.objects.filter(pk__in=customer_descendant_ids(customer=customer))
    return [customer, *below.order_by("depth", "display_name")]


@dataclass(frozen=True)
class OpenBalanceSummary:
    customers_owing: int
    total_owed: Decimal
    customers_over_limit: int


def customer_open_balance_summary() -> OpenBalanceSummary:
    """How many customers owe money, how much in total, and how many are past their credit limit."""
    totals = Customer.objects.aggregate(
        owing=Count("pk", filter=Q(balance__gt=0)),
        owed=Coalesce(
            Sum("balance", filter=Q(balance__gt=0)), Value(ZERO), output_field=DecimalField(max_digits=14)
        ),
        over=Count("pk", filter=Q(credit_limit__isnull=False, balance__gt=F("credit_limit"))),
    )
    # SQLite adds decimals in binary floating point; every balance is whole cents, so the cent is exact.
    owed = Decimal(totals["owed"]).quantize(Decimal("0.01"))
    return OpenBalanceSummary(
        customers_owing=totals["owing"], total_owed=owed, customers_over_limit=totals["over"]
    )


def customer_delete_blockers(*, customer: Customer) -> list[str]:
    """What keeps ``customer`` from being deleted, in words ("3 sales", "1 sub-customer"); [] if nothing.

    Asks Django's deletion collector, so every protected relation counts, including ones other apps add later.
    """
    collector = Collector(using=router.db_for_write(Customer))
    try:
        collector.collect([customer])
    except ProtectedError as error:
        blocking = error.protected_objects
    except RestrictedError as error:
        blocking = error.restricted_objects
    else:
        return []
    counts = Counter(type(obj) for obj in blocking)
    phrases = []
    for model, count in counts.items():
        if model is Customer:
            noun = "sub-customer" if count == 1 else "sub-customers"
        else:
            noun = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
        phrases.append((str(noun), count))
    return [f"{count} {noun}" for noun, count in sorted(phrases)]


def customer_delete_refusal(*, customer: Customer) -> str | None:
    """Why ``customer`` cannot be deleted, as a sentence for the user; None when it can be."""
    blockers = customer_delete_blockers(customer=customer)
    if not blockers:
        return None
    listed = blockers[0] if len(blockers) == 1 else ", ".join(blockers[:-1]) + " and " + blockers[-1]
    return (
        f"'{customer}' cannot be deleted because it has {listed}. "
        "Deactivate it instead: QuickBooks keeps inactive customers with their history."
    )


def customer_type_delete_refusal(*, customer_type: CustomerType) -> str | None:
    """Why ``customer_type`` cannot be deleted, as a sentence for the user; None when it can be."""
    in_use = customer_type.customers.count()
    if not in_use:
        return None
    customers = f"{in_use} customer{'s' if in_use != 1 else ''}"
    return f"'{customer_type}' is the type of {customers}. Give them another type first."


@dataclass(frozen=True)
class TreeNode:
    pk: int
    display_name: str
    level: int  # 0 = the family's top-level customer
    is_active: bool
    balance: Decimal
    is_current: bool


def customer_family_tree(*, customer: Customer) -> list[TreeNode]:
    """The whole family ``customer`` belongs to, from its top-level customer down, in tree order.

    One query per level (at most five) plus the walk up; an empty list when the customer stands alone.
    """
    top_id = customer_ancestor_ids(customer_id=customer.pk)[-1]
    below = [pk for level in customer_subtree_levels(customer_id=top_id) for pk in level]
    if not below:
        return []
    family = {
        c.pk: c
        for c in Customer.objects.filter(pk__in=[top_id, *below]).only(
            "pk", "display_name", "parent_id", "is_active", "balance"
        )
    }
    children: dict[int | None, list[Customer]] = {}
    for member in family.values():
        children.setdefault(member.parent_id, []).append(member)
    nodes: list[TreeNode] = []

    def visit(member: Customer, level: int) -> None:
        nodes.append(
            TreeNode(
                member.pk,
                member.display_name,
                level,
                member.is_active,
                member.balance,
                member.pk == customer.pk,
            )
        )
        for child in sorted(children.get(member.pk, []), key=lambda c: c.display_name.lower()):
            visit(child, level + 1)

    visit(family[top_id], 0)
    return nodes
