from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "syncportal.outbox"
    label = "outbox"
    verbose_name = "Change outbox"
