"""Writes of the payments module (orders, payments, refunds, bank transfers).

Other modules call only these (and ``selectors``). ``order_paid`` is sent (on commit)
when an order becomes fully paid, with ``order=OrderSummary``; cases listens to it to
move a case on (payments sits below cases and never imports it, ADR 0017).

Every write locks the order (``select_for_update``) before anything else, and the
order's totals and status are derived in one place (``_order_recompute``) from its
payments and refunds, so no path can leave them inconsistent. Calls to the provider
happen outside a transaction that holds locks; their result is applied afterwards.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.be import ogm_vcs

from loket.core.constants import AuditAction, Permission
from loket.core.selectors import department_list, organisation_primary
from loket.core.services import DomainError, audit_record
from loket.notifications.services import notify_after_commit
from loket.payments import permissions
from loket.payments.constants import (
    EXPIRE_AFTER_HOURS,
    FINAL_PAYMENT_STATES,
    LINK_TOKEN_BYTES,
    MAX_REMINDERS,
    POLL_AFTER_MINUTES,
    REMINDER_INTERVAL_DAYS,
    WEBHOOK_MAX_BYTES,
    EventOutcome,
    OrderFlag,
    OrderStatus,
    PaymentMethod,
    PaymentState,
    ProviderName,
    RefundState,
    TransactionMatch,
)
from loket.payments.models import (
    BankTransaction,
    Order,
    OrderLine,
    Payment,
    ProviderEvent,
    ReferenceCounter,
    Refund,
)
from loket.payments.providers import ProviderUnavailable, WebhookRejected, provider_get
from loket.payments.types import (
    CheckoutRequest,
    OrderLineInput,
    OrderSummary,
    ProviderPayment,
    format_euros,
)
from loket.webhooks.constants import EventType
from loket.webhooks.services import event_publish

logger = logging.getLogger(__name__)

# Sent on commit when an order is fully paid / when money went back. kwargs: order.
order_paid = Signal()
order_refunded = Signal()

EVENT_PAYMENT_RECEIVED = "payment-received"
EVENT_PAYMENT_REMINDER = "payment-reminder"


class PaymentError(DomainError):
    """A payment action that is not allowed (already paid, amount too high, …)."""


# --- Helpers -----------------------------------------------------------------------


def communication_format(digits: str) -> str:
    """``123456789012`` → ``+++123/4567/89012+++`` (empty stays empty)."""
    if not digits:
        return ""
    return f"+++{ogm_vcs.format(digits)}+++"


def communication_clean(value: str) -> str | None:
    """The 12 digits of a structured communication as typed or read from a bank line
    (with or without ``+++``, slashes, spaces); ``None`` when it is not a valid one."""
    candidate = "".join(ch for ch in value if ch.isdigit())
    if len(candidate) != 12 or not ogm_vcs.is_valid(candidate):
        return None
    return candidate


def _new_communication() -> str:
    """A random, unused structured communication (10 digits and 2 check digits)."""
    for _attempt in range(20):
        base = f"{secrets.randbelow(10**10):010d}"
        if base == "0000000000":
            continue
        digits = base + ogm_vcs.calc_check_digits(base)
        if not Order.objects.filter(structured_communication=digits).exists():
            return digits
    raise PaymentError(_("No free structured communication was found. Try again."))


def _next_reference(today: date) -> str:
    """``B2026-000123``: numbered per year from a counter row held locked until commit."""
    year = today.year
    if not ReferenceCounter.objects.filter(year=year).exists():
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(year=year, last=0)
        except IntegrityError:
            pass  # created at the same moment by another order
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return f"B{year}-{counter.last:06d}"


def _rate(value: str) -> Decimal:
    try:
        rate = Decimal(str(value).replace(",", ".").strip() or "0")
    except InvalidOperation:
        raise PaymentError(_("A VAT rate must be a number.")) from None
    if not Decimal(0) <= rate < Decimal(100):
        raise PaymentError(_("A VAT rate must be between 0 and 100 %."))
    return rate


def vat_included(total_cents: int, rate: Decimal) -> int:
    """The VAT part of an amount with VAT included: round(total × r / (100 + r))."""
    if not rate:
        return 0
    part = Decimal(total_cents) * rate / (Decimal(100) + rate)
    return int(part.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _base_url() -> str:
    return str(getattr(settings, "LOKET_BASE_URL", "") or "").rstrip("/")


def link_token_hash(token: str) -> str:
    key = hashlib.sha256(f"loket.payments.link:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, token.strip().encode(), hashlib.sha256).hexdigest()


def summary_of(order: Order, *, with_lines: bool = False) -> OrderSummary:
    lines: tuple[OrderLineInput, ...] = ()
    if with_lines:
        lines = tuple(
            OrderLineInput(
                description=line.description,
                unit_cents=line.unit_cents,
                quantity=line.quantity,
                vat_rate=_rate_text(line.vat_rate),
            )
            for line in order.lines.all()
        )
    return OrderSummary(
        id=order.pk,
        reference=order.reference,
        description=order.description,
        status=order.status,
        status_label=str(OrderStatus(order.status).label),
        total_cents=order.total_cents,
        paid_cents=order.paid_cents,
        refunded_cents=order.refunded_cents,
        structured_communication=communication_format(order.structured_communication),
        case_id=order.case_id,
        case_reference=order.case_reference,
        person_id=order.person_id,
        due_date=order.due_date,
        created_at=order.created_at,
        paid_at=order.paid_at,
        lines=lines,
        vat_cents=order.vat_cents,
        organisation_id=order.organisation_id,
        department_id=order.department_id,
        payer_name=order.payer_name,
        service_slug=order.service_slug,
        flag=order.flag,
        communication_digits=order.structured_communication,
        cancelled_at=order.cancelled_at,
        cancel_reason=order.cancel_reason,
    )


def _rate_text(rate: Any) -> str:
    value = Decimal(rate).normalize()
    return f"{value:f}"


def _lock(order_id: int) -> Order:
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise PaymentError(_("This order does not exist (any more)."))
    return order


def _require(actor: Any, allowed: bool, permission: str) -> None:
    if actor is not None and not allowed:
        raise PermissionDenied(permission)


def _order_recompute(order: Order, *, now: datetime | None = None) -> list[str]:
    """Derive the order's totals, status and flag from its payments and refunds (the
    order's one state machine). Saves the order; sends ``order_paid`` /
    ``order_refunded`` on commit when that happened now. Returns the changed fields."""
    now = now or timezone.now()
    paid = (
        order.payments.filter(state=PaymentState.PAID).aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )
    refunded = (
        Refund.objects.filter(payment__order=order)
        .exclude(state=RefundState.FAILED)
        .aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )
    before = (order.status, order.paid_cents, order.refunded_cents, order.flag, order.paid_at)
    was_paid = order.status in {
        OrderStatus.PAID,
        OrderStatus.PARTIALLY_REFUNDED,
        OrderStatus.REFUNDED,
    }
    order.paid_cents, order.refunded_cents = paid, refunded
    net = paid - refunded
    if order.status != OrderStatus.CANCELLED:
        if refunded and net <= 0:
            order.status = OrderStatus.REFUNDED
        elif net >= order.total_cents:
            order.status = OrderStatus.PAID  # also after giving back an overpayment
        elif refunded and paid >= order.total_cents:
            order.status = OrderStatus.PARTIALLY_REFUNDED
        else:
            order.status = OrderStatus.OPEN
    if order.status != OrderStatus.OPEN and paid and order.paid_at is None:
        order.paid_at = now
    owed = 0 if order.status == OrderStatus.CANCELLED else order.total_cents
    if net > owed:
        order.flag = OrderFlag.OVERPAID
    elif order.flag == OrderFlag.OVERPAID:
        order.flag = OrderFlag.NONE
    after = (order.status, order.paid_cents, order.refunded_cents, order.flag, order.paid_at)
    names = ("status", "paid_cents", "refunded_cents", "flag", "paid_at")
    fields = [name for name, old, new in zip(names, before, after, strict=True) if old != new]
    if not fields:
        return []
    order.version = F("version") + 1
    order.save(update_fields=[*fields, "version"])
    order.refresh_from_db(fields=["version"])
    summary = summary_of(order)
    if not was_paid and order.status == OrderStatus.PAID:
        transaction.on_commit(lambda: order_paid.send(sender=Order, order=summary))
        _notify_paid(order)
        _webhook(order, EventType.PAYMENT_RECEIVED)
    if refunded > before[2]:
        transaction.on_commit(lambda: order_refunded.send(sender=Order, order=summary))
        _webhook(order, EventType.PAYMENT_REFUNDED)
    return fields


def _webhook(order: Order, event_type: str) -> None:
    """A CloudEvent for the municipality's own systems, in the transaction of the change:
    references, codes and amounts only (no payer, no resident, no description)."""
    event_publish(
        type=event_type,
        source="/api/v1/orders",
        subject=order.reference,
        data={
            "id": order.pk,
            "reference": order.reference,
            "status": order.status,
            "currency": order.currency,
            "total_cents": order.total_cents,
            "paid_cents": order.paid_cents,
            "refunded_cents": order.refunded_cents,
            "department": order.department_id,
            "case_reference": order.case_reference or None,
            "service": order.service_slug or None,
            "version": order.version,
        },
    )


def _order_context(order: Order) -> dict[str, Any]:
    return {
        "order_reference": order.reference,
        "order_description": order.description,
        "amount": format_euros(order.total_cents),
        "order_url": _base_url() + reverse("payments:order", kwargs={"reference": order.reference}),
        "due_date": order.due_date.strftime("%d/%m/%Y") if order.due_date else "",
        "structured_communication": communication_format(order.structured_communication),
    }


def _notify_after_commit(order: Order, *, event: str, key: str) -> None:
    """Tell the resident after commit; a missing event or template is logged and never
    undoes the payment."""
    person_id = order.person_id
    if person_id is None:
        return
    notify_after_commit(
        person_id=person_id,
        idempotency_key=key,
        attempts=[(event, _order_context(order))],
        about=f"order {order.pk}",
    )


def _notify_paid(order: Order) -> None:
    _notify_after_commit(order, event=EVENT_PAYMENT_RECEIVED, key=f"payments:paid:{order.pk}")


# --- Orders ------------------------------------------------------------------------


@transaction.atomic
def order_create(
    *,
    lines: Sequence[OrderLineInput],
    description: str,
    actor: Any = None,
    organisation_id: int | None = None,
    department_id: int | None = None,
    person_id: int | None = None,
    payer_name: str = "",
    payer_email: str = "",
    case_id: int | None = None,
    case_reference: str = "",
    service_slug: str = "",
    due_days: int | None = None,
) -> OrderSummary:
    """An open order with a reference and a structured communication; amounts from lines.

    Prices include VAT; each line's VAT part is ``round(total × r / (100 + r))``. The
    organisation defaults to the department's, else to the primary one. The caller
    (a service of a higher module, or staff) has decided that this is owed."""
    description = description.strip()
    if not description:
        raise PaymentError(_("An order needs a description."))
    if not lines:
        raise PaymentError(_("An order needs at least one line."))
    rows: list[OrderLine] = []
    for position, line in enumerate(lines, start=1):
        if line.quantity < 1 or line.unit_cents < 0:
            raise PaymentError(_("Quantities are at least 1 and prices are not negative."))
        rate = _rate(line.vat_rate)
        total = line.unit_cents * line.quantity
        rows.append(
            OrderLine(
                position=position,
                description=line.description.strip()[:200] or description[:200],
                quantity=line.quantity,
                unit_cents=line.unit_cents,
                vat_rate=rate,
                total_cents=total,
                vat_cents=vat_included(total, rate),
            )
        )
    total_cents = sum(row.total_cents for row in rows)
    if total_cents <= 0:
        raise PaymentError(_("There is nothing to pay: the total is zero."))
    department = None
    if department_id is not None:
        department = department_list().filter(pk=department_id).first()
        if department is None:
            raise PaymentError(_("This department does not exist."))
    if organisation_id is None:
        if department is not None:
            organisation_id = department.organisation_id
        else:
            primary = organisation_primary()
            if primary is None:
                raise PaymentError(_("No organisation is set up to receive payments."))
            organisation_id = primary.pk
    now = timezone.now()
    days = settings.LOKET_PAYMENT_DUE_DAYS if due_days is None else due_days
    order = Order.objects.create(
        reference=_next_reference(timezone.localdate(now)),
        structured_communication=_new_communication(),
        description=description[:200],
        total_cents=total_cents,
        vat_cents=sum(row.vat_cents for row in rows),
        organisation_id=organisation_id,
        department=department,
        person_id=person_id,
        payer_name=payer_name.strip()[:200],
        payer_email=payer_email.strip()[:254],
        case_id=case_id,
        case_reference=case_reference[:20],
        service_slug=service_slug[:100],
        due_date=timezone.localdate(now) + timedelta(days=days),
        created_by=actor,
        created_at=now,
    )
    for row in rows:
        row.order = order
    OrderLine.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=order,
        subject_person_id=person_id,
        changes={"total_cents": total_cents, "case": case_reference, "lines": len(rows)},
    )
    return summary_of(order, with_lines=True)


@transaction.atomic
def order_cancel(*, order_id: int, actor: Any, reason: str) -> OrderSummary:
    """Cancel an order that nothing was paid on yet. Online payments still pending are
    cancelled at the provider after commit; one paid after all is still recorded (and
    flagged for a refund), never lost."""
    order = _lock(order_id)
    _require(actor, permissions.can_record(actor, order.department_id), Permission.PAYMENTS_RECORD)
    if order.status != OrderStatus.OPEN or order.paid_cents:
        raise PaymentError(_("Only an order on which nothing was paid can be cancelled."))
    reason = reason.strip()
    if not reason:
        raise PaymentError(_("Give a reason for cancelling."))
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = timezone.now()
    order.cancel_reason = reason[:200]
    order.version = F("version") + 1
    order.save(update_fields=["status", "cancelled_at", "cancel_reason", "version"])
    order.refresh_from_db(fields=["version"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=order,
        subject_person_id=order.person_id,
        reason=reason,
        changes={"status": OrderStatus.CANCELLED},
    )
    pending = list(
        order.payments.filter(method=PaymentMethod.ONLINE, state=PaymentState.PENDING)
        .exclude(provider_id="")
        .values_list("provider", "provider_id")
    )
    if pending:
        transaction.on_commit(lambda: _cancel_at_provider(pending))
    return summary_of(order)


def _cancel_at_provider(pending: list[tuple[str, str]]) -> None:
    for name, provider_id in pending:
        try:
            provider_get(name).cancel_payment(provider_id)
        except ProviderUnavailable as error:
            logger.warning("payment %s not cancelled at %s: %s", provider_id, name, error)


# --- Online payments ---------------------------------------------------------------


def _webhook_url(provider: str) -> str:
    return _base_url() + reverse("payments:webhook", kwargs={"provider": provider})


RETURN_SALT = "payments.return"


def payment_return_signature(*, payment_id: int) -> str:
    """What proves that a return-page address was made by Loket for this payment (the
    ids are sequential; the page is public, the payer comes back from the provider)."""
    return signing.Signer(salt=RETURN_SALT).signature(str(payment_id))


def payment_start(*, order_id: int, return_url: str, locale: str = "nl_BE") -> str:
    """Start an online payment with the configured provider; returns the checkout URL.

    ``return_url`` may contain ``{payment_id}``, replaced by the new payment's id (the
    portal's return page syncs that payment), and ``{signature}``, replaced by
    ``payment_return_signature`` of it. A payment of the same amount still
    pending at the provider is reused, so pressing "pay" twice never charges twice."""
    provider = provider_get()
    with transaction.atomic():
        order = _lock(order_id)
        if order.status != OrderStatus.OPEN or order.open_cents <= 0:
            raise PaymentError(_("This order is not open for payment (any more)."))
        recent = timezone.now() - timedelta(hours=1)
        existing = (
            order.payments.filter(
                method=PaymentMethod.ONLINE,
                state=PaymentState.PENDING,
                provider=provider.name,
                amount_cents=order.open_cents,
                created_at__gte=recent,
            )
            .exclude(checkout_url="")
            .order_by("-pk")
            .first()
        )
        if existing is not None:
            return existing.checkout_url
        now = timezone.now()
        if order.payments.filter(
            method=PaymentMethod.ONLINE,
            state=PaymentState.PENDING,
            checkout_url="",
            created_at__gte=now - timedelta(minutes=1),
        ).exists():  # another request is starting one right now (a double click)
            raise PaymentError(
                _("A payment for this order is being started. Wait a moment and try again.")
            )
        payment = Payment.objects.create(
            order=order,
            method=PaymentMethod.ONLINE,
            provider=provider.name,
            amount_cents=order.open_cents,
            created_at=now,
            updated_at=now,
        )
        request = CheckoutRequest(
            payment_id=payment.pk,
            order_reference=order.reference,
            amount_cents=payment.amount_cents,
            currency=order.currency,
            description=f"{order.reference} {order.description}"[:140],
            return_url=return_url.replace("{payment_id}", str(payment.pk)).replace(
                "{signature}", payment_return_signature(payment_id=payment.pk)
            ),
            webhook_url=_webhook_url(provider.name),
            locale=locale,
        )
    try:
        created = provider.create_payment(request)
    except ProviderUnavailable as error:
        Payment.objects.filter(pk=payment.pk).update(
            state=PaymentState.FAILED, note=str(error)[:200], updated_at=timezone.now()
        )
        raise
    with transaction.atomic():
        order = _lock(order_id)
        Payment.objects.filter(pk=payment.pk).update(
            provider_id=created.provider_id,
            checkout_url=created.checkout_url,
            updated_at=timezone.now(),
        )
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            object_type="payments.payment",
            object_id=str(payment.pk),
            object_label=f"{order.reference} online {payment.amount_cents}",
            subject_person_id=order.person_id,
            changes={"provider": provider.name, "amount_cents": payment.amount_cents},
        )
    return created.checkout_url


def _apply(payment_id: int, reported: ProviderPayment, *, now: datetime | None = None) -> str:
    """Apply what the provider reports about one payment (the only way an online
    payment's state changes). Returns an ``EventOutcome`` value."""
    with transaction.atomic():
        order_id = Payment.objects.filter(pk=payment_id).values_list("order_id", flat=True).first()
        if order_id is None:
            return EventOutcome.UNKNOWN_PAYMENT
        order = _lock(order_id)
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        now = now or timezone.now()
        payment.last_checked_at = now
        if reported.order_reference and reported.order_reference != order.reference:
            logger.warning(
                "payment %s: the provider holds it for another order; not applied", payment.pk
            )
            payment.save(update_fields=["last_checked_at"])
            return EventOutcome.UNKNOWN_PAYMENT
        if payment.state in FINAL_PAYMENT_STATES or reported.state == payment.state:
            if reported.state != payment.state:
                logger.info(
                    "payment %s stays %s (provider now says %s)",
                    payment.pk,
                    payment.state,
                    reported.state,
                )
            payment.save(update_fields=["last_checked_at"])
            return EventOutcome.UNCHANGED
        if reported.amount_cents != payment.amount_cents or reported.currency != order.currency:
            logger.warning(
                "payment %s: the provider reports %s %s, the order expects %s %s; not applied",
                payment.pk,
                reported.amount_cents,
                reported.currency,
                payment.amount_cents,
                order.currency,
            )
            payment.note = _("The provider reported another amount.")[:200]
            payment.save(update_fields=["last_checked_at", "note"])
            if order.flag != OrderFlag.AMOUNT_MISMATCH:
                order.flag = OrderFlag.AMOUNT_MISMATCH
                order.save(update_fields=["flag"])
                audit_record(
                    actor=None,
                    action=AuditAction.UPDATE,
                    target=order,
                    subject_person_id=order.person_id,
                    reason="amount reported by the provider differs",
                    changes={"flag": OrderFlag.AMOUNT_MISMATCH, "payment": payment.pk},
                )
            return EventOutcome.AMOUNT_MISMATCH
        old = payment.state
        payment.state = reported.state
        payment.updated_at = now
        fields = ["state", "updated_at", "last_checked_at"]
        if reported.state == PaymentState.PAID:
            payment.paid_at = reported.paid_at or now
            fields.append("paid_at")
        payment.save(update_fields=fields)
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            object_type="payments.payment",
            object_id=str(payment.pk),
            object_label=f"{order.reference} {payment.method} {payment.amount_cents}",
            subject_person_id=order.person_id,
            changes={"state": [old, payment.state]},
        )
        _order_recompute(order, now=now)
        return EventOutcome.APPLIED


def payment_sync(*, payment_id: int, now: datetime | None = None) -> OrderSummary:
    """Ask the provider for the payment's state and apply it (status polling)."""
    payment = Payment.objects.select_related("order").filter(pk=payment_id).first()
    if payment is None:
        raise PaymentError(_("This payment does not exist."))
    if (
        payment.method == PaymentMethod.ONLINE
        and payment.provider_id
        and payment.state not in FINAL_PAYMENT_STATES
    ):
        reported = provider_get(payment.provider).get_payment(payment.provider_id)
        _apply(payment.pk, reported, now=now)
    order = Order.objects.get(pk=payment.order_id)
    return summary_of(order)


def _event_log(
    *,
    provider: str,
    event_id: str,
    outcome: str,
    detail: str = "",
    provider_payment_id: str = "",
    payment_id: int | None = None,
) -> ProviderEvent | None:
    """One line in the provider event log; ``None`` when ``event_id`` is known already."""
    try:
        with transaction.atomic():
            return ProviderEvent.objects.create(
                provider=provider,
                event_id=event_id[:200],
                provider_payment_id=provider_payment_id[:100],
                payment_id=payment_id,
                received_at=timezone.now(),
                outcome=outcome,
                detail=detail[:300],
            )
    except IntegrityError:
        return None


def _unique_suffix(event_id: str, label: str) -> str:
    return f"{event_id[:150]}:{label}:{uuid.uuid4().hex[:12]}"


def webhook_receive(*, provider: str, body: bytes, headers: Mapping[str, str]) -> str:
    """Verify and apply a provider's webhook call; returns the logged outcome.

    The call only says which payment changed: its state is always fetched from the
    provider. A repeated event is logged as ``duplicate`` and ignored; a call that is
    not authentic, or about a payment Loket does not know or of another order, is
    logged and refused (the view answers 400)."""
    headers = {str(key).lower(): str(value) for key, value in headers.items()}
    names = {choice.value for choice in ProviderName}
    if provider not in names or provider != settings.LOKET_PAYMENT_PROVIDER:
        logger.warning("webhook for provider %r refused: not the configured one", provider[:20])
        if provider in names:
            _event_log(
                provider=provider,
                event_id=_unique_suffix("unconfigured", "rejected"),
                outcome=EventOutcome.REJECTED,
                detail="not the configured provider",
            )
        return EventOutcome.REJECTED
    if len(body) > WEBHOOK_MAX_BYTES:
        _event_log(
            provider=provider,
            event_id=_unique_suffix("oversized", "rejected"),
            outcome=EventOutcome.REJECTED,
            detail="body too large",
        )
        return EventOutcome.REJECTED
    try:
        adapter = provider_get(provider)
        notice = adapter.parse_webhook(body=body, headers=headers)
    except (WebhookRejected, ProviderUnavailable) as error:
        logger.warning("webhook from %s refused: %s", provider, error)
        _event_log(
            provider=provider,
            event_id=_unique_suffix(str(headers.get("webhook-id", "") or "unsigned"), "rejected"),
            outcome=EventOutcome.REJECTED,
            detail=str(error),
        )
        return EventOutcome.REJECTED
    payment = Payment.objects.filter(
        provider=provider, provider_id=notice.provider_payment_id
    ).first()
    if payment is None or not notice.provider_payment_id:
        logger.warning("webhook %s about an unknown payment, refused", notice.event_id[:60])
        _event_log(
            provider=provider,
            event_id=_unique_suffix(notice.event_id, "unknown"),
            outcome=EventOutcome.UNKNOWN_PAYMENT,
            provider_payment_id=notice.provider_payment_id,
        )
        return EventOutcome.UNKNOWN_PAYMENT
    order_reference = Order.objects.filter(pk=payment.order_id).values_list("reference", flat=True)[
        0
    ]
    if notice.order_reference and notice.order_reference != order_reference:
        logger.warning("webhook %s names another order, refused", notice.event_id[:60])
        _event_log(
            provider=provider,
            event_id=_unique_suffix(notice.event_id, "other-order"),
            outcome=EventOutcome.UNKNOWN_PAYMENT,
            detail="the call names another order than the payment's",
            provider_payment_id=notice.provider_payment_id,
            payment_id=payment.pk,
        )
        return EventOutcome.UNKNOWN_PAYMENT
    event = _event_log(
        provider=provider,
        event_id=notice.event_id,
        outcome="received",
        provider_payment_id=notice.provider_payment_id,
        payment_id=payment.pk,
    )
    if event is None:
        logger.info("webhook %s repeated, ignored", notice.event_id[:60])
        _event_log(
            provider=provider,
            event_id=_unique_suffix(notice.event_id, "duplicate"),
            outcome=EventOutcome.DUPLICATE,
            provider_payment_id=notice.provider_payment_id,
            payment_id=payment.pk,
        )
        return EventOutcome.DUPLICATE
    try:
        reported = adapter.get_payment(notice.provider_payment_id)
    except ProviderUnavailable as error:
        # Free the event id: the provider's retry of this call is not a duplicate.
        ProviderEvent.objects.filter(pk=event.pk).update(
            event_id=_unique_suffix(notice.event_id, "unavailable"),
            outcome=EventOutcome.PROVIDER_UNAVAILABLE,
            detail=str(error)[:300],
        )
        return EventOutcome.PROVIDER_UNAVAILABLE
    outcome = _apply(payment.pk, reported)
    ProviderEvent.objects.filter(pk=event.pk).update(outcome=outcome)
    return outcome


def payments_poll(*, now: datetime | None = None, limit: int = 200) -> int:
    """Status polling, for webhooks that never came: ask the provider about online
    payments pending for more than ``POLL_AFTER_MINUTES`` (each at most once per that
    interval); give up on them after ``EXPIRE_AFTER_HOURS`` (expired). Returns the
    number of payments looked at."""
    now = now or timezone.now()
    quiet = now - timedelta(minutes=POLL_AFTER_MINUTES)
    due = list(
        Payment.objects.filter(
            method=PaymentMethod.ONLINE, state=PaymentState.PENDING, created_at__lte=quiet
        )
        .filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=quiet))
        .order_by("last_checked_at", "pk")
        .values_list("pk", "created_at", "provider_id")[:limit]
    )
    for payment_id, created_at, provider_id in due:
        try:
            if provider_id:
                payment_sync(payment_id=payment_id, now=now)
        except ProviderUnavailable as error:
            logger.warning("payment %s not polled: %s", payment_id, error)
            Payment.objects.filter(pk=payment_id).update(last_checked_at=now)
        except DomainError as error:
            logger.warning("payment %s not polled: %s", payment_id, error)
        if created_at <= now - timedelta(hours=EXPIRE_AFTER_HOURS):
            _expire(payment_id, now=now)
    return len(due)


def _expire(payment_id: int, *, now: datetime) -> None:
    with transaction.atomic():
        order_id = Payment.objects.filter(pk=payment_id).values_list("order_id", flat=True)[0]
        order = _lock(order_id)
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.state != PaymentState.PENDING:
            return
        payment.state = PaymentState.EXPIRED
        payment.updated_at = now
        payment.save(update_fields=["state", "updated_at"])
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            object_type="payments.payment",
            object_id=str(payment.pk),
            object_label=f"{order.reference} online {payment.amount_cents}",
            subject_person_id=order.person_id,
            reason="no answer from the provider within 24 hours",
            changes={"state": [PaymentState.PENDING, PaymentState.EXPIRED]},
        )


# --- Counter and bank transfers ----------------------------------------------------


@transaction.atomic
def payment_record_counter(*, order_id: int, actor: Any, amount_cents: int) -> OrderSummary:
    """Staff record a payment received at the counter (card terminal or cash)."""
    order = _lock(order_id)
    if actor is None or not permissions.can_record(actor, order.department_id):
        raise PermissionDenied(Permission.PAYMENTS_RECORD)
    if order.status != OrderStatus.OPEN:
        raise PaymentError(_("This order is not open for payment (any more)."))
    if amount_cents <= 0 or amount_cents > order.open_cents:
        raise PaymentError(
            _("The amount must be more than zero and at most %(open)s.")
            % {"open": format_euros(order.open_cents)}
        )
    now = timezone.now()
    payment = Payment.objects.create(
        order=order,
        method=PaymentMethod.COUNTER,
        amount_cents=amount_cents,
        state=PaymentState.PAID,
        created_at=now,
        updated_at=now,
        paid_at=now,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=payment,
        subject_person_id=order.person_id,
        changes={"method": PaymentMethod.COUNTER, "amount_cents": amount_cents},
    )
    _order_recompute(order, now=now)
    return summary_of(order)


@transaction.atomic
def payment_record_transfer(
    *, order_id: int, transaction_id: int, actor: Any = None
) -> OrderSummary:
    """A booked bank transfer (BankTransaction) pays the order (fully or in part).

    Partial transfers add up. Money received is always recorded, also on an order that
    was paid or cancelled already: the order is then flagged ``overpaid`` for finance
    to refund. ``actor`` ``None``: the automatic matching of an imported statement."""
    order = _lock(order_id)
    _require(actor, permissions.can_record(actor, order.department_id), Permission.PAYMENTS_RECORD)
    line = BankTransaction.objects.select_for_update().filter(pk=transaction_id).first()
    if line is None:
        raise PaymentError(_("This bank transaction does not exist."))
    if line.amount_cents <= 0:
        raise PaymentError(_("Only money received can pay an order."))
    if Payment.objects.filter(bank_transaction=line).exists():
        raise PaymentError(_("This bank transaction already paid an order."))
    now = timezone.now()
    payment = Payment.objects.create(
        order=order,
        method=PaymentMethod.TRANSFER,
        amount_cents=line.amount_cents,
        state=PaymentState.PAID,
        created_at=now,
        updated_at=now,
        paid_at=now,
        bank_transaction=line,
        recorded_by=actor,
    )
    line.match = TransactionMatch.MATCHED
    line.order = order
    line.handled_by = actor
    line.handled_at = now
    line.save(update_fields=["match", "order", "handled_by", "handled_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=payment,
        subject_person_id=order.person_id,
        changes={
            "method": PaymentMethod.TRANSFER,
            "amount_cents": line.amount_cents,
            "bank_transaction": line.pk,
        },
    )
    _order_recompute(order, now=now)
    return summary_of(order)


# --- Refunds -----------------------------------------------------------------------


def refund_create(*, payment_id: int, amount_cents: int, reason: str, actor: Any) -> OrderSummary:
    """Give (part of) a paid payment back, through its provider for online payments.

    At most what was paid and not yet refunded. An online refund goes to the provider
    with an idempotency key (a retry never refunds twice); a transfer or counter
    payment gets a refund to be paid out by the finance department
    (``refund_mark_done``)."""
    reason = reason.strip()
    with transaction.atomic():
        order_id = Payment.objects.filter(pk=payment_id).values_list("order_id", flat=True).first()
        if order_id is None:
            raise PaymentError(_("This payment does not exist."))
        order = _lock(order_id)
        if actor is None or not permissions.can_manage(actor, order.department_id):
            raise PermissionDenied(Permission.PAYMENTS_MANAGE)
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.state != PaymentState.PAID:
            raise PaymentError(_("Only a paid payment can be refunded."))
        if not reason:
            raise PaymentError(_("Give a reason for the refund."))
        refundable = payment.amount_cents - payment.refunded_cents
        if amount_cents <= 0 or amount_cents > refundable:
            raise PaymentError(
                _("The refund must be more than zero and at most %(left)s.")
                % {"left": format_euros(refundable)}
            )
        now = timezone.now()
        refund = Refund.objects.create(
            payment=payment,
            amount_cents=amount_cents,
            reason=reason[:200],
            created_by=actor,
            created_at=now,
        )
        payment.refunded_cents = F("refunded_cents") + amount_cents
        payment.save(update_fields=["refunded_cents"])
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=refund,
            subject_person_id=order.person_id,
            reason=reason,
            changes={"amount_cents": amount_cents, "payment": payment.pk},
        )
        _order_recompute(order, now=now)
        online = payment.method == PaymentMethod.ONLINE and bool(payment.provider_id)
        provider_name, provider_id = payment.provider, payment.provider_id
    if not online:
        return summary_of(Order.objects.get(pk=order_id))
    try:
        answer = provider_get(provider_name).refund(
            provider_id=provider_id,
            amount_cents=amount_cents,
            reason=reason,
            idempotency_key=f"loket-refund-{refund.pk}",
        )
    except ProviderUnavailable as error:
        _refund_failed(refund.pk, str(error))
        raise
    with transaction.atomic():
        order = _lock(order_id)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        refund.provider_refund_id = answer.refund_id[:100]
        refund.state = answer.state
        fields = ["provider_refund_id", "state"]
        if answer.state == RefundState.DONE:
            refund.done_at = timezone.now()
            fields.append("done_at")
        refund.save(update_fields=fields)
        if answer.state == RefundState.FAILED:
            _refund_undo(refund, order, "the provider refused the refund")
    return summary_of(Order.objects.get(pk=order_id))


def _refund_undo(refund: Refund, order: Order, why: str) -> None:
    Payment.objects.filter(pk=refund.payment_id).update(
        refunded_cents=F("refunded_cents") - refund.amount_cents
    )
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        target=refund,
        subject_person_id=order.person_id,
        reason=why,
        changes={"state": RefundState.FAILED},
    )
    _order_recompute(order)


def _refund_failed(refund_id: int, why: str) -> None:
    with transaction.atomic():
        refund = Refund.objects.select_related("payment").get(pk=refund_id)
        order = _lock(refund.payment.order_id)
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        refund.state = RefundState.FAILED
        refund.failure = why[:200]
        refund.save(update_fields=["state", "failure"])
        _refund_undo(refund, order, why)


@transaction.atomic
def refund_mark_done(*, refund_id: int, actor: Any) -> OrderSummary:
    """Finance paid a manual refund (of a transfer or counter payment) out."""
    refund = Refund.objects.select_related("payment").filter(pk=refund_id).first()
    if refund is None:
        raise PaymentError(_("This refund does not exist."))
    order = _lock(refund.payment.order_id)
    if actor is None or not permissions.can_manage(actor, order.department_id):
        raise PermissionDenied(Permission.PAYMENTS_MANAGE)
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.state != RefundState.PENDING:
        raise PaymentError(_("This refund is not waiting to be paid out."))
    refund.state = RefundState.DONE
    refund.done_at = timezone.now()
    refund.save(update_fields=["state", "done_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=refund,
        subject_person_id=order.person_id,
        changes={"state": RefundState.DONE},
    )
    return summary_of(order)


# --- Payment links -----------------------------------------------------------------


@transaction.atomic
def payment_link_create(*, order_id: int, actor: Any) -> str:
    """A link to pay this order without logging in (absolute URL with a secret token).

    Only the token's hash is stored; a new link replaces the previous one."""
    order = _lock(order_id)
    _require(actor, permissions.can_record(actor, order.department_id), Permission.PAYMENTS_RECORD)
    if order.status != OrderStatus.OPEN:
        raise PaymentError(_("This order is not open for payment (any more)."))
    token = secrets.token_urlsafe(LINK_TOKEN_BYTES)
    order.link_token_hash = link_token_hash(token)
    order.save(update_fields=["link_token_hash"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=order,
        subject_person_id=order.person_id,
        changes={"payment_link": "created"},
    )
    return _base_url() + reverse("payments:link", kwargs={"token": token})


# --- Reminders ---------------------------------------------------------------------


def order_reminders_send(*, today: date | None = None, limit: int = 500) -> int:
    """Remind residents of unpaid orders past their due date: at most
    ``MAX_REMINDERS``, ``REMINDER_INTERVAL_DAYS`` apart (on their channel, a letter
    for who reads on paper). Returns the number of reminders sent."""
    today = today or timezone.localdate()
    interval = timedelta(days=REMINDER_INTERVAL_DAYS)
    now = timezone.now()
    due = list(
        Order.objects.filter(
            status=OrderStatus.OPEN,
            due_date__lt=today,
            reminders_sent__lt=MAX_REMINDERS,
            person_id__isnull=False,
        )
        .filter(Q(last_reminder_at__isnull=True) | Q(last_reminder_at__lte=now - interval))
        .order_by("due_date", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for order_id in due:
        with transaction.atomic():
            order = _lock(order_id)
            if order.status != OrderStatus.OPEN or order.reminders_sent >= MAX_REMINDERS:
                continue
            order.reminders_sent += 1
            order.last_reminder_at = now
            order.save(update_fields=["reminders_sent", "last_reminder_at"])
            audit_record(
                actor=None,
                action=AuditAction.UPDATE,
                target=order,
                subject_person_id=order.person_id,
                changes={"reminders_sent": order.reminders_sent},
            )
            _notify_after_commit(
                order,
                event=EVENT_PAYMENT_REMINDER,
                key=f"payments:reminder:{order.pk}:{order.reminders_sent}",
            )
            sent += 1
    return sent


# --- bank statements (see banking/) ---
from loket.payments.banking.services import StatementRefused as StatementRefused  # noqa: E402
from loket.payments.banking.services import TransactionError as TransactionError  # noqa: E402
from loket.payments.banking.services import statement_import as statement_import  # noqa: E402
from loket.payments.banking.services import transaction_assign as transaction_assign  # noqa: E402
from loket.payments.banking.services import transaction_ignore as transaction_ignore  # noqa: E402
from loket.payments.banking.types import StatementResult as StatementResult  # noqa: E402
from loket.payments.demo import payments_seed_demo as payments_seed_demo  # noqa: E402

# --- end of bank statements ---


# --- Receipts ----------------------------------------------------------------------


def _receipt_context(order: Order) -> dict[str, Any]:
    def day(moment: datetime | None) -> str:
        return timezone.localtime(moment).strftime("%d/%m/%Y") if moment else ""

    payments = order.payments.filter(state=PaymentState.PAID).order_by("pk")
    refunds = (
        Refund.objects.filter(payment__order=order).exclude(state=RefundState.FAILED).order_by("pk")
    )
    return {
        "reference": order.reference,
        "title": order.description,
        "case_reference": order.case_reference,
        "communication": communication_format(order.structured_communication),
        "lines": [
            {
                "description": line.description,
                "quantity": line.quantity,
                "unit": format_euros(line.unit_cents),
                "vat_rate": _rate_text(line.vat_rate),
                "total": format_euros(line.total_cents),
            }
            for line in order.lines.all()
        ],
        "total": format_euros(order.total_cents),
        "vat": format_euros(order.vat_cents),
        "paid": format_euros(order.paid_cents),
        "refunded": format_euros(order.refunded_cents),
        "payments": [
            {
                "date": day(payment.paid_at),
                "method": str(PaymentMethod(payment.method).label),
                "amount": format_euros(payment.amount_cents),
            }
            for payment in payments
        ],
        "refunds": [
            {
                "date": day(refund.done_at or refund.created_at),
                "amount": format_euros(refund.amount_cents),
                "state": str(RefundState(refund.state).label),
            }
            for refund in refunds
        ],
    }


def receipt_pdf(*, order_id: int, person_id: int) -> bytes:
    """The receipt of a paid order as a sealed PDF (a document of the documents module,
    so it can be verified and appears under "My documents"). A new one is issued only
    when the payments or refunds changed since the last; otherwise the last is served.
    Raises ``DomainError`` when the order is not paid or the document cannot be made."""
    from loket.documents.constants import TEMPLATE_PAYMENT_RECEIPT
    from loket.documents.selectors import (
        document_get_for_person,
        document_read,
        template_published,
    )
    from loket.documents.services import document_issue, templates_seed_defaults

    order = Order.objects.filter(pk=order_id, person_id=person_id).first()
    if order is None or order.paid_cents <= 0:
        raise PaymentError(_("There is no receipt: nothing was paid on this order."))
    state = (
        f"{order.paid_cents}:{order.refunded_cents}:"
        f"{order.payments.filter(state=PaymentState.PAID).count()}:"
        f"{Refund.objects.filter(payment__order=order, state=RefundState.DONE).count()}"
    )
    if order.receipt_code and order.receipt_state == state:
        document = document_get_for_person(person_id=person_id, code=order.receipt_code)
        if document is not None:
            return document_read(document)
    if template_published(key=TEMPLATE_PAYMENT_RECEIPT, language="nl") is None:
        templates_seed_defaults()  # a municipality set up before receipts existed
    with transaction.atomic():
        order = _lock(order_id)
        summary = document_issue(
            actor=None,
            template_key=TEMPLATE_PAYMENT_RECEIPT,
            person_id=person_id,
            case_id=order.case_id,
            department_id=order.department_id,
            context=_receipt_context(order),
        )
        order.receipt_code = summary.code
        order.receipt_state = state
        order.save(update_fields=["receipt_code", "receipt_state"])
    document = document_get_for_person(person_id=person_id, code=summary.code)
    if document is None:  # pragma: no cover - just issued
        raise PaymentError(_("The receipt could not be made. Try again later."))
    return document_read(document)
