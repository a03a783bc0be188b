from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "bridgeway.insight"
