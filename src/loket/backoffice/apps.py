from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "loket.backoffice"
    label = "backoffice"
    verbose_name = "Back office"
