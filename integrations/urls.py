"""Public endpoints of the QuickBooks integration (the webhook receiver arrives with pull sync)."""

app_name = "integrations"
urlpatterns: list = []
