"""The backstop schedule: every minute, drain whatever is left in the outbox.

A change normally goes out through the on-commit wake-up; if that task is lost (a worker killed, the
broker restarted), this picks the change up within a minute. Idempotent: an existing schedule for the
same function (say, one an operator already tuned) is kept as it is.
"""

from django.db import migrations

FUNC = "integrations.tasks.drain_all"
NAME = "QuickBooks push backstop (drain the outbox)"


def add_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    if not Schedule.objects.filter(func=FUNC).exists():
        Schedule.objects.create(name=NAME, func=FUNC, schedule_type="I", minutes=1, repeats=-1)


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC, name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0003_default_mapping"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
