from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "loket.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # A paid order of a case moves the case on (payments never imports cases).
        from loket.cases.services import on_order_paid
        from loket.payments.services import order_paid

        order_paid.connect(on_order_paid, dispatch_uid="loket.cases.on_order_paid")
