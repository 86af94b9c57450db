"""Counter mode: a clerk serves a resident on their behalf (mounted under /backoffice/balie/)."""

from django.urls import path

from loket.accounts import views_counter

app_name = "counter"
urlpatterns = [
    path("", views_counter.home, name="home"),
    path("inwoner/<int:person_id>/", views_counter.check, name="check"),
    path("bezoek/", views_counter.visit, name="visit"),
    path("bezoek/einde/", views_counter.end, name="end"),
]
