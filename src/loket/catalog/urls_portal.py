"""Portal pages of the catalogue (mounted under /diensten/)."""

from django.urls import URLPattern, URLResolver, path

from loket.catalog.views import portal

app_name = "catalog"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", portal.index, name="index"),
    path("cpsv-ap.jsonld", portal.catalog_jsonld, name="jsonld"),
    path("levensgebeurtenis/<slug:slug>/", portal.life_event, name="life-event"),
    path("<slug:slug>/", portal.service_detail, name="service"),
    path("<slug:slug>/cpsv-ap.jsonld", portal.service_jsonld, name="service-jsonld"),
]
