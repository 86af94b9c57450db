"""The resident's payment pages (``/betalen/``) and the providers' webhook.

Every page works without JavaScript. An order page is shown to its resident only (or
to whoever acts for them under a mandate); anyone else gets 404. A payment link
(``/betalen/<token>/``) needs no login and shows no personal data beyond the payer's
name."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import to_locale
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from loket.accounts import selectors as accounts
from loket.accounts.constants import LEVEL_MY_DATA, SESSION_LOGIN
from loket.core.constants import CONTENT_SECURITY_POLICY
from loket.core.services import DomainError
from loket.payments import selectors, services
from loket.payments.constants import WEBHOOK_MAX_BYTES, EventOutcome, PaymentState
from loket.payments.types import OrderSummary

logger = logging.getLogger(__name__)

SESSION_RETRY = "loket.payments.retry"  # payment id → where "try again" goes
REFRESH_SECONDS = 5
# The return page asks the provider at most this often per payment (a little less than
# REFRESH_SECONDS, so each automatic refresh of a pending payment still asks).
SYNC_EVERY_SECONDS = 4

# The pages with a "Pay online" form send the site's Content-Security-Policy
# (``loket.core.constants``; the middleware sends it on every response that has none of
# its own) themselves, with the provider's checkout origin added to ``form-action``:
# browsers apply ``form-action`` to the redirect after the form post too, and Loket
# answers that post with a redirect to the provider's hosted page.
ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def _login_level(request: HttpRequest) -> int | None:
    if not request.user.is_authenticated:
        return None
    login = request.session.get(SESSION_LOGIN)
    return int(login.get("level", 0)) if isinstance(login, dict) else None


def resident_required(view: ViewFunc) -> ViewFunc:
    """A resident login of the "my data" level; others log in (or step up) first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        here = request.get_full_path()
        current = _login_level(request)
        if current is None:
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': here})}")
        if current < LEVEL_MY_DATA:
            query = urlencode({"level": LEVEL_MY_DATA, "next": here})
            return redirect(f"{reverse('accounts:start')}?{query}")
        return view(request, *args, **kwargs)

    return cast(ViewFunc, wrapper)


def _scope(request: HttpRequest) -> tuple[set[int], tuple[str, ...] | None]:
    """The residents whose orders this visitor may see (themselves, and the person they
    act for), and the services a limited mandate covers (``None``: all)."""
    ids: set[int] = set()
    services_allowed: tuple[str, ...] | None = None
    party = accounts.acting_party(request)
    if party is not None and party.person_id is not None:
        ids.add(party.person_id)
        if party.via != "self":
            services_allowed = party.services
    if request.user.is_authenticated and not request.user.is_staff:
        account = accounts.resident_account_get(user=request.user)
        if account is not None and account.person_id is not None:
            ids.add(account.person_id)
    return ids, services_allowed


def _own_order(request: HttpRequest, reference: str) -> OrderSummary:
    order = selectors.order_get_by_reference(reference=reference)
    if order is None or order.person_id is None:
        raise Http404
    ids, services_allowed = _scope(request)
    if order.person_id not in ids:
        raise Http404
    party = accounts.acting_party(request)
    own = party is None or party.via == "self" or party.person_id != order.person_id
    if not own and services_allowed is not None and order.service_slug not in services_allowed:
        raise Http404
    return order


def _transfer_context(order: OrderSummary) -> dict[str, Any]:
    """IBAN, BIC, the structured communication and the EPC QR code for a transfer."""
    account = selectors.bank_account_for(organisation_id=order.organisation_id)
    if account is None or order.open_cents <= 0 or order.status != "open":
        return {"bank_account": account, "epc_qr": ""}
    return {
        "bank_account": account,
        "epc_qr": selectors.epc_qr_svg(
            name=account.holder,
            iban=account.iban,
            bic=account.bic,
            amount_cents=order.open_cents,
            communication=order.structured_communication,
            title=_("QR code to pay by bank transfer with your banking app"),
        ),
    }


def _allow_checkout_forms(response: HttpResponse) -> HttpResponse:
    """Let this page's "Pay online" form end at the provider's hosted payment page."""
    sources = " ".join(selectors.checkout_sources())
    if sources:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'", f"form-action 'self' {sources}", 1
        )
    return response


def _remember_retry(request: HttpRequest, payment_url: str, retry: str) -> None:
    """Remember, in this browser's session, where "try again" leads for the payment the
    checkout URL belongs to (the return page then shows the order's reference)."""
    retries = dict(request.session.get(SESSION_RETRY) or {})
    retries[payment_url] = retry
    request.session[SESSION_RETRY] = dict(list(retries.items())[-20:])


def _start(request: HttpRequest, order: OrderSummary, retry: str) -> HttpResponse:
    return_url = (
        request.build_absolute_uri(reverse("payments:return", kwargs={"payment_id": 0})).replace(
            "/0/", "/{payment_id}/"
        )
        + "?s={signature}"
    )
    try:
        checkout = services.payment_start(
            order_id=order.id,
            return_url=return_url,
            locale=to_locale(getattr(request, "LANGUAGE_CODE", "nl") or "nl"),
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(retry)
    if not selectors.checkout_allowed(checkout_url=checkout):
        # The browser will refuse this redirect (CSP form-action of the order page).
        logger.warning("The payment provider's checkout is on an origin the CSP does not allow.")
    payment_id = selectors.payment_id_for_checkout(checkout_url=checkout)
    if payment_id is not None:
        _remember_retry(request, str(payment_id), retry)
    return redirect(checkout)


# --- Pages -------------------------------------------------------------------------


@resident_required
def my_payments(request: HttpRequest) -> HttpResponse:
    ids, services_allowed = _scope(request)
    orders = selectors.orders_for_persons(person_ids=ids, services=services_allowed)
    return render(
        request,
        "payments/portal/mine.html",
        {
            "open_orders": [o for o in orders if o.status == "open"],
            "other_orders": [o for o in orders if o.status != "open"],
        },
    )


@resident_required
def order_detail(request: HttpRequest, reference: str) -> HttpResponse:
    order = _own_order(request, reference)
    detail = selectors.order_detail(order_id=order.id)
    response = render(
        request,
        "payments/portal/order.html",
        {
            "order": order,
            "detail": detail,
            "pay_action": reverse("payments:order_pay", kwargs={"reference": reference}),
            **_transfer_context(order),
        },
    )
    return _allow_checkout_forms(response)


@resident_required
@require_POST
def order_pay(request: HttpRequest, reference: str) -> HttpResponse:
    order = _own_order(request, reference)
    return _start(request, order, reverse("payments:order", kwargs={"reference": reference}))


@resident_required
def order_receipt(request: HttpRequest, reference: str) -> HttpResponse:
    order = _own_order(request, reference)
    if not order.is_paid or order.person_id is None:
        raise Http404
    try:
        pdf = services.receipt_pdf(order_id=order.id, person_id=order.person_id)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("payments:order", reference=reference)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ontvangstbewijs-{reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _sync_due(payment_id: int) -> bool:
    """May the return page ask the provider about this payment now?"""
    try:
        return bool(cache.add(f"payments.return.sync:{payment_id}", 1, SYNC_EVERY_SECONDS))
    except Exception:  # the cache is down: ask, as without the limit
        logger.warning("cache unavailable; the return page asks the provider anyway")
        return True


def payment_return(request: HttpRequest, payment_id: int) -> HttpResponse:
    """Where the provider sends the payer back: ask the provider (in case its webhook
    is late or lost) and say how it went. While it is still processing, the page
    refreshes itself through the HTTP ``Refresh`` header (no JavaScript; not a meta
    refresh, which accessibility checkers refuse), and offers a link to check now.

    The page is public (the payer may come back in another browser) and payment ids
    are sequential: the address carries a signature of the id (``?s=``), else 404. The
    provider is asked at most once every ``SYNC_EVERY_SECONDS`` per payment."""
    signature = request.GET.get("s", "")
    expected = services.payment_return_signature(payment_id=payment_id)
    if not constant_time_compare(signature, expected):
        raise Http404
    if selectors.payment_order_id(payment_id=payment_id) is None:
        raise Http404
    unavailable = False
    if _sync_due(payment_id):
        try:
            services.payment_sync(payment_id=payment_id)
        except DomainError:
            unavailable = True
    payment = selectors.payment_get(payment_id=payment_id)
    order_id = selectors.payment_order_id(payment_id=payment_id)
    order = selectors.order_get(order_id=order_id) if order_id is not None else None
    if payment is None or order is None:
        raise Http404
    retry = (request.session.get(SESSION_RETRY) or {}).get(str(payment_id), "")
    if payment.state == PaymentState.PAID or order.is_paid:
        outcome = "paid"
    elif payment.state == PaymentState.PENDING:
        outcome = "pending"
    else:
        outcome = "failed"
    response = render(
        request,
        "payments/portal/return.html",
        {
            "outcome": outcome,
            "payment": payment,
            # The order's reference only for the browser that started this payment.
            "order": order if retry else None,
            "retry": retry,
            "unavailable": unavailable,
            "refresh_seconds": REFRESH_SECONDS,
        },
    )
    if outcome == "pending":
        response["Refresh"] = str(REFRESH_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _link_order(token: str) -> OrderSummary:
    order = selectors.order_by_link_token(token=token)
    if order is None:
        raise Http404
    return order


def link_detail(request: HttpRequest, token: str) -> HttpResponse:
    order = _link_order(token)
    response = render(
        request,
        "payments/portal/link.html",
        {
            "order": order,
            "pay_action": reverse("payments:link_pay", kwargs={"token": token}),
            **_transfer_context(order),
        },
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the token stays out of other sites' logs
    return _allow_checkout_forms(response)


@require_POST
def link_pay(request: HttpRequest, token: str) -> HttpResponse:
    order = _link_order(token)
    return _start(request, order, reverse("payments:link", kwargs={"token": token}))


# --- Webhook -----------------------------------------------------------------------


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, provider: str) -> HttpResponse:
    """``POST /betalen/webhook/<provider>/``: 200 when accepted, repeated or nothing
    changed; 400 when refused (signature, timestamp, unknown payment, another order);
    503 when the provider could not be asked (it retries, and Loket polls)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if length < 0:
        return HttpResponse("bad Content-Length", status=400, content_type="text/plain")
    if length > WEBHOOK_MAX_BYTES:
        return HttpResponse("too large", status=413, content_type="text/plain")
    outcome = services.webhook_receive(
        provider=provider, body=request.body, headers=dict(request.headers)
    )
    if outcome in {EventOutcome.REJECTED, EventOutcome.UNKNOWN_PAYMENT}:
        status = 400
    elif outcome == EventOutcome.PROVIDER_UNAVAILABLE:
        status = 503
    else:
        status = 200
    return HttpResponse(str(outcome), status=status, content_type="text/plain")
