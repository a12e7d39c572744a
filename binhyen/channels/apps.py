from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "binhyen.channels"
    label = "channels"
    verbose_name = _("Kênh tiếp nhận")

    def ready(self) -> None:
        from binhyen.channels import inbox, tasks
        from binhyen.channels.models import Provider
        from binhyen.channels.zalo import handlers, outbound, tokens
        from binhyen.core.worker import (
            register_loop_job,
            register_orphan_handler,
            register_periodic,
        )

        inbox.register_handler(Provider.ZALO, handlers.handle, handlers.prepare)
        register_loop_job("channels.inbox", inbox.process_pending)
        register_periodic("channels.sweep", tasks.sweep)
        register_orphan_handler(outbound.DELIVER, tasks.delivery_orphaned)
        register_periodic("channels.retention", inbox.events_redact_expired)
        register_periodic("zalo.refresh_tokens", tokens.refresh_expiring)
