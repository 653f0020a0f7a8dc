"""URL map: the admin is the product; integrations adds the QBO webhook and OAuth callback."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "SyncPortal"
admin.site.site_title = "SyncPortal"
admin.site.index_title = "Store accounts and QuickBooks sync"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("integrations/", include("integrations.urls")),
    path("admin/console/", include("syncportal.console.urls")),
    path("admin/", admin.site.urls),
]
