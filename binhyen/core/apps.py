from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "binhyen.core"
    label = "core"
    verbose_name = "BinhYen"

    def ready(self) -> None:
        from binhyen.core import checks  # noqa: F401 (registers the system checks)
        from binhyen.core.worker import register_periodic, tasks_orphaned_requeue

        register_periodic("worker.orphaned_tasks", tasks_orphaned_requeue)
