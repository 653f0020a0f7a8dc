"""The backstop schedule drains the outbox every minute, even when an on-commit wake-up was lost."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django_q.models import Schedule

from customers.services import customer_create
from integrations.tasks import drain_all

pytestmark = [pytest.mark.django_db]

migration = importlib.import_module("integrations.migrations.0004_push_schedule")


def test_migrations_install_a_one_minute_drain_schedule():
    schedule = Schedule.objects.get(func="integrations.tasks.drain_all")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)


def test_installing_the_schedule_again_keeps_one_and_an_operators_tuning():
    Schedule.objects.filter(func="integrations.tasks.drain_all").update(minutes=2)

    migration.add_schedule(apps, None)

    [schedule] = Schedule.objects.filter(func="integrations.tasks.drain_all")
    assert schedule.minutes == 2


@pytest.mark.sandbox
def test_the_scheduled_task_pushes_a_change_whose_wake_up_was_lost(connection, qbo):
    customer_create(display_name="Lost Wake Up")  # its on-commit task is never run by a worker here

    drain_all()

    found = qbo.query("SELECT * FROM Customer WHERE DisplayName = 'Lost Wake Up'").get("Customer", [])
    assert len(found) == 1
