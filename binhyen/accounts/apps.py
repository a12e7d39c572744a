from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "binhyen.accounts"
    label = "accounts"
    verbose_name = _("Cán bộ và quyền")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from binhyen.accounts.signals import on_signed_in

        # Django's login view (code BinhYen does not own) starts the session clocks.
        user_logged_in.connect(on_signed_in, dispatch_uid="binhyen_accounts_signed_in")
