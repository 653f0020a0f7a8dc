"""Factories for customers. They write rows directly (test set-up), never through the services,
so a test of a service starts from a known state and sees only what the service itself wrote."""

import factory
from factory.django import DjangoModelFactory

from customers.models import Customer, CustomerNote, CustomerType


class CustomerTypeFactory(DjangoModelFactory):
    class Meta:
        model = CustomerType
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Type {n}")


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    display_name = factory.Sequence(lambda n: f"Customer {n:04d}")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone = "(555) 123-4567"
    parent = None
    # Depth follows the parent, as the services keep it.
    depth = factory.LazyAttribute(lambda o: o.parent.depth + 1 if o.parent else 0)


class CustomerNoteFactory(DjangoModelFactory):
    class Meta:
        model = CustomerNote

    customer = factory.SubFactory(CustomerFactory)
    body = factory.Faker("sentence")
