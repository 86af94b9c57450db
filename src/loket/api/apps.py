from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "loket.api"
    label = "api"
    verbose_name = "API"
