from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "bridgeway.directory"
    verbose_name = "Directory of services"

    def ready(self) -> None:
        """Stamp every ORM write of a listing, so matching indexes in every process see it."""
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from bridgeway.accounts.models import Organisation
        from bridgeway.directory import stamps
        from bridgeway.directory.models import CostOption, Service

        post_save.connect(stamps.on_service_saved, sender=Service, dispatch_uid="directory-stamp")
        post_delete.connect(
            stamps.on_service_deleted, sender=Service, dispatch_uid="directory-stamp"
        )
        for relation in stamps.MATCHED_RELATIONS:
            through = getattr(Service, relation).through
            m2m_changed.connect(
                stamps.on_relation_changed, sender=through, dispatch_uid=f"directory-{relation}"
            )
        # Matching reads whether a listing is free from its cost options.
        post_save.connect(
            stamps.on_cost_option_changed, sender=CostOption, dispatch_uid="directory-cost"
        )
        post_delete.connect(
            stamps.on_cost_option_changed, sender=CostOption, dispatch_uid="directory-cost"
        )
        # An organisation's name shows on its listings' pages and feed records.
        post_save.connect(
            stamps.on_organisation_saved, sender=Organisation, dispatch_uid="directory-organisation"
        )
