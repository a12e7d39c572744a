from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "binhyen.monitoring"
    label = "monitoring"
    verbose_name = _("Theo dõi, đánh giá đơn vị")

    def ready(self) -> None:
        from binhyen.core.worker import register_periodic
        from binhyen.monitoring import reports

        register_periodic("monitoring.weekly_reports", reports.weekly_reports_due)
