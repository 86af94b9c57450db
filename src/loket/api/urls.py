"""The REST API, mounted at /api/."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from loket.api import views

app_name = "api"
urlpatterns = [
    path("oauth/token", views.TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("v1/organisations/", views.OrganisationList.as_view(), name="organisation-list"),
    path(
        "v1/organisations/<slug:slug>/",
        views.OrganisationDetail.as_view(),
        name="organisation-detail",
    ),
    path("v1/departments/", views.DepartmentList.as_view(), name="department-list"),
    path("v1/departments/<int:pk>/", views.DepartmentDetail.as_view(), name="department-detail"),
    path("v1/services/", views.ServiceList.as_view(), name="service-list"),
    path("v1/services/<slug:slug>/", views.ServiceDetail.as_view(), name="service-detail"),
    path("v1/cases/", views.CaseList.as_view(), name="case-list"),
    path("v1/cases/<str:reference>/", views.CaseDetail.as_view(), name="case-detail"),
    path(
        "v1/cases/<str:reference>/documents/",
        views.CaseDocumentList.as_view(),
        name="case-documents",
    ),
    path(
        "v1/cases/<str:reference>/documents/<int:document_id>/pdf",
        views.CaseDocumentPdf.as_view(),
        name="case-document-pdf",
    ),
    path("v1/cases/<str:reference>/orders/", views.CaseOrderList.as_view(), name="case-orders"),
    path("v1/orders/<int:order_id>/", views.OrderDetail.as_view(), name="order-detail"),
    path(
        "v1/orders/<int:order_id>/payment-link",
        views.OrderPaymentLink.as_view(),
        name="order-payment-link",
    ),
    path("v1/documents/<int:document_id>/", views.DocumentDetail.as_view(), name="document-detail"),
    path("v1/documents/<int:document_id>/pdf", views.DocumentPdf.as_view(), name="document-pdf"),
    path(
        "v1/verification/<str:code>/",
        views.DocumentVerification.as_view(),
        name="document-verification",
    ),
    path("v1/people/", views.PersonList.as_view(), name="person-list"),
    path("v1/people/lookup", views.PersonLookup.as_view(), name="person-lookup"),
    path("v1/people/<int:person_id>/", views.PersonDetail.as_view(), name="person-detail"),
    path("v1/people/<int:person_id>/cases/", views.PersonCaseList.as_view(), name="person-cases"),
    path(
        "v1/people/<int:person_id>/documents/",
        views.PersonDocumentList.as_view(),
        name="person-documents",
    ),
    path(
        "v1/people/<int:person_id>/orders/", views.PersonOrderList.as_view(), name="person-orders"
    ),
    # Any other address under /api/ (newlines included): a problem, not an HTML page.
    re_path(r"^[\s\S]*$", views.NotFoundView.as_view(), name="not-found"),
]
