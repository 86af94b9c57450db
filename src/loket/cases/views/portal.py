"""Portal pages of cases: the request form, "Mijn dossiers", the case page, the
anonymous report and following it with its tracking code."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loket.accounts.constants import LEVEL_MY_DATA
from loket.accounts.permissions import assurance_required
from loket.cases import selectors, services, workflow
from loket.cases.constants import (
    TRANSITION_REOPEN,
    TRANSITION_WITHDRAW,
    ActorKind,
    WaitsFor,
)
from loket.cases.forms import (
    ContactForm,
    InfoForm,
    MessageForm,
    ReasonForm,
    TrackForm,
    WithdrawForm,
    data_form_class,
    plain_data,
)
from loket.cases.models import Case
from loket.cases.types import ResidentScope
from loket.core.services import DomainError, User

SESSION_TRACKING = "loket.cases.tracking"
REPORT_LIMIT = 5  # anonymous reports per address per hour
TRACK_LIMIT = 30  # wrong tracking codes per address per hour


def _client_key(request: HttpRequest, what: str) -> str:
    return f"loket.cases.{what}:{request.META.get('REMOTE_ADDR', '')}"


def _over_limit(request: HttpRequest, what: str, limit: int) -> bool:
    return int(cache.get(_client_key(request, what), 0)) >= limit


def _count(request: HttpRequest, what: str) -> None:
    key = _client_key(request, what)
    if not cache.add(key, 1, timeout=3600):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=3600)


# --- Request ----------------------------------------------------------------------


@assurance_required(LEVEL_MY_DATA)
def request_form(request: HttpRequest, slug: str) -> HttpResponse:
    """Fill in → check the summary → submit. What the municipality knows (who asks)
    is shown, not asked."""
    case_type = selectors.case_type_get(slug=slug)
    if case_type is None:
        raise Http404
    party = selectors.party_for_request(request)
    form_class = data_form_class(case_type)
    step = request.POST.get("step", "") if request.method == "POST" else ""
    form = form_class(request.POST or None)
    context: dict[str, Any] = {"case_type": case_type, "party": party, "form": form}
    if step == "edit":
        return render(request, "cases/portal/request.html", context)
    if request.method == "POST" and form.is_valid():
        data = plain_data(form.cleaned_data)
        if step != "submit":
            context["summary"] = [(form[name].label, value) for name, value in data.items()]
            return render(request, "cases/portal/request_summary.html", context)
        try:
            result = services.case_submit(
                actor=cast(User, request.user),
                case_type_slug=case_type.slug,
                data=data,
                party=party,
                form_version=str(len(case_type.fields or ())),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return redirect("cases:submitted", reference=result.reference)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/portal/request.html", context, status=status)


@assurance_required(LEVEL_MY_DATA)
def submitted(request: HttpRequest, reference: str) -> HttpResponse:
    case = selectors.case_get_for_resident(
        scope=selectors.resident_scope_for(request), reference=reference
    )
    if case is None:
        raise Http404
    return render(request, "cases/portal/submitted.html", {"case": case})


# --- Mijn dossiers ------------------------------------------------------------------


@assurance_required(LEVEL_MY_DATA)
def case_list(request: HttpRequest) -> HttpResponse:
    try:
        page = selectors.case_page_for_resident(
            scope=selectors.resident_scope_for(request), after=request.GET.get("na") or None
        )
    except ValueError as error:
        raise Http404 from error
    return render(request, "cases/portal/list.html", {"page": page})


def _detail_context(case: Case, *, scope: ResidentScope, user: Any) -> dict[str, Any]:
    resident_steps = {
        t.key
        for t in workflow.allowed_transitions(case=case, user=user, actor_kind=ActorKind.RESIDENT)
    }
    return {
        "case": case,
        "timeline": selectors.case_timeline(case=case, public_only=True),
        "messages_list": selectors.case_messages(case=case),
        "data": selectors.case_data_labelled(case=case),
        "advice": selectors.advice_for_case(case=case),
        "can_withdraw": TRANSITION_WITHDRAW in resident_steps,
        "can_reopen": TRANSITION_REOPEN in resident_steps,
        "info_asked": case.waiting_for == WaitsFor.RESIDENT and case.is_open,
        "message_form": MessageForm(),
        "withdraw_form": WithdrawForm(initial={"version": case.version}),
        "reopen_form": ReasonForm(initial={"version": case.version}),
        "info_form": InfoForm(initial={"version": case.version}),
    }


def _resident_case(request: HttpRequest, reference: str) -> tuple[Case, ResidentScope]:
    scope = selectors.resident_scope_for(request)
    case = selectors.case_get_for_resident(scope=scope, reference=reference)
    if case is None:
        raise Http404
    return case, scope


@assurance_required(LEVEL_MY_DATA)
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case, scope = _resident_case(request, reference)
    return render(
        request, "cases/portal/detail.html", _detail_context(case, scope=scope, user=request.user)
    )


@assurance_required(LEVEL_MY_DATA)
@require_POST
def case_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    """Message, withdraw, add information, reopen: each a form on the case page. On an
    error the page comes back with the message and what was typed."""
    case, scope = _resident_case(request, reference)
    return _handle_action(
        request,
        case,
        scope,
        action,
        redirect_to=reverse("cases:detail", args=[reference]),
        template="cases/portal/detail.html",
    )


def _handle_action(
    request: HttpRequest,
    case: Case,
    scope: ResidentScope,
    action: str,
    *,
    redirect_to: str,
    template: str,
) -> HttpResponse:
    actor: Any = request.user if request.user.is_authenticated else None
    form_classes: dict[str, Any] = {
        "bericht": MessageForm,
        "intrekken": WithdrawForm,
        "aanvullen": InfoForm,
        "heropenen": ReasonForm,
    }
    form_class = form_classes.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST)
    conflict = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "bericht":
                services.case_message_send(
                    actor=actor, case_id=case.pk, body=data["body"], scope=scope
                )
                messages.success(request, _("Your message has been sent."))
            elif action == "intrekken":
                services.case_withdraw(
                    actor=actor,
                    case_id=case.pk,
                    expected_version=data["version"],
                    scope=scope,
                    reason=data["reason"],
                )
                messages.success(request, _("Your request has been withdrawn."))
            elif action == "aanvullen":
                services.case_info_provide(
                    actor=actor,
                    case_id=case.pk,
                    expected_version=data["version"],
                    scope=scope,
                    data={},
                    comment=data["comment"],
                )
                messages.success(request, _("Thank you. We continue with your case."))
            else:
                services.case_reopen(
                    actor=actor,
                    case_id=case.pk,
                    expected_version=data["version"],
                    reason=data["reason"],
                    scope=scope,
                )
                messages.success(request, _("Your case has been reopened."))
        except DomainError as error:
            form.add_error(None, str(error))
            conflict = isinstance(error, services.CaseChanged)
        else:
            return redirect(redirect_to)
    case.refresh_from_db()
    context = _detail_context(case, scope=scope, user=actor)
    names = {
        "bericht": "message_form",
        "intrekken": "withdraw_form",
        "aanvullen": "info_form",
        "heropenen": "reopen_form",
    }
    context[names[action]] = form
    context["tracking_code"] = scope.tracking_code
    return render(request, template, context, status=409 if conflict else 400)


# --- Anonymous report and tracking -------------------------------------------------


def report(request: HttpRequest) -> HttpResponse:
    """A report about public space, without logging in: a tracking code comes back."""
    case_type = selectors.case_type_list(anonymous=True).first()
    if case_type is None:
        raise Http404
    form = data_form_class(case_type)(request.POST or None)
    contact = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if _over_limit(request, "report", REPORT_LIMIT):
            form.add_error(
                None, _("You sent many reports in a short time. Please try again in an hour.")
            )
            status = 429
        elif form.is_valid() and contact.is_valid():
            party = selectors.party_for_request(request) if request.user.is_authenticated else None
            try:
                anonymous_actor: Any = request.user if request.user.is_authenticated else None
                result = services.case_submit(
                    actor=anonymous_actor,
                    case_type_slug=case_type.slug,
                    data=plain_data(form.cleaned_data),
                    party=party,
                    contact_email=contact.cleaned_data["contact_email"],
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                _count(request, "report")
                request.session[SESSION_TRACKING] = [result.reference, result.tracking_code]
                return redirect("cases:report_done")
    return render(
        request,
        "cases/portal/report.html",
        {"case_type": case_type, "form": form, "contact": contact},
        status=status,
    )


def report_done(request: HttpRequest) -> HttpResponse:
    stored = request.session.get(SESSION_TRACKING)
    if not isinstance(stored, list) or len(stored) != 2:
        return redirect("cases:report")
    reference, code = stored
    return render(request, "cases/portal/report_done.html", {"reference": reference, "code": code})


def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.GET or None)
    if request.GET and form.is_valid():
        code = form.cleaned_data["code"].strip().upper()
        return redirect("cases:track_case", code=code)
    return render(request, "cases/portal/track.html", {"form": form})


def _tracked(request: HttpRequest, code: str) -> tuple[Case, ResidentScope]:
    if _over_limit(request, "track", TRACK_LIMIT):
        raise Http404
    case = selectors.case_get_by_tracking_code(code=code)
    if case is None:
        _count(request, "track")
        raise Http404
    return case, ResidentScope(tracking_code=code)


def track_case(request: HttpRequest, code: str) -> HttpResponse:
    case, scope = _tracked(request, code)
    context = _detail_context(case, scope=scope, user=None)
    context["tracking_code"] = code
    return render(request, "cases/portal/track_case.html", context)


@require_POST
def track_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    if action not in ("bericht", "heropenen"):
        raise Http404
    case, scope = _tracked(request, code)
    return _handle_action(
        request,
        case,
        scope,
        action,
        redirect_to=reverse("cases:track_case", args=[code]),
        template="cases/portal/track_case.html",
    )
