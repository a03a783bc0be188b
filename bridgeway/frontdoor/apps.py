from django.apps import AppConfig


class FrontdoorConfig(AppConfig):
    name = "bridgeway.frontdoor"
