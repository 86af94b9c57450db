"""Portal pages of cases: requests, Mijn dossiers, reports (mounted at the site root)."""

from django.urls import URLPattern, URLResolver, path

from loket.cases.views import portal

app_name = "cases"
urlpatterns: list[URLPattern | URLResolver] = [
    path("mijn-dossiers/", portal.case_list, name="list"),
    path("mijn-dossiers/<str:reference>/", portal.case_detail, name="detail"),
    path("mijn-dossiers/<str:reference>/<slug:action>/", portal.case_action, name="action"),
    path("aanvragen/ingediend/<str:reference>/", portal.submitted, name="submitted"),
    path("aanvragen/<slug:slug>/", portal.request_form, name="request"),
    path("melding/", portal.report, name="report"),
    path("melding/ontvangen/", portal.report_done, name="report_done"),
    path("volg/", portal.track, name="track"),
    # Before "volg/<code>/": a tracking code never reads "dossier".
    path("volg/dossier/", portal.tracked, name="tracked"),
    path("volg/dossier/<slug:action>/", portal.tracked_action, name="tracked_action"),
    path("volg/<str:code>/", portal.track_case, name="track_case"),
    path("volg/<str:code>/<slug:action>/", portal.track_action, name="track_action"),
]
