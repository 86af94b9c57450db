"""Portal pages of cases: requests, Mijn dossiers, reports (mounted at the site root)."""

from django.urls import URLPattern, URLResolver, path  # noqa: F401

app_name = "cases"
urlpatterns: list[URLPattern | URLResolver] = []
