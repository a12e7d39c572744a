from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TipsConfig(AppConfig):
    name = "binhyen.tips"
    label = "tips"
    verbose_name = _("Tin báo qua web")

    def ready(self) -> None:
        from binhyen.core.worker import register_periodic
        from binhyen.tips import services, throttle

        # Same housekeeping as `binhyen tips sweep`, without needing a cron entry.
        register_periodic("tips.counters", throttle.purge_expired)
        register_periodic("tips.purge", services.tips_purge)
        register_periodic("tips.held_orphans", services.held_orphans_sweep)
