"""Reads of the payments module. Staff reads are filtered by the staff member's
departments (``permissions.orders_filter``): an order out of reach reads as absent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q

from loket.core.selectors import BakedQuery
from loket.payments import permissions
from loket.payments.constants import (
    MAX_REMINDERS,
    OrderStatus,
    PaymentMethod,
    PaymentState,
    RefundState,
)
from loket.payments.models import BankAccount, Order, Payment, Refund
from loket.payments.services import communication_clean, link_token_hash, summary_of
from loket.payments.types import LineInfo, OrderDetail, OrderSummary, PaymentInfo, RefundInfo


def order_get(*, order_id: int) -> OrderSummary | None:
    order = Order.objects.filter(pk=order_id).prefetch_related("lines").first()
    return summary_of(order, with_lines=True) if order is not None else None


def order_get_by_reference(*, reference: str) -> OrderSummary | None:
    order = Order.objects.filter(reference=reference).prefetch_related("lines").first()
    return summary_of(order, with_lines=True) if order is not None else None


_ORDERS_OF_CASE: BakedQuery[Order] = BakedQuery(
    lambda shape, case_id: Order.objects.filter(case_id=case_id).order_by("pk"),
    name="orders of a case",
)


def orders_for_case(*, case_id: int) -> list[OrderSummary]:
    # On every staff case page: its SQL is built once (ADR 0020).
    return [summary_of(order) for order in _ORDERS_OF_CASE.all(int(case_id))]


def orders_for_cases(*, case_ids: list[int]) -> dict[int, list[OrderSummary]]:
    """One query for a list page: case id → its orders."""
    found: dict[int, list[OrderSummary]] = {case_id: [] for case_id in case_ids}
    if not case_ids:
        return found
    for order in Order.objects.filter(case_id__in=case_ids).order_by("pk"):
        found.setdefault(int(order.case_id or 0), []).append(summary_of(order))
    return found


def orders_for_person(*, person_id: int) -> list[OrderSummary]:
    return orders_for_persons(person_ids=[person_id])


def orders_for_persons(
    *, person_ids: Iterable[int], services: tuple[str, ...] | None = None
) -> list[OrderSummary]:
    """Orders of these residents, newest first; ``services``: only orders for those
    services (a mandate limited to some services)."""
    ids = [pid for pid in person_ids if pid is not None]
    if not ids:
        return []
    rows = Order.objects.filter(person_id__in=ids)
    if services is not None:
        rows = rows.filter(service_slug__in=services)
    return [summary_of(order) for order in rows.order_by("-pk")[:200]]


def order_by_link_token(*, token: str) -> OrderSummary | None:
    if not token or len(token) > 100:
        return None
    order = (
        Order.objects.filter(link_token_hash=link_token_hash(token))
        .prefetch_related("lines")
        .first()
    )
    return summary_of(order, with_lines=True) if order is not None else None


def order_by_communication(digits: str) -> OrderSummary | None:
    """The order a structured communication belongs to (any notation); ``None`` when
    it is not a valid one or no order has it."""
    clean = communication_clean(digits)
    if clean is None:
        return None
    order = Order.objects.filter(structured_communication=clean).first()
    return summary_of(order) if order is not None else None


def bank_account_for(*, organisation_id: int | None) -> BankAccount | None:
    """The account residents transfer to (IBAN, BIC, holder) for that organisation."""
    if organisation_id is None:
        return None
    return BankAccount.objects.filter(organisation_id=organisation_id).first()


def _staff_rows(user: Any, permission: str | None = None) -> Any:
    condition = (
        permissions.orders_filter(user)
        if permission is None
        else permissions.orders_filter(user, permission)
    )
    if condition is None:
        return Order.objects.none()
    return Order.objects.filter(condition)


def staff_may_view_orders(*, user: Any, department_id: int | None) -> bool:
    """May ``user`` see the orders of a case of ``department_id`` (for another module
    deciding whether to show a case's payment block)?"""
    return permissions.can_view(user, department_id)


def orders_for_staff(
    *,
    user: Any,
    status: str | None = None,
    query: str = "",
    after_id: int | None = None,
    limit: int = 50,
) -> list[OrderSummary]:
    """Orders of the staff member's departments, newest first, one page (keyset: pass
    the last id of the previous page as ``after_id``). ``query``: a reference, case
    reference, payer or structured communication."""
    rows = _staff_rows(user)
    if status:
        rows = rows.filter(status=status)
    query = query.strip()
    if query:
        condition = (
            Q(reference__iexact=query)
            | Q(case_reference__iexact=query)
            | Q(description__icontains=query)
            | Q(payer_name__icontains=query)
        )
        digits = communication_clean(query)
        if digits:
            condition |= Q(structured_communication=digits)
        rows = rows.filter(condition)
    if after_id is not None:
        rows = rows.filter(pk__lt=after_id)
    return [summary_of(order) for order in rows.order_by("-pk")[: max(1, min(limit, 200))]]


def _payment_info(payment: Payment) -> PaymentInfo:
    recorder = payment.recorded_by
    return PaymentInfo(
        id=payment.pk,
        method=payment.method,
        method_label=str(PaymentMethod(payment.method).label),
        provider=payment.provider,
        provider_id=payment.provider_id,
        amount_cents=payment.amount_cents,
        state=payment.state,
        state_label=str(PaymentState(payment.state).label),
        created_at=payment.created_at,
        paid_at=payment.paid_at,
        refunded_cents=payment.refunded_cents,
        bank_transaction_id=payment.bank_transaction_id,
        recorded_by_label=(recorder.get_full_name() or recorder.get_username()) if recorder else "",
        note=payment.note,
    )


def _refund_info(refund: Refund) -> RefundInfo:
    creator = refund.created_by
    return RefundInfo(
        id=refund.pk,
        payment_id=refund.payment_id,
        amount_cents=refund.amount_cents,
        reason=refund.reason,
        state=refund.state,
        state_label=str(RefundState(refund.state).label),
        created_at=refund.created_at,
        done_at=refund.done_at,
        provider_refund_id=refund.provider_refund_id,
        failure=refund.failure,
        created_by_label=(creator.get_full_name() or creator.get_username()) if creator else "",
    )


def order_detail(*, order_id: int) -> OrderDetail | None:
    """Everything on one order (no permission check: for the owner's receipt)."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        return None
    return OrderDetail(
        order=summary_of(order, with_lines=True),
        lines=tuple(
            LineInfo(
                position=line.position,
                description=line.description,
                quantity=line.quantity,
                unit_cents=line.unit_cents,
                vat_rate=f"{line.vat_rate.normalize():f}",
                total_cents=line.total_cents,
                vat_cents=line.vat_cents,
            )
            for line in order.lines.all()
        ),
        payments=tuple(
            _payment_info(payment)
            for payment in order.payments.select_related("recorded_by").order_by("pk")
        ),
        refunds=tuple(
            _refund_info(refund)
            for refund in Refund.objects.filter(payment__order=order)
            .select_related("created_by")
            .order_by("pk")
        ),
    )


def order_detail_for_staff(*, user: Any, order_id: int) -> OrderDetail | None:
    """The order with lines, payments and refunds; ``None`` when it is out of the
    staff member's reach (the view answers 404)."""
    if not _staff_rows(user).filter(pk=order_id).exists():
        return None
    return order_detail(order_id=order_id)


def payments_pending_online(*, older_than: Any) -> list[int]:
    """Ids of online payments still waiting for the provider since before a moment."""
    return list(
        Payment.objects.filter(
            method=PaymentMethod.ONLINE, state=PaymentState.PENDING, created_at__lte=older_than
        ).values_list("pk", flat=True)
    )


def orders_to_remind(*, today: Any) -> int:
    """How many open orders past due can still get a reminder (for dashboards)."""
    return Order.objects.filter(
        status=OrderStatus.OPEN, due_date__lt=today, reminders_sent__lt=MAX_REMINDERS
    ).count()


def payment_get(*, payment_id: int) -> PaymentInfo | None:
    payment = Payment.objects.select_related("recorded_by").filter(pk=payment_id).first()
    return _payment_info(payment) if payment is not None else None


def payment_order_id(*, payment_id: int) -> int | None:
    return Payment.objects.filter(pk=payment_id).values_list("order_id", flat=True).first()


def payment_id_for_checkout(*, checkout_url: str) -> int | None:
    return (
        Payment.objects.filter(checkout_url=checkout_url)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )


# Where each provider's hosted payment page lives, as CSP source expressions. The
# resident's browser goes there by a redirect after posting "Pay online" to Loket, and
# browsers apply the page's ``form-action`` to that redirect too. Worldline serves its
# checkout from a host per environment and cluster (``payment.pay1.preprod.…``).
_CHECKOUT_SOURCES = {
    "mollie": ("https://www.mollie.com",),
    "stripe": ("https://checkout.stripe.com",),
    "worldline": ("https://*.direct.worldline-solutions.com",),
}


def checkout_sources() -> tuple[str, ...]:
    """The origins of the configured provider's hosted payment page (CSP source
    expressions); for the local provider, its address (``LOKET_PAYMENT_LOCAL_URL``,
    else PORT+5 on loopback)."""
    name = settings.LOKET_PAYMENT_PROVIDER
    if name != "local":
        return _CHECKOUT_SOURCES.get(name, ())
    from loket.payments.providers.local import default_url

    parts = urlsplit(default_url())
    return (f"{parts.scheme}://{parts.netloc}",) if parts.scheme and parts.netloc else ()


def checkout_allowed(*, checkout_url: str) -> bool:
    """Is ``checkout_url`` on one of :func:`checkout_sources` (a browser may go there
    after posting the "Pay online" form)?"""
    parts = urlsplit(checkout_url)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    for source in checkout_sources():
        scheme, _, host = source.lower().partition("://")
        if host.startswith("*."):
            if parts.scheme == scheme and origin.endswith(host[1:]):
                return True
        elif origin == source.lower():
            return True
    return False


def epc_qr_svg(
    *, name: str, iban: str, bic: str, amount_cents: int, communication: str, title: str
) -> str:
    """An EPC (SEPA credit transfer) QR code as inline SVG, for a banking app to scan:
    the account, the amount and the structured communication (``+++…+++``, in the
    remittance text where Belgian banking apps read it). ``title`` is its text
    alternative."""
    import io
    from decimal import Decimal

    from segno import helpers

    code = helpers.make_epc_qr(
        name=name[:70],
        iban=iban.replace(" ", ""),
        amount=Decimal(amount_cents) / 100,
        text=communication,
        bic=bic or None,
    )
    out = io.BytesIO()
    code.save(out, kind="svg", xmldecl=False, svgns=True, scale=4, border=4, title=title)
    return out.getvalue().decode().replace("<svg ", '<svg role="img" focusable="false" ', 1)
