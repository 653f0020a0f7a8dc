"""Admin pages over records the system writes (logs, audits, runs, conflicts, connections).

Such a row is the record of what happened: nobody adds, edits or deletes it through the admin.
What people may do with one (retry, resolve, cancel, disconnect) is an action with its own
permission, declared by the page that offers it.
"""

from __future__ import annotations


class SystemRecordAdminMixin:
    """Viewable by whoever has the view permission; never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
