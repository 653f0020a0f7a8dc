"""Merging duplicate customers, and undoing a merge.

``customer_merge`` keeps one customer (the survivor) and folds the other (the duplicate) into it:
it takes the chosen value of every field, moves every row in any app that points at the duplicate
(sales, payments, refunds, store credit, notes, sub-customers ...), recomputes both balances,
deactivates the duplicate with ``merged_into`` set (so a pull from QuickBooks never brings it back),
closes the review-queue rows, writes the ``CustomerMerge`` audit record and one outbox row for the
sync engine, all in one transaction. ``customer_merge_undo`` reverses exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from customers.matching.merge_fields import (
    SURVIVOR,
    MergePlan,
    choice_keys,
    plan_merge,
    restore_values,
    snapshot,
)
from customers.matching.relations import Relation, changed_since, count_rows, move_back, move_rows
from customers.models import MAX_DEPTH, Customer, CustomerMerge, DuplicateCandidate
from customers.selectors import customer_ancestor_ids, customer_subtree_levels
from customers.services import customer_validate
from syncportal.outbox.services import Operation, Origin, outbox_record

MERGE_PERMISSION = "customers.merge_customer"
_DERIVED = {"balance", "depth"}


@dataclass
class MergePreview:
    """What a merge would do, for the admin's preview: the merged values and the rows that move."""

    plan: MergePlan
    moves: list[tuple[Relation, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def customer_merge_preview(
    *, survivor: Customer, duplicate: Customer, field_choices: dict[str, str] | None = None
) -> MergePreview:
    """The merge ``customer_merge`` would make, without writing anything."""
    plan = plan_merge(survivor, duplicate, field_choices)
    preview = MergePreview(plan=plan, moves=count_rows(duplicate))
    try:
        _check_pair(survivor, duplicate)
        _check_tree(survivor, duplicate, plan)
    except ValidationError as error:
        preview.problems.extend(error.messages)
    return preview


def customer_merge(
    *,
    survivor: Customer,
    duplicate: Customer,
    field_choices: dict[str, str] | None = None,
    actor: AbstractBaseUser | None = None,
    sync_quickbooks: bool = True,
    origin: str = Origin.LOCAL,
) -> CustomerMerge:
    """Merge ``duplicate`` into ``survivor``; returns the audit record (see the module docstring).

    ``field_choices`` maps a choice key (a field, a field group such as "billing_address", or
    "custom_fields.<name>") to "survivor" or "duplicate"; missing keys keep the survivor's value
    unless only the duplicate has one. Raises ``PermissionDenied`` when ``actor`` may not merge and
    ``ValidationError`` (nothing written) when the merge is not possible. ``origin=Origin.QBO`` is
    for merges QuickBooks already made (see ``customer_merge_from_qbo``): no outbox row, no echo.
    """
    if origin == Origin.QBO:
        sync_quickbooks = False
    else:
        _check_actor(actor)
    with transaction.atomic():
        survivor, duplicate = _lock(survivor, duplicate)
        _check_pair(survivor, duplicate)
        plan = plan_merge(survivor, duplicate, field_choices)
        _check_tree(survivor, duplicate, plan)
        survivor_before, duplicate_before = snapshot(survivor), snapshot(duplicate)

        moved, kept = move_rows(source=duplicate, target=survivor)
        if plan.values["display_name"].strip().casefold() == duplicate.display_name.strip().casefold():
            duplicate.display_name = _merged_name(duplicate, survivor)
        duplicate.is_active = False
        duplicate.merged_into = survivor
        duplicate.save()

        changed = _apply(survivor, plan.values | {"custom_fields": plan.custom_fields})
        customer_validate(customer=survivor)
        survivor.depth = len(customer_ancestor_ids(customer_id=survivor.parent_id))
        survivor.save()
        _store_depths(survivor)
        _refresh_balances(survivor, duplicate, actor)

        merge = CustomerMerge.objects.create(
            survivor=survivor,
            duplicate=duplicate,
            actor=_user(actor),
            field_choices=plan.resolved(),
            survivor_before=survivor_before,
            duplicate_before=duplicate_before,
            survivor_after=snapshot(survivor),
            moved=moved,
            kept=kept,
            candidate_states=_close_candidates(survivor, duplicate, actor),
            sync_quickbooks=sync_quickbooks,
            origin=origin,
        )
        if sync_quickbooks:
            outbox_record(
                instance=survivor,
                operation=Operation.MERGE,
                changed_fields=changed,
                details=_details(merge, action="merge"),
                actor=actor,
            )
    return merge


def customer_merge_undo(*, merge: CustomerMerge, actor: AbstractBaseUser | None = None) -> CustomerMerge:
    """Put both customers back exactly as they were before ``merge``: fields, moved rows, balances
    and review-queue rows. Refused (``ValidationError``) when it would throw away later work: the
    survivor merged again, or a field the merge set edited since."""
    _check_actor(actor)
    with transaction.atomic():
        merge = CustomerMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            when = timezone.localtime(merge.undone_at)
            raise ValidationError(f"This merge was already undone on {when:%Y-%m-%d %H:%M}.")
        if merge.origin == Origin.QBO:
            raise ValidationError(
                "This merge was made in QuickBooks, which cannot split merged customers again; undoing it "
                "only here would leave the two sides disagreeing. Add the customer again instead."
            )
        survivor, duplicate = _lock(merge.survivor, merge.duplicate)
        if duplicate.merged_into_id != survivor.pk:
            raise ValidationError(f"'{duplicate}' is no longer merged into '{survivor}'; nothing to undo.")
        if survivor.merged_into_id is not None:
            raise ValidationError(
                f"'{survivor}' was itself merged into another customer since. Undo that merge first."
            )
        _check_not_edited_since(merge, survivor)
        edited = changed_since(moved=merge.moved, when=merge.created_at)
        if edited:
            what = ", ".join(f"{count} {relation.title}" for relation, count in edited)
            raise ValidationError(
                f"Records moved by this merge were changed since ({what}); undoing would split records that "
                "now depend on each other. Correct them by hand instead."
            )

        before = restore_values(merge.survivor_before)
        after = restore_values(merge.survivor_after)
        survivor_changes = {n: v for n, v in before.items() if v != after.get(n) and n not in _DERIVED}
        duplicate_values = {
            n: v for n, v in restore_values(merge.duplicate_before).items() if n not in _DERIVED
        }
        _check_names_free(
            survivor, duplicate, [survivor_changes.get("display_name"), duplicate_values["display_name"]]
        )

        missing = move_back(moved=merge.moved, source=survivor, target=duplicate)
        # The survivor first: it may hand the duplicate's name back.
        _apply(survivor, survivor_changes)
        survivor.save()
        _apply(duplicate, duplicate_values)
        duplicate.save()
        for customer in (survivor, duplicate):
            customer.depth = len(customer_ancestor_ids(customer_id=customer.parent_id))
            customer.save(update_fields=["depth"])
            _store_depths(customer)
        _refresh_balances(survivor, duplicate, actor)
        _reopen_candidates(merge.candidate_states)

        merge.undone_at = timezone.now()
        merge.undone_by = _user(actor)
        merge.save(update_fields=["undone_at", "undone_by"])
        if merge.sync_quickbooks:
            details = _details(merge, action="undo") | {"not_moved_back": missing}
            outbox_record(
                instance=survivor,
                operation=Operation.MERGE,
                changed_fields=[_field_name(attname) for attname in survivor_changes],
                details=details,
                actor=actor,
            )
    return merge


def customer_merge_from_qbo(
    *, survivor: Customer, merged: Customer, actor: AbstractBaseUser | None = None
) -> CustomerMerge:
    """Apply here a merge a bookkeeper made in QuickBooks (its Merge webhook): ``merged``'s sales,
    payments, sub-customers ... move to ``survivor`` and ``merged`` stays inactive with ``merged_into``
    set, so a later pull never brings it back. The survivor keeps its own values, as it does in
    QuickBooks. Nothing goes to the outbox (QuickBooks already has this). Safe to call again for a
    repeated webhook: returns the merge already recorded."""
    if merged.merged_into_id is not None and merged.merged_into_id == survivor.pk:
        existing = CustomerMerge.objects.filter(survivor=survivor, duplicate=merged, undone_at__isnull=True)
        if found := existing.order_by("-pk").first():
            return found
    return customer_merge(
        survivor=survivor,
        duplicate=merged,
        field_choices=dict.fromkeys(choice_keys(), SURVIVOR),
        actor=actor,
        origin=Origin.QBO,
    )


# --- checks ---------------------------------------------------------------------------------------


def _check_actor(actor) -> None:
    if actor is not None and not actor.has_perm(MERGE_PERMISSION):
        raise PermissionDenied("You do not have permission to merge customers.")


def _check_pair(survivor: Customer, duplicate: Customer) -> None:
    if survivor.pk == duplicate.pk:
        raise ValidationError("Choose two different customers to merge.")
    for customer in (survivor, duplicate):
        if customer.merged_into_id is not None:
            raise ValidationError(f"'{customer}' was already merged into another customer.")


def _check_tree(survivor: Customer, duplicate: Customer, plan: MergePlan) -> None:
    """Refuse merges that would loop the sub-customer tree or make it deeper than QuickBooks allows."""
    if duplicate.pk in customer_ancestor_ids(customer_id=survivor.parent_id):
        raise ValidationError(
            f"'{survivor}' is a sub-customer of '{duplicate}'. Move it to another parent first, then merge."
        )
    if survivor.pk in customer_ancestor_ids(customer_id=duplicate.parent_id):
        raise ValidationError(
            f"'{duplicate}' is a sub-customer of '{survivor}'. Move it to another parent first, then merge."
        )
    parent_id = plan.values.get("parent_id")
    if parent_id in (survivor.pk, duplicate.pk):
        raise ValidationError("The merged customer cannot be its own parent.")
    depth = len(customer_ancestor_ids(customer_id=parent_id))
    below = max(len(customer_subtree_levels(customer_id=c.pk)) for c in (survivor, duplicate))
    if depth + below > MAX_DEPTH:
        raise ValidationError(
            f"The merged customer's sub-customers would sit {depth + below} levels down; QuickBooks allows "
            f"{MAX_DEPTH}. Choose the other parent or move some sub-customers first."
        )


def _check_not_edited_since(merge: CustomerMerge, survivor: Customer) -> None:
    after = restore_values(merge.survivor_after)
    before = restore_values(merge.survivor_before)
    now = restore_values(snapshot(survivor))
    names = {f.attname: str(f.verbose_name) for f in Customer._meta.concrete_fields}
    edited = [
        names[attname]
        for attname, value in after.items()
        if attname not in _DERIVED and before.get(attname) != value and now.get(attname) != value
    ]
    if edited:
        raise ValidationError(
            f"'{survivor}' was edited after the merge ({', '.join(edited)}); undoing would lose those "
            "edits. Change them back first, or correct the records by hand."
        )


def _check_names_free(survivor: Customer, duplicate: Customer, names: list[str | None]) -> None:
    for name in filter(None, names):
        taken = Customer.objects.filter(display_name__iexact=name).exclude(pk__in=[survivor.pk, duplicate.pk])
        if taken.exists():
            raise ValidationError(
                f"Another customer is now named '{name}'. Rename it first, then undo the merge."
            )


# --- writes ---------------------------------------------------------------------------------------


def _lock(a: Customer, b: Customer) -> tuple[Customer, Customer]:
    # Locked in id order (no deadlock between two merges); also makes any new sale for either
    # customer wait until we commit, so the moved ids are complete.
    locked = {
        c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[a.pk, b.pk]).order_by("pk")
    }
    if len(locked) != 2 and a.pk != b.pk:
        raise ValidationError("One of these customers no longer exists.")
    return locked[a.pk], locked[b.pk]


def _apply(customer: Customer, values: dict) -> list[str]:
    """Set values by attname; returns the field names that changed (as outbox rows name them)."""
    changed = []
    for attname, value in values.items():
        if getattr(customer, attname) != value:
            setattr(customer, attname, value)
            changed.append(_field_name(attname))
    return changed


def _field_name(attname: str) -> str:
    return next(f.name for f in Customer._meta.concrete_fields if f.attname == attname)


def _merged_name(duplicate: Customer, survivor: Customer) -> str:
    # The survivor takes the name, and names are unique, so the duplicate steps aside.
    suffix = f" (merged into #{survivor.pk})"
    return duplicate.display_name[: 500 - len(suffix)] + suffix


def _store_depths(customer: Customer) -> None:
    # Depth is local bookkeeping (QuickBooks derives its own Level), not synced state.
    for offset, level in enumerate(customer_subtree_levels(customer_id=customer.pk), start=1):
        Customer.objects.filter(pk__in=level).update(depth=customer.depth + offset)


def _refresh_balances(survivor: Customer, duplicate: Customer, actor) -> None:
    refresh = import_string(settings.CUSTOMER_BALANCE_REFRESH)
    for customer in (survivor, duplicate):
        refresh(customer=customer, actor=actor)
        customer.refresh_from_db(fields=["balance"])


def _close_candidates(survivor: Customer, duplicate: Customer, actor) -> list[dict]:
    pair = sorted((survivor.pk, duplicate.pk))
    rows = DuplicateCandidate.objects.select_for_update().filter(
        Q(customer_a=duplicate) | Q(customer_b=duplicate), status=DuplicateCandidate.Status.OPEN
    )
    states, now = [], timezone.now()
    for row in rows.order_by("pk"):
        states.append({"id": row.pk, "status": row.status})
        row.status = (
            DuplicateCandidate.Status.MERGED
            if [row.customer_a_id, row.customer_b_id] == pair
            else DuplicateCandidate.Status.SUPERSEDED
        )
        row.decided_by, row.decided_at = _user(actor), now
        row.save(update_fields=["status", "decided_by", "decided_at"])
    return states


def _reopen_candidates(states: list[dict]) -> None:
    for state in states:
        DuplicateCandidate.objects.filter(pk=state["id"]).update(
            status=state["status"], decided_by=None, decided_at=None
        )


def _details(merge: CustomerMerge, *, action: str) -> dict:
    """What the sync engine needs and cannot re-read later: both ids and every moved row."""
    return {
        "action": action,
        "merge_id": merge.pk,
        "survivor_id": merge.survivor_id,
        "duplicate_id": merge.duplicate_id,
        "moved": merge.moved,
        "kept": merge.kept,
    }


def _user(actor):
    return actor if getattr(actor, "pk", None) else None
