"""Public endpoints of the QuickBooks integration: the webhook receiver."""

from django.urls import path

from integrations.webhooks.views import qbo_webhook

app_name = "integrations"
urlpatterns = [
    path("webhooks/qbo/", qbo_webhook, name="qbo_webhook"),
]
