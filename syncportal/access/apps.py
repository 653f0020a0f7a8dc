from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "syncportal.access"
    label = "access"
    verbose_name = "Roles"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from syncportal.access.roles import sync_roles_after_migrate

        # Models added by later migrations get their permissions granted to the roles too.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="syncportal.access.sync_roles")
