from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "binhyen.triage"
    label = "triage"
    verbose_name = _("Phân tích tin tự động")

    def ready(self) -> None:
        from binhyen.cases.services import register_after_classify, register_after_receive
        from binhyen.triage.hooks import after_classify, after_receive

        register_after_receive(after_receive)
        register_after_classify(after_classify)
