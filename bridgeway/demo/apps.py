from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "bridgeway.demo"
    verbose_name = "Demonstration data"
