"""Trigram indexes for the customer list's search (PostgreSQL only; a no-op on SQLite)."""

from django.db import migrations

from syncportal.trigram import TrigramIndexes


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_qbo_merge")]

    operations = [
        TrigramIndexes(
            "customers_customer",
            ["display_name", "company_name", "given_name", "family_name", "email", "phone"],
        ),
    ]
