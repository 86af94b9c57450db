"""Back-office pages of cases (mounted under /backoffice/dossiers/)."""

from django.urls import URLPattern, URLResolver, path  # noqa: F401

app_name = "cases_staff"
urlpatterns: list[URLPattern | URLResolver] = []
