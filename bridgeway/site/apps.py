from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "bridgeway.site"
