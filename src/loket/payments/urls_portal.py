"""The resident's payment pages under ``/betalen/`` and the providers' webhook."""

from django.urls import path

from loket.payments import views_portal

app_name = "payments"
urlpatterns = [
    path("mijn-betalingen/", views_portal.my_payments, name="mine"),
    path("bestelling/<str:reference>/", views_portal.order_detail, name="order"),
    path("bestelling/<str:reference>/betalen/", views_portal.order_pay, name="order_pay"),
    path(
        "bestelling/<str:reference>/ontvangstbewijs.pdf",
        views_portal.order_receipt,
        name="receipt",
    ),
    path("terug/<int:payment_id>/", views_portal.payment_return, name="return"),
    path("webhook/<str:provider>/", views_portal.webhook, name="webhook"),
    path("<str:token>/", views_portal.link_detail, name="link"),
    path("<str:token>/betalen/", views_portal.link_pay, name="link_pay"),
]
