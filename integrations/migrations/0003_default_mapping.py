"""Ship the default configuration: QuickBooks' standard fields, the default match rules, default settings.

Also grants the roles their permissions on the configuration models: the roles' post-migrate hook
runs before this app's permissions exist on a fresh database.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def add_defaults(apps, schema_editor):
    from integrations.mapping.defaults import DEFAULT_MAPPINGS, DEFAULT_MATCH_RULES

    FieldMapping = apps.get_model("integrations", "FieldMapping")
    MatchRule = apps.get_model("integrations", "MatchRule")
    SyncSettings = apps.get_model("integrations", "SyncSettings")
    for spec in DEFAULT_MAPPINGS:
        FieldMapping.objects.get_or_create(
            entity=spec.entity,
            local_field=spec.local_field,
            qbo_path=spec.qbo_path,
            defaults={
                "direction": spec.direction,
                "conflict_policy": spec.conflict_policy,
                "transform": spec.transform,
                "transform_args": dict(spec.transform_args),
            },
        )
    for rule in DEFAULT_MATCH_RULES:
        MatchRule.objects.get_or_create(
            position=rule.position,
            defaults={
                "kind": rule.kind,
                "threshold": rule.threshold,
                "applies": rule.applies,
                "enabled": rule.enabled,
            },
        )
    SyncSettings.objects.get_or_create(realm_id="")


def grant_roles(apps, schema_editor):
    app_config = apps.get_app_config("integrations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    from syncportal.access.roles import sync_roles

    sync_roles(apps)


def remove_defaults(apps, schema_editor):
    for name in ("FieldMapping", "MatchRule", "SyncSettings"):
        apps.get_model("integrations", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0002_mapping"),
        ("access", "0001_roles"),
    ]

    operations = [
        migrations.RunPython(add_defaults, remove_defaults),
        migrations.RunPython(grant_roles, migrations.RunPython.noop),
    ]
