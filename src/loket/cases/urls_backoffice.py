"""Back-office pages of cases (mounted under /backoffice/dossiers/)."""

from django.urls import URLPattern, URLResolver, path

from loket.cases.views import backoffice

app_name = "cases_staff"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", backoffice.queue, name="queue"),
    path("toewijzen/", backoffice.bulk_assign, name="bulk_assign"),
    path("registreren/", backoffice.file_request, name="file"),
    path("advies/<int:advice_id>/", backoffice.advice_answer, name="advice_answer"),
    path("<str:reference>/", backoffice.case_page, name="detail"),
    path("<str:reference>/<slug:action>/", backoffice.case_action, name="action"),
]
