from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "loket.payments"
    label = "payments"
    verbose_name = "Payments"
