"""Back-office pages of documents (mounted under /backoffice/documenten/)."""

from django.urls import path

from loket.documents import views_backoffice as views

app_name = "documents_staff"
urlpatterns = [
    path("", views.index, name="index"),
    path("uitgeven/", views.issue, name="issue"),
    path("<int:document_id>/", views.detail, name="detail"),
    path("<int:document_id>/pdf/", views.download, name="download"),
    path("<int:document_id>/intrekken/", views.revoke, name="revoke"),
    path("<int:document_id>/opnieuw/", views.reissue, name="reissue"),
    path("sjablonen/", views.template_list, name="templates"),
    path("sjablonen/<slug:key>/<str:language>/", views.template_edit, name="template-edit"),
    path(
        "sjablonen/<slug:key>/<str:language>/voorbeeld.pdf",
        views.template_preview_pdf,
        name="template-preview",
    ),
    path("drukwerk/", views.batches, name="batches"),
    path("drukwerk/<int:batch_id>/", views.batch, name="batch"),
    path("drukwerk/<int:batch_id>/pdf/", views.batch_pdf, name="batch-pdf"),
    path("drukwerk/<int:batch_id>/<str:step>/", views.batch_mark, name="batch-mark"),
]
