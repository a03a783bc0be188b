from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "bridgeway.casework"
    verbose_name = "Casework"
