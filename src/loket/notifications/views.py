"""Back-office pages of the notifications module, and the SMS gateways' status callback."""

from __future__ import annotations

import hmac
import json
import re
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from loket.accounts.staff.selectors import staff_session_is_verified
from loket.core.services import DomainError
from loket.notifications import selectors, services
from loket.notifications.forms import FanOutForm
from loket.notifications.permissions import can_send_bulk, can_view_delivery_log

CALLBACK_MAX_AGE = 300  # seconds a signed callback stays acceptable
# Unix seconds, ASCII digits only: str.isdigit() also accepts "²" and other digits that
# int() refuses, and a huge number would hit Python's int conversion limit.
TIMESTAMP_PATTERN = re.compile(r"[0-9]{1,12}")


def staff_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff with a complete staff session (second factor passed); others log in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (can_view_delivery_log(request.user) and staff_session_is_verified(request=request)):
            return redirect_to_login(request.get_full_path(), "backoffice:login")
        return view(request, *args, **kwargs)

    return wrapper


@staff_only
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "notifications/overview.html",
        {
            "speed": selectors.delivery_speed_by_day(days=14),
            "fanouts": selectors.fanout_list(limit=20),
            "form": FanOutForm(),
            "can_send_bulk": can_send_bulk(request.user),
            "demo": settings.LOKET_DEMO,
        },
    )


@staff_only
def failures(request: HttpRequest) -> HttpResponse:
    page, next_cursor = selectors.message_failures(after=request.GET.get("na") or None)
    return render(
        request, "notifications/failures.html", {"page": page, "next_cursor": next_cursor}
    )


@staff_only
@require_POST
def fanout_start(request: HttpRequest) -> HttpResponse:
    if not can_send_bulk(request.user):
        raise Http404
    form = FanOutForm(request.POST)
    if form.is_valid():
        try:
            services.fanout_start(
                actor=request.user,  # type: ignore[arg-type]
                event=form.cleaned_data["event"].key,
                selection_kind=form.cleaned_data["selection_kind"],
                selection_value=form.cleaned_data["selection_value"],
                context=form.cleaned_data["context"] or {},
                urgent=form.cleaned_data["urgent"],
                form_token=form.cleaned_data["form_token"],
            )
        except services.FanOutAlreadyStarted:
            messages.warning(
                request,
                _(
                    "This form had already been sent: the bulk message was started once "
                    "and is not sent again."
                ),
            )
            return redirect("notifications:overview")
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The bulk message is being prepared."))
            return redirect("notifications:overview")
    return render(
        request,
        "notifications/overview.html",
        {
            "speed": selectors.delivery_speed_by_day(days=14),
            "fanouts": selectors.fanout_list(limit=20),
            "form": form,
            "can_send_bulk": True,
        },
        status=400,
    )


@staff_only
@require_POST
def fanout_action(request: HttpRequest, fanout_id: int, action: str) -> HttpResponse:
    if not can_send_bulk(request.user):
        raise Http404
    operations = {
        "pauzeren": services.fanout_pause,
        "hervatten": services.fanout_resume,
        "annuleren": services.fanout_cancel,
    }
    operation = operations.get(action)
    if operation is None:
        raise Http404
    try:
        operation(actor=request.user, fanout_id=fanout_id)  # type: ignore[arg-type]
    except DomainError as error:
        messages.error(request, str(error))
    except ObjectDoesNotExist as error:
        raise Http404 from error
    return redirect("notifications:overview")


@staff_only
def demo_sinks(request: HttpRequest) -> HttpResponse:
    if not settings.LOKET_DEMO:
        raise Http404
    return render(request, "notifications/demo_sinks.html", selectors.demo_sink_contents())


@csrf_exempt
@require_POST
def sms_status_callback(request: HttpRequest) -> HttpResponse:
    """Delivery reports of the SMS gateways, signed with HMAC-SHA256 (see
    docs/protocols/sms-gateway.md). Unsigned, wrongly signed or stale reports: 403."""
    secret = settings.LOKET_SMS_CALLBACK_SECRET
    timestamp = request.headers.get("X-Loket-Timestamp", "")
    signature = request.headers.get("X-Loket-Signature", "")
    if (
        not secret
        or not TIMESTAMP_PATTERN.fullmatch(timestamp)
        or abs(time.time() - int(timestamp)) > CALLBACK_MAX_AGE
    ):
        return HttpResponseForbidden("stale or unsigned")
    if not signature.isascii():
        return HttpResponseForbidden("bad signature")
    expected = services.callback_signature(secret=secret, timestamp=timestamp, body=request.body)
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii")):
        return HttpResponseForbidden("bad signature")
    try:
        data: Any = json.loads(request.body)
        provider_id, status = str(data["id"]), str(data["status"])
    except (ValueError, KeyError, TypeError):
        return HttpResponse("bad body", status=400)
    try:
        known = services.message_record_delivery_status(
            provider_message_id=provider_id,
            status=status,
            provider=request.GET.get("gateway", "")[:60],
            detail=str(data.get("detail", "")),
        )
    except DomainError as error:
        return HttpResponse(str(error), status=400)
    return HttpResponse(status=204 if known else 404)


@staff_only
def template_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "notifications/templates.html", {"templates": selectors.templates_list()}
    )


@staff_only
def template_preview(request: HttpRequest, template_id: int) -> HttpResponse:
    """The template's clear-language check, and the text as a resident would get it
    (with the event's sample values and, when asked, a real resident's name)."""
    template = selectors.templates_list().filter(pk=template_id).first()
    if template is None:
        raise Http404
    person_id = request.GET.get("persoon", "")
    preview = selectors.template_preview(
        template=template,
        person_id=int(person_id)
        if person_id.isascii() and person_id.isdigit() and len(person_id) <= 18
        else None,
    )
    return render(request, "notifications/template_preview.html", preview)
