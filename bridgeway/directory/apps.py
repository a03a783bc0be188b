from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "bridgeway.directory"
    verbose_name = "Directory of services"
