"""Portal and public pages of documents (mounted at the site root)."""

from django.urls import path

from loket.documents import views_portal as views

app_name = "documents"
urlpatterns = [
    path("mijn-documenten/", views.my_documents, name="mine"),
    path("mijn-documenten/aanvragen/", views.request_document, name="request"),
    path("mijn-documenten/<str:code>/", views.download, name="download"),
    path("verificatie/", views.verify, name="verify"),
    path("verificatie/<str:code>/", views.verify_code, name="verify-code"),
]
