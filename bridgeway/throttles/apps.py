from django.apps import AppConfig


class ThrottlesConfig(AppConfig):
    name = "bridgeway.throttles"
    verbose_name = "Throttles"
