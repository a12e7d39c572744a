from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "binhyen.live"
    label = "live"
    verbose_name = "Cảnh báo trực tiếp"
