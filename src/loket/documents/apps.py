from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "loket.documents"
    label = "documents"
    verbose_name = "Documents"
