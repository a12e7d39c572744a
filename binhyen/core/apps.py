from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "binhyen.core"
    label = "core"
    verbose_name = "BinhYen"
