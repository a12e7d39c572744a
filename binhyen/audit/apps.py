from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "binhyen.audit"
    label = "audit"
    verbose_name = _("Nhật ký kiểm toán")

    def ready(self) -> None:
        # Signals are acceptable here, unlike in business logic: this is an audit *tap*
        # that must see sign-ins and permission changes wherever they happen (Django's
        # login view, the admin, createsuperuser, services) without those code paths
        # knowing about it. Use-case services still call audit_record explicitly.
        from django.db.models.signals import post_migrate

        from binhyen.audit import services, taps
        from binhyen.core.worker import register_periodic

        taps.connect()
        # An upgraded log is sealed (its unkeyed part closed by a keyed entry) at migrate.
        post_migrate.connect(services.seal_after_migrate, sender=self)
        register_periodic("audit.anchor", services.audit_anchor_daily)
