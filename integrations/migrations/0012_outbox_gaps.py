from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0011_customer_type_mapping"),
    ]

    operations = [
        migrations.AddField(
            model_name="qboconnection",
            name="outbox_gaps",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
    ]
