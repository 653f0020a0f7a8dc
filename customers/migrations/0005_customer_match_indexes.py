from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_console")]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["mobile"], name="customer_mobile"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["company_name"], name="customer_company_name"),
        ),
    ]
