from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "binhyen.knowledge"
    label = "knowledge"
    verbose_name = _("Thủ tục hành chính")
    # Joins the path of a case through `cases.services.lifecycle.REACTIONS` (reactions.py).
