from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bridgeway.accounts"
    verbose_name = "Organisations and accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from bridgeway.accounts.session_limits import session_limits_start

        user_logged_in.connect(session_limits_start, dispatch_uid="bridgeway.session_limits")
