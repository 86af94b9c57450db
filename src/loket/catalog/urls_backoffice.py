"""Back-office pages of the catalogue (mounted under /backoffice/diensten/)."""

from django.urls import URLPattern, URLResolver, path

from loket.catalog.views import backoffice as views

app_name = "catalog_staff"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.service_list, name="list"),
    path("nieuw/", views.service_create, name="create"),
    path("import/", views.catalog_import, name="import"),
    path("<int:service_id>/", views.service_edit, name="edit"),
    path("<int:service_id>/formulier/", views.form_builder, name="form"),
    path("<int:service_id>/formulier/actie/", views.form_action, name="form-action"),
    path("<int:service_id>/formulier/voorbeeld/", views.form_preview, name="preview"),
    path("<int:service_id>/formulier/stap/nieuw/", views.step_edit, name="step-add"),
    path("<int:service_id>/formulier/stap/<slug:step_key>/", views.step_edit, name="step-edit"),
    path(
        "<int:service_id>/formulier/stap/<slug:step_key>/vraag/nieuw/",
        views.field_edit,
        name="field-add",
    ),
    path(
        "<int:service_id>/formulier/stap/<slug:step_key>/vraag/<slug:field_key>/",
        views.field_edit,
        name="field-edit",
    ),
]
