"""Event types and delivery states of webhooks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    CASE_CREATED = "be.loket.case.created", _("Case created")
    CASE_STATUS_CHANGED = "be.loket.case.status_changed", _("Case status changed")
    DOCUMENT_ISSUED = "be.loket.document.issued", _("Document issued")
    DOCUMENT_REVOKED = "be.loket.document.revoked", _("Document revoked")
    PAYMENT_RECEIVED = "be.loket.payment.received", _("Order fully paid")
    PAYMENT_REFUNDED = "be.loket.payment.refunded", _("Payment refunded")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Given up")


FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 4 * 3600
