"""Users in each role; helpers to read the outbox and to post admin forms with inline formsets."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from syncportal.access.roles import BOOKKEEPER, MANAGER, STAFF
from syncportal.outbox.models import OutboxEntry


def _user(username: str, role: str) -> User:
    user = User.objects.create_user(username=username, password="pw-for-tests", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def staff(db) -> User:
    return _user("staff", STAFF)


@pytest.fixture
def bookkeeper(db) -> User:
    return _user("bookkeeper", BOOKKEEPER)


@pytest.fixture
def manager(db) -> User:
    return _user("manager", MANAGER)


def outbox(*, entity: str | None = None) -> list[tuple[str, int, str]]:
    """Outbox rows in the order the sync engine reads them (by id)."""
    rows = OutboxEntry.objects.order_by("id")
    if entity:
        rows = rows.filter(entity=entity)
    return list(rows.values_list("entity", "object_id", "operation"))


def url(model, view, *args):
    return reverse(f"admin:sales_{model._meta.model_name}_{view}", args=args)


def formset(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def errors(response) -> str:
    """The form and formset errors of a re-displayed admin form, for a failing assertion's message."""
    context = response.context
    return str(
        [
            context["adminform"].form.errors,
            *[(f.formset.errors, f.formset.non_form_errors()) for f in context["inline_admin_formsets"]],
        ]
    )
