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

        # The case pages keep the transitions they show; a change to the workflow
        # configuration (the configuration screens, the demo seed) has them read again.
        from django.db.models.signals import post_delete, post_save

        from loket.cases.models import CaseType, Status, Transition
        from loket.cases.workflow import workflow_changed

        for model in (CaseType, Status, Transition):
            for name, signal in (("saved", post_save), ("deleted", post_delete)):
                signal.connect(
                    workflow_changed,
                    sender=model,
                    dispatch_uid=f"loket.cases.workflow_changed.{model.__name__}.{name}",
                )
