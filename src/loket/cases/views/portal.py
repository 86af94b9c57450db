"""Portal pages of cases: the request form, "Mijn dossiers", the case page, the
anonymous report and following it with its tracking code."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loket.accounts.constants import LEVEL_MY_DATA, SESSION_LOGIN
from loket.cases import selectors, services, workflow
from loket.cases.constants import (
    TRANSITION_REOPEN,
    TRANSITION_WITHDRAW,
    ActorKind,
    PaymentStatus,
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
from loket.cases.models import Case, CaseType
from loket.cases.types import ResidentScope
from loket.catalog import selectors as catalog_selectors
from loket.catalog import services as catalog_services
from loket.core.services import DomainError, User
from loket.payments import selectors as payment_selectors
from loket.payments.constants import OrderStatus

SESSION_TRACKING = "loket.cases.tracking"
REPORT_LIMIT = 5  # anonymous reports per address per hour
TRACK_LIMIT = 30  # wrong tracking codes per address per hour


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def _login_level(request: HttpRequest) -> int | None:
    """The assurance level of this session's resident login, None without one."""
    if not request.user.is_authenticated:
        return None
    login = request.session.get(SESSION_LOGIN)
    return int(login.get("level", 0)) if isinstance(login, dict) else None


def assurance_required(level: int) -> Callable[[ViewFunc], ViewFunc]:
    """A resident login of at least ``level``: others log in (or step up) and come back,
    as the accounts module does for its own pages."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            here = request.get_full_path()
            current = _login_level(request)
            if current is None:
                return redirect(f"{reverse('accounts:login')}?{urlencode({'next': here})}")
            if current < level:
                query = urlencode({"level": level, "next": here})
                return redirect(f"{reverse('accounts:start')}?{query}")
            return view(request, *args, **kwargs)

        return cast(ViewFunc, wrapper)

    return decorator


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


def request_form(request: HttpRequest, slug: str) -> HttpResponse:
    """``/aanvragen/<service>/``: the service's form from the catalogue (steps, known
    facts confirmed not retyped, a summary, submit), or the case type's own short form
    when the service has no form. The login the service asks for is required."""
    case_type = selectors.case_type_for_request(slug=slug)
    if case_type is None:
        raise Http404
    service = case_type.service
    level = int(getattr(service, "login_level", LEVEL_MY_DATA) or 0) if service else LEVEL_MY_DATA
    if level == 0 and case_type.anonymous_allowed and not request.user.is_authenticated:
        return redirect("cases:report")
    level = max(level, 1)

    @assurance_required(level)
    def inner(request: HttpRequest) -> HttpResponse:
        party = selectors.party_for_request(request)
        if party is not None and not party.covers(
            case_type.slug, *([service.slug] if service is not None else [])
        ):
            # Before any of the represented person's facts are looked up or shown.
            return _request_refused(
                request,
                case_type,
                _(
                    "Your mandate for %(name)s does not cover this request. Choose "
                    "“myself” or another person on “I act on behalf of”, "
                    "or ask %(name)s for a mandate that covers it."
                )
                % {"name": party.label},
                status=403,
            )
        definition = (
            catalog_selectors.form_definition_get(service=service) if service is not None else None
        )
        if service is not None and definition is not None and definition.steps:
            return _wizard(request, case_type, service, definition)
        return _simple_form(request, case_type)

    return inner(request)


def _request_refused(
    request: HttpRequest, case_type: CaseType, message: str, *, status: int
) -> HttpResponse:
    return render(
        request,
        "cases/portal/request_refused.html",
        {"case_type": case_type, "message": message},
        status=status,
    )


def _simple_form(request: HttpRequest, case_type: CaseType) -> HttpResponse:
    """Fill in → check the summary → submit."""
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


SESSION_WIZARD = "loket.cases.wizard"
SUMMARY_STEP = "overzicht"


def _wizard(
    request: HttpRequest, case_type: CaseType, service: Any, definition: Any
) -> HttpResponse:
    """The catalogue's form, step by step. Answers live in the session (and in the
    catalogue's draft, to resume later); the last page is a summary with "Submit"."""
    party = selectors.party_for_request(request)
    person_id = party.person_id if party is not None else None
    party_kind = party.kind if party is not None else "person"
    party_id = party.id or 0 if party is not None else 0
    key = f"{service.pk}:{party_kind}:{party_id}"
    store: dict[str, Any] = dict(request.session.get(SESSION_WIZARD) or {})
    state = store.get(key)
    if not isinstance(state, dict) or state.get("version") != definition.version:
        draft = catalog_selectors.form_draft_get(
            user=request.user, service=service, party_kind=party_kind, party_id=party_id
        )
        answers_start = (
            dict(draft.answers)
            if draft is not None and draft.form_version == definition.version
            else {}
        )
        state = {"version": definition.version, "answers": answers_start}
    answers: dict[str, Any] = dict(state["answers"])
    visible = catalog_selectors.form_steps_visible(definition=definition, answers=answers)
    if not visible:
        return _request_refused(
            request,
            case_type,
            _(
                "This form cannot be filled in online at the moment. Please try again "
                "later or contact the municipality."
            ),
            status=503,
        )
    known = catalog_selectors.form_known_facts(person_id=person_id)
    step_key = request.POST.get("stap") or request.GET.get("stap") or visible[0].key
    context: dict[str, Any] = {"case_type": case_type, "service": service, "party": party}

    def remember() -> None:
        store[key] = {"version": definition.version, "answers": answers}
        request.session[SESSION_WIZARD] = store

    if request.method == "POST" and request.POST.get("actie") == "indienen":
        submission = catalog_selectors.form_submission_prepare(
            service=service, definition=definition, answers=answers, known=known
        )
        if not submission.complete:
            return redirect(f"{request.path}?stap={submission.incomplete_step}")
        try:
            submitted_case = services.case_submit(
                actor=cast(User, request.user),
                case_type_slug=case_type.slug,
                data={**submission.facts, **submission.answers},
                party=party,
                form_version=f"catalog:{service.pk}:{definition.version}",
                checked_by_form_engine=True,
            )
        except DomainError as error:
            context.update(_summary(definition, submission, error=str(error)))
            return render(request, "cases/portal/wizard_summary.html", context, status=400)
        store.pop(key, None)
        request.session[SESSION_WIZARD] = store
        catalog_services.form_draft_discard(
            user=request.user, service=service, party_kind=party_kind, party_id=party_id
        )
        return redirect("cases:submitted", reference=submitted_case.reference)

    if step_key == SUMMARY_STEP:
        submission = catalog_selectors.form_submission_prepare(
            service=service, definition=definition, answers=answers, known=known
        )
        if not submission.complete:
            return redirect(f"{request.path}?stap={submission.incomplete_step}")
        context.update(_summary(definition, submission))
        return render(request, "cases/portal/wizard_summary.html", context)

    if definition.step(step_key) is None:
        raise Http404
    result = None
    status = 200
    if request.method == "POST":
        if request.POST.get("form_version") != str(definition.version):
            messages.warning(
                request,
                _("This form was changed in the meantime. Check your answers on this step."),
            )
            return redirect(f"{request.path}?stap={step_key}")
        result = catalog_services.form_step_validate(
            service=service,
            definition=definition,
            step_key=step_key,
            data=request.POST,
            files=request.FILES,
            known=known,
            answers=answers,
            owner_key=catalog_selectors.form_owner_key(user_id=request.user.pk),
        )
        if result.ok:
            answers = catalog_services.form_answers_merge(
                definition=definition, answers=answers, result=result
            )
            remember()
            # The session keeps the answers; the draft only lets the resident resume later.
            with suppress(DomainError):
                catalog_services.form_draft_save(
                    user=request.user,
                    service=service,
                    form_version=definition.version,
                    answers=answers,
                    current_step=step_key,
                    party_kind=party_kind,
                    party_id=party_id,
                )
            if "terug" in request.POST:
                previous = catalog_selectors.form_step_previous(
                    definition=definition, step_key=step_key, answers=answers
                )
                return redirect(f"{request.path}?stap={previous.key if previous else step_key}")
            following = catalog_selectors.form_step_next(
                definition=definition, step_key=step_key, answers=answers
            )
            return redirect(f"{request.path}?stap={following.key if following else SUMMARY_STEP}")
        status = 400
    context["form_step"] = catalog_selectors.form_step_render(
        definition=definition, step_key=step_key, answers=answers, known=known, result=result
    )
    context["step_key"] = step_key
    context["first_step"] = step_key == visible[0].key
    return render(request, "cases/portal/wizard_step.html", context, status=status)


def _summary(definition: Any, submission: Any, error: str = "") -> dict[str, Any]:
    labels = {f.key: f.label for f in definition.fields()}
    rows = [
        (labels.get(k, k), selectors.display_value(v))
        for k, v in {**submission.facts, **submission.answers}.items()
        if v not in ("", None, [], {})
    ]
    steps = [(step.key, step.title) for step in definition.steps]
    return {"summary": rows, "steps": steps, "error": error, "summary_step": SUMMARY_STEP}


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
    # "To pay" badges: the orders of the whole page in one query, asked only for the
    # cases where a payment was asked (an order is only ever made by that step).
    orders = payment_selectors.orders_for_cases(
        case_ids=[row.id for row in page.items if row.payment_status != PaymentStatus.NONE]
    )
    due = {
        case_id: sum(o.open_cents for o in found if o.status == OrderStatus.OPEN)
        for case_id, found in orders.items()
    }
    rows = [(row, due.get(row.id, 0)) for row in page.items]
    return render(request, "cases/portal/list.html", {"page": page, "rows": rows})


def _payment_context(case: Case, *, can_pay: bool) -> dict[str, Any] | None:
    """The payment block of the case page: the case's orders (cancelled ones left out),
    what is still to pay and how (the "Pay" button, or a transfer with the structured
    communication). None: no payment in this case."""
    if case.payment_status == PaymentStatus.NONE:
        return None  # no payment was ever asked, so there is no order (saves a query)
    orders = [
        o
        for o in payment_selectors.orders_for_case(case_id=case.pk)
        if o.status != OrderStatus.CANCELLED
    ]
    open_orders = [o for o in orders if o.status == OrderStatus.OPEN and o.open_cents > 0]
    account = (
        payment_selectors.bank_account_for(organisation_id=open_orders[0].organisation_id)
        if open_orders
        else None
    )
    return {
        "orders": orders,
        "open_orders": open_orders,
        "status": case.payment_status,
        "status_label": PaymentStatus(case.payment_status).label,
        "can_pay": can_pay and case.person_id is not None,
        "bank_account": account,
    }


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
        "can_withdraw": TRANSITION_WITHDRAW in resident_steps,
        "can_reopen": TRANSITION_REOPEN in resident_steps,
        "info_asked": case.waiting_for == WaitsFor.RESIDENT and case.is_open,
        "message_form": MessageForm(),
        "withdraw_form": WithdrawForm(initial={"version": case.version}),
        "reopen_form": ReasonForm(initial={"version": case.version}),
        "info_form": InfoForm(initial={"version": case.version}),
        # Paying online happens on the payments pages, for a logged-in resident.
        "payment": _payment_context(case, can_pay=user is not None and user.is_authenticated),
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
    extra: dict[str, Any] | None = None,
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
    context.update(extra or {})
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


SESSION_TRACKED = "loket.cases.tracked"


def track(request: HttpRequest) -> HttpResponse:
    """``/volg/``: type the tracking code (a POST form, so the code never lands in a
    URL, a log line or the browser history); its hash is kept in the session and the
    report is shown at ``/volg/dossier/``."""
    form = TrackForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            code = form.cleaned_data["code"].strip().upper()
            if _over_limit(request, "track", TRACK_LIMIT):
                form.add_error(None, _("Too many attempts. Please try again in an hour."))
                status = 429
            else:
                case = selectors.case_get_by_tracking_code(code=code)
                if case is None:
                    _count(request, "track")
                    form.add_error("code", _("No report with this tracking code."))
                    status = 404
                else:
                    request.session[SESSION_TRACKED] = services.tracking_code_hash(code)
                    return redirect("cases:tracked")
    return render(request, "cases/portal/track.html", {"form": form}, status=status)


def _tracked(request: HttpRequest, code: str) -> tuple[Case, ResidentScope]:
    if _over_limit(request, "track", TRACK_LIMIT):
        raise Http404
    case = selectors.case_get_by_tracking_code(code=code)
    if case is None:
        _count(request, "track")
        raise Http404
    return case, ResidentScope(tracking_code=code)


def _tracked_in_session(request: HttpRequest) -> tuple[Case, ResidentScope] | None:
    code_hash = request.session.get(SESSION_TRACKED)
    if not isinstance(code_hash, str):
        return None
    case = selectors.case_get_by_tracking_hash(code_hash=code_hash)
    if case is None:
        request.session.pop(SESSION_TRACKED, None)
        return None
    return case, ResidentScope(tracking_hash=code_hash)


def track_case(request: HttpRequest, code: str) -> HttpResponse:
    """The direct link from the confirmation page (the code in the link is its point)."""
    case, scope = _tracked(request, code)
    context = _detail_context(case, scope=scope, user=None)
    context["action_prefix"] = reverse("cases:track_case", args=[code])
    return render(request, "cases/portal/track_case.html", context)


def tracked(request: HttpRequest) -> HttpResponse:
    """The report whose code was typed on ``/volg/`` (kept in the session)."""
    found = _tracked_in_session(request)
    if found is None:
        return redirect("cases:track")
    case, scope = found
    context = _detail_context(case, scope=scope, user=None)
    context["action_prefix"] = reverse("cases:tracked")
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
        extra={"action_prefix": reverse("cases:track_case", args=[code])},
    )


@require_POST
def tracked_action(request: HttpRequest, action: str) -> HttpResponse:
    if action not in ("bericht", "heropenen"):
        raise Http404
    found = _tracked_in_session(request)
    if found is None:
        return redirect("cases:track")
    case, scope = found
    return _handle_action(
        request,
        case,
        scope,
        action,
        redirect_to=reverse("cases:tracked"),
        template="cases/portal/track_case.html",
        extra={"action_prefix": reverse("cases:tracked")},
    )
