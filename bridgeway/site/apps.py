from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SiteConfig(AppConfig):
    name = "bridgeway.site"

    def ready(self) -> None:
        from bridgeway.site.database_roles import grant_after_migrate

        # Sent for each app after all migrations ran; this app's signal is enough.
        post_migrate.connect(grant_after_migrate, sender=self)
