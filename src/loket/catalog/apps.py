from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "loket.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        # The catalogue is public content: the home page and the catalogue keep their
        # rendered lists until a service, life event, target group, form or fee changes.
        from loket.catalog.models import Fee, FormDefinition, LifeEvent, Service, TargetGroup
        from loket.core.services import public_content_watch

        public_content_watch((LifeEvent, TargetGroup, Service, FormDefinition, Fee), "catalog")
