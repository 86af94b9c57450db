"""Counter mode: a clerk serves a resident on their behalf (mounted under /backoffice/balie/)."""

from django.urls import URLPattern, URLResolver, path  # noqa: F401

app_name = "counter"
urlpatterns: list[URLPattern | URLResolver] = []
