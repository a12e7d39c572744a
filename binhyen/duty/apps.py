from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "binhyen.duty"
    label = "duty"
    verbose_name = _("Trực ban và cảnh báo")

    def ready(self) -> None:
        from binhyen.core.worker import register_periodic
        from binhyen.duty import services

        register_periodic("duty.breaches", services.breaches_alert)
        register_periodic("duty.escalate", services.alerts_escalate_due)
