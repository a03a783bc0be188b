from django.apps import AppConfig


class EqualityConfig(AppConfig):
    name = "bridgeway.equality"
    verbose_name = "Equality classifications"
