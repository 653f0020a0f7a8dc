"""Trigram indexes for the sales list's search (PostgreSQL only; a no-op on SQLite)."""

from django.db import migrations

from syncportal.trigram import TrigramIndexes


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]

    operations = [TrigramIndexes("sales_sale", ["number", "customer_po", "memo"])]
