from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    """The operator console: dashboard, reconciliation report, customer timeline (UI only, no models)."""

    name = "syncportal.console"
    label = "console"
    verbose_name = "Operator console"
