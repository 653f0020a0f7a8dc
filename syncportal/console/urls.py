"""The console's own admin pages (under /admin/console/, behind the admin login)."""

from django.contrib import admin
from django.urls import path

from syncportal.console import views

app_name = "console"


def _admin(view):
    return admin.site.admin_view(view)


urlpatterns = [
    path("reconciliation/", _admin(views.reconciliation_report), name="reconciliation"),
    path("reconciliation/start/", _admin(views.reconciliation_start), name="reconciliation_start"),
    path("reconciliation/row/<int:row_id>/fix/", _admin(views.reconciliation_fix), name="reconciliation_fix"),
    path(
        "reconciliation/<int:run_id>/export.<str:fmt>",
        _admin(views.reconciliation_export),
        name="reconciliation_export",
    ),
]
