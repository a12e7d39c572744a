from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The top layer: the Đắk Lắk demo world and the pilot's scenario, built through services."""

    name = "binhyen.demo"
    label = "demo"
    verbose_name = "Demo"
