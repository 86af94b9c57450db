"""Back-office pages of the catalogue (mounted under /backoffice/diensten/)."""

from django.urls import URLPattern, URLResolver, path  # noqa: F401

app_name = "catalog_staff"
urlpatterns: list[URLPattern | URLResolver] = []
