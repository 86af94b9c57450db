"""Back-office pages: API clients (create, secret shown once, revoke, call log) and
webhook subscriptions with their delivery log ("send again")."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from loket.accounts.staff.selectors import staff_session_is_verified
from loket.api import selectors, services
from loket.api.forms import ApiClientForm, SubscriptionForm
from loket.api.permissions import can_manage_api
from loket.core.services import DomainError
from loket.webhooks import selectors as webhook_selectors
from loket.webhooks import services as webhook_services


def api_managers_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff with ``staff.manage`` and a complete staff session; others log in, and
    logged-in staff without the permission get a 404 (pages are not advertised)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not staff_session_is_verified(request=request):
            return redirect_to_login(request.get_full_path(), "backoffice:login")
        if not can_manage_api(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 18 else None


@api_managers_only
def client_list(request: HttpRequest) -> HttpResponse:
    form = ApiClientForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            client = services.api_client_create(
                actor=request.user,  # type: ignore[arg-type]
                name=data["name"],
                organisation_id=data["organisation"].pk,
                scopes=data["scopes"],
                max_confidentiality=data["max_confidentiality"],
                rate_limit_per_minute=data["rate_limit_per_minute"],
            )
            issued = services.api_credential_create(
                actor=request.user,  # type: ignore[arg-type]
                client_id=client.pk,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            form = ApiClientForm()
    return render(
        request,
        "api/clients.html",
        {"clients": list(selectors.api_client_list()), "form": form, "issued": issued},
        status=400 if form.errors else 200,
    )


@api_managers_only
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    client = selectors.api_client_get(client_id=client_id)
    if client is None:
        raise Http404
    calls, before = selectors.api_call_list(
        client_id=client.pk, before_id=_int_or_none(request.GET.get("voor"))
    )
    return render(
        request,
        "api/client_detail.html",
        {
            "client": client,
            "credentials": list(selectors.api_credential_list(client_id=client.pk)),
            "calls": calls,
            "next_before": before,
        },
    )


@api_managers_only
@require_POST
def client_new_secret(request: HttpRequest, client_id: int) -> HttpResponse:
    client = selectors.api_client_get(client_id=client_id)
    if client is None:
        raise Http404
    try:
        issued = services.api_credential_create(
            actor=request.user,  # type: ignore[arg-type]
            client_id=client.pk,
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("api_staff:client-detail", client_id=client.pk)
    return render(request, "api/secret.html", {"client": client, "issued": issued})


@api_managers_only
@require_POST
def client_revoke(request: HttpRequest, client_id: int) -> HttpResponse:
    if selectors.api_client_get(client_id=client_id) is None:
        raise Http404
    services.api_client_revoke(actor=request.user, client_id=client_id)  # type: ignore[arg-type]
    messages.success(request, _("The client is revoked: its secrets and tokens no longer work."))
    return redirect("api_staff:client-detail", client_id=client_id)


@api_managers_only
def subscription_list(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = webhook_services.subscription_create(
                actor=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            form = SubscriptionForm()
    return render(
        request,
        "webhooks/subscriptions.html",
        {
            "subscriptions": list(webhook_selectors.subscription_list()),
            "form": form,
            "created": created,
        },
        status=400 if form.errors else 200,
    )


@api_managers_only
@require_POST
def subscription_deactivate(request: HttpRequest, subscription_id: int) -> HttpResponse:
    try:
        webhook_services.subscription_deactivate(
            actor=request.user,  # type: ignore[arg-type]
            subscription_id=subscription_id,
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    messages.success(request, _("The subscription is switched off."))
    return redirect("api_staff:subscriptions")


@api_managers_only
def delivery_log(request: HttpRequest) -> HttpResponse:
    deliveries, before = webhook_selectors.delivery_list(
        before_id=_int_or_none(request.GET.get("voor"))
    )
    return render(
        request, "webhooks/deliveries.html", {"deliveries": deliveries, "next_before": before}
    )


@api_managers_only
@require_POST
def delivery_resend(request: HttpRequest, delivery_id: int) -> HttpResponse:
    try:
        webhook_services.delivery_resend(
            actor=request.user,  # type: ignore[arg-type]
            delivery_id=delivery_id,
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    messages.success(request, _("The event is queued to be sent again."))
    return redirect("api_staff:deliveries")
