from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "bridgeway.casework"
    verbose_name = "Casework"

    def ready(self) -> None:
        from bridgeway.casework import receivers

        receivers.connect()
