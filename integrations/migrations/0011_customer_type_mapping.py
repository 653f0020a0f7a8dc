"""The customer type → CustomerTypeRef mapping for installs made before it shipped (off, as new ones)."""

from django.db import migrations


def add_customer_type_mapping(apps, schema_editor):
    FieldMapping = apps.get_model("integrations", "FieldMapping")
    for entity in ("customer", "sub_customer"):
        FieldMapping.objects.get_or_create(
            entity=entity,
            local_field="customer_type",
            qbo_path="CustomerTypeRef.name",
            defaults={"direction": "off", "conflict_policy": "newest_wins", "transform": "none"},
        )


class Migration(migrations.Migration):
    dependencies = [("integrations", "0010_bulk_runs")]

    operations = [migrations.RunPython(add_customer_type_mapping, migrations.RunPython.noop)]
