from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "loket.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from loket.api import schema  # noqa: F401  (registers the OpenAPI extensions)
