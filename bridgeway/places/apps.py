from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "bridgeway.places"
    verbose_name = "Places and population"
