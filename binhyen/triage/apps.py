from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "binhyen.triage"
    label = "triage"
    verbose_name = _("Phân tích tin tự động")
    # Joins the path of a case through `cases.services.lifecycle.REACTIONS` (reactions.py).
