"""Back-office pages of the API and webhooks (mounted under /backoffice/koppelingen/)."""

from django.urls import path

from loket.api import views_backoffice as views

app_name = "api_staff"
urlpatterns = [
    path("", views.client_list, name="clients"),
    path("<int:client_id>/", views.client_detail, name="client-detail"),
    path("<int:client_id>/nieuw-geheim/", views.client_new_secret, name="client-new-secret"),
    path("<int:client_id>/intrekken/", views.client_revoke, name="client-revoke"),
    path("webhooks/", views.subscription_list, name="subscriptions"),
    path(
        "webhooks/<int:subscription_id>/uitzetten/",
        views.subscription_deactivate,
        name="subscription-deactivate",
    ),
    path("webhooks/leveringen/", views.delivery_log, name="deliveries"),
    path(
        "webhooks/leveringen/<int:delivery_id>/opnieuw/",
        views.delivery_resend,
        name="delivery-resend",
    ),
]
