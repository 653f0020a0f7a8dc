from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        # The duplicate review admin and the settings checks register themselves on import.
        from customers import admin_dedupe  # noqa: F401
        from customers.matching import checks  # noqa: F401
