"""Every row in any app that points at a customer, found from the model graph, not from imports.

A merge moves them to the survivor and an undo moves exactly those rows back, so the customers app
never needs to know about sales, payments or whatever app adds a link to a customer later.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from customers.models import Customer, CustomerMerge, DuplicateCandidate

# The merge's own bookkeeping points at customers but is not the customer's data.
_OWN_MODELS = (CustomerMerge, DuplicateCandidate)


@dataclass(frozen=True)
class Relation:
    model: type[models.Model]
    field: models.ForeignKey

    @property
    def label(self) -> str:
        """ "sales.sale.customer", "customers.customer.parent" ..."""
        return f"{self.model._meta.label_lower}.{self.field.name}"

    @property
    def title(self) -> str:
        name = self.model._meta.verbose_name_plural
        if self.model is Customer:
            return "sub-customers"
        return (
            str(name)
            if self.field.name in {"customer", "customer_id"}
            else f"{name} ({self.field.verbose_name})"
        )

    @property
    def unique(self) -> bool:
        return self.field.one_to_one or self.field.unique

    def rows(self, customer: Customer) -> models.QuerySet:
        return self.model._base_manager.filter(**{self.field.name: customer})


def customer_relations() -> list[Relation]:
    """Foreign keys and one-to-one fields to Customer in every installed app (hidden ones too),
    except ``merged_into``, the merge's own records and ``settings.CUSTOMER_MERGE_KEEP_RELATIONS``."""
    keep = set(getattr(settings, "CUSTOMER_MERGE_KEEP_RELATIONS", ()))
    found = []
    for reverse in Customer._meta.get_fields(include_hidden=True):
        if not (
            reverse.auto_created and not reverse.concrete and (reverse.one_to_many or reverse.one_to_one)
        ):
            continue
        relation = Relation(reverse.related_model, reverse.field)
        if relation.model in _OWN_MODELS or relation.label in keep:
            continue
        if relation.model is Customer and relation.field.name == "merged_into":
            continue
        found.append(relation)
    return sorted(found, key=lambda r: r.label)


def relation_by_label(label: str) -> Relation:
    app_label, model_name, field_name = label.split(".")
    model = apps.get_model(app_label, model_name)
    return Relation(model, model._meta.get_field(field_name))


def count_rows(customer: Customer) -> list[tuple[Relation, int]]:
    """(relation, rows pointing at ``customer``) for every relation with at least one row."""
    counted = [(relation, relation.rows(customer).count()) for relation in customer_relations()]
    return [(relation, count) for relation, count in counted if count]


def move_rows(*, source: Customer, target: Customer) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Re-point every row from ``source`` to ``target``; returns (moved, kept) ids by relation label.

    A one-to-one row stays with ``source`` when ``target`` already has one (two cannot point at one
    customer). Runs inside the caller's transaction with both customers locked, so no row can be
    added between listing the ids and moving them. A database refusal (a unique constraint on the
    moved rows) becomes a ``ValidationError`` naming the records; the caller's transaction rolls back.
    """
    moved: dict[str, list[int]] = {}
    kept: dict[str, list[int]] = {}
    for relation in customer_relations():
        ids = list(relation.rows(source).order_by("pk").values_list("pk", flat=True))
        if not ids:
            continue
        if relation.unique and relation.rows(target).exists():
            kept[relation.label] = ids
            continue
        _update(relation, ids, target)
        moved[relation.label] = ids
    return moved, kept


def move_back(*, moved: dict[str, list[int]], source: Customer, target: Customer) -> dict[str, list[int]]:
    """Undo ``move_rows``: rows in ``moved`` that still point at ``source`` go back to ``target``.

    Returns the ids that could not go back because they point elsewhere now (re-assigned since).
    """
    missing: dict[str, list[int]] = {}
    for label, ids in moved.items():
        relation = relation_by_label(label)
        still = list(relation.rows(source).filter(pk__in=ids).values_list("pk", flat=True))
        if len(still) != len(ids):
            missing[label] = sorted(set(ids) - set(still))
        if still:
            _update(relation, still, target)
    return missing


def changed_since(*, moved: dict[str, list[int]], when) -> list[tuple[Relation, int]]:
    """(relation, count) of moved rows edited after ``when`` (models with an ``updated_at`` field).

    Moving does not touch ``updated_at``, so an edit after the merge (a payment applied to a moved
    charge, say) shows here; undoing would split records that now depend on each other.
    """
    found = []
    for label, ids in moved.items():
        relation = relation_by_label(label)
        if not any(f.name == "updated_at" for f in relation.model._meta.concrete_fields):
            continue
        count = relation.model._base_manager.filter(pk__in=ids, updated_at__gt=when).count()
        if count:
            found.append((relation, count))
    return found


def _update(relation: Relation, ids: list[int], target: Customer) -> None:
    # One UPDATE per relation rather than a save() per row: the merge's single outbox entry lists
    # every moved id for the sync engine, so per-row change tracking would only repeat it.
    try:
        with transaction.atomic():
            for start in range(0, len(ids), 500):
                relation.model._base_manager.filter(pk__in=ids[start : start + 500]).update(
                    **{relation.field.name: target}
                )
    except IntegrityError as error:
        raise ValidationError(
            f"The {relation.title} of these customers could not be combined ({error}). Nothing was changed."
        ) from error
