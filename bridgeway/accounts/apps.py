from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bridgeway.accounts"
    verbose_name = "Organisations and accounts"
