from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "loket.core"
    label = "core"
    verbose_name = "Kernel"

    def ready(self) -> None:
        from loket.core import checks  # noqa: F401  (registers Loket's system checks)
        from loket.core.models import Department, OpeningHours, Organisation
        from loket.core.services import public_content_watch

        public_content_watch((Organisation, OpeningHours, Department), "core")
