"""Back-office pages of payments (mounted under /backoffice/betalingen/)."""

from django.urls import path

from loket.payments import views_backoffice as views

app_name = "payments_staff"
urlpatterns = [
    path("", views.orders, name="orders"),
    path("<int:order_id>/", views.order, name="order"),
    path("<int:order_id>/balie/", views.order_counter, name="order-counter"),
    path("<int:order_id>/betaallink/", views.order_link, name="order-link"),
    path("<int:order_id>/terugbetalen/", views.order_refund, name="order-refund"),
    path(
        "<int:order_id>/terugbetalingen/<int:refund_id>/uitbetaald/",
        views.refund_done,
        name="refund-done",
    ),
    path("<int:order_id>/annuleren/", views.order_cancel, name="order-cancel"),
    path("rekeninguittreksels/", views.statement_upload, name="statements"),
    path("niet-gekoppeld/", views.unmatched, name="unmatched"),
    path(
        "niet-gekoppeld/<int:transaction_id>/koppelen/",
        views.transaction_assign,
        name="transaction-assign",
    ),
    path(
        "niet-gekoppeld/<int:transaction_id>/negeren/",
        views.transaction_ignore,
        name="transaction-ignore",
    ),
    path("dagrapport/", views.report, name="report"),
    path("export/", views.export, name="export"),
]
