"""Factories for the mapping configuration and for people in each role.

Configuration rows are written directly (test set-up); tests of the services call the services.
"""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from integrations.mapping.choices import Applies, ConflictPolicy, Direction, Entity, MatchKind
from integrations.models.mapping import FieldMapping, MatchRule, SyncSettings


class FieldMappingFactory(DjangoModelFactory):
    class Meta:
        model = FieldMapping
        django_get_or_create = ("entity", "local_field", "qbo_path")

    entity = Entity.CUSTOMER
    local_field = "notes"
    qbo_path = "Notes"
    direction = Direction.BOTH
    conflict_policy = ConflictPolicy.NEWEST_WINS
    transform = "none"
    transform_args = factory.LazyFunction(dict)


class MatchRuleFactory(DjangoModelFactory):
    class Meta:
        model = MatchRule

    position = factory.Sequence(lambda n: 100 + n)
    kind = MatchKind.EMAIL
    applies = Applies.BOTH
    enabled = True


class SyncSettingsFactory(DjangoModelFactory):
    class Meta:
        model = SyncSettings
        django_get_or_create = ("realm_id",)

    realm_id = factory.Sequence(lambda n: f"93414500{n:08d}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password("pw")


def user_in_role(role: str, **kwargs):
    """A staff user in one of the role groups (Staff, Bookkeeper, Manager) the migrations create."""
    user = UserFactory(username=kwargs.pop("username", role.lower()), **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user
