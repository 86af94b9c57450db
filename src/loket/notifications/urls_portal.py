"""Portal pages of notifications: inbox, preferences (mounted under /mijn-berichten/)."""

from django.urls import URLPattern, URLResolver, path  # noqa: F401

app_name = "inbox"
urlpatterns: list[URLPattern | URLResolver] = []
