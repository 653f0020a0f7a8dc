"""Admin for customers, customer types and notes (each module registers its ModelAdmins)."""

from customers.admin import catalog, customer

__all__ = ["catalog", "customer"]
