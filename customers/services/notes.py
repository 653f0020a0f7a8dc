"""Dated notes staff keep on a customer. Local only: QuickBooks has one Notes field, which is
``Customer.notes`` (changed through ``customer_update``), so adding a note writes no outbox row."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from customers.models import Customer, CustomerNote


def customer_note_add(
    *, customer: Customer, body: str, actor: AbstractBaseUser | None = None
) -> CustomerNote:
    """Add a note to ``customer``, signed by ``actor``. Raises ``ValidationError`` for an empty note."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write something in the note before saving it."})
    note = CustomerNote(customer=customer, body=body, author=actor if getattr(actor, "pk", None) else None)
    note.full_clean()
    with transaction.atomic():
        note.save(force_insert=True)
    return note
