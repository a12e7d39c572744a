from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "binhyen.triage"
    label = "triage"
    verbose_name = _("Phân tích tin tự động")
    # Joins the path of a case through `cases.services.lifecycle.REACTIONS` (reactions.py).

    def ready(self) -> None:
        from binhyen.core.worker import register_warm_up
        from binhyen.triage import engine

        # The worker that reads tips loads the model before it takes any.
        register_warm_up("triage.model", engine.active_triager)
