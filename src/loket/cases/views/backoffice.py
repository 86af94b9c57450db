"""Back-office pages of cases: work queues with filters and search, bulk assignment,
the case page (public timeline and internal notes apart), steps, messages, advice,
and recording a request made at the counter, by post or by phone."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loket.accounts import selectors as accounts_selectors
from loket.accounts.services import person_view_record
from loket.accounts.staff.selectors import staff_session_is_verified
from loket.cases import selectors, services, workflow
from loket.cases.constants import PERM_HANDLE, AdviceStatus, Channel, PartyKind, Queue
from loket.cases.forms import (
    AdviceAnswerForm,
    AdviceForm,
    AssignForm,
    FileForm,
    MessageForm,
    NoteForm,
    QueueFilterForm,
    TransitionForm,
    data_form_class,
    plain_data,
)
from loket.cases.models import Case
from loket.cases.permissions import (
    access_case_for_staff,
    advice_department_ids,
    can_answer_advice,
    can_assign_case,
    can_handle_case,
    can_serve_counter,
    can_view_case,
    may_enter_cases,
)
from loket.cases.types import PartyRef
from loket.core.selectors import (
    department_choices,
    department_list,
    department_names_with_organisation,
    staff_department_ids,
    staff_has_permission,
)
from loket.core.services import DomainError, User
from loket.payments import selectors as payment_selectors
from loket.people.selectors import person_get, person_get_by_national_number

VIEW_RECORD_EVERY = 3600  # seconds: one audit line per case, staff member and hour


def cases_staff(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff with a complete staff session and a cases permission; others log in or
    get a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not staff_session_is_verified(request=request):
            return redirect_to_login(request.get_full_path(), "backoffice:login")
        if not may_enter_cases(request.user) and not can_serve_counter(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


# --- Queues -----------------------------------------------------------------------


def _type_choices() -> list[tuple[str, str]]:
    return selectors.case_type_choices()


@cases_staff
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(
        request.GET or None,
        type_choices=_type_choices(),
        department_choices=department_choices(),
    )
    filters: dict[str, Any] = {}
    current = Queue.DEPARTMENTS
    search = ""
    if form.is_valid():
        data = form.cleaned_data
        current = data["wachtrij"] or Queue.DEPARTMENTS
        search = data["q"]
        filters = {
            "case_type": data["type"],
            "status": data["status"],
            "department": data["department"],
            "channel": data["channel"],
            "deadline_before": data["deadline"],
        }
    try:
        page = selectors.case_queue_page(
            user=request.user,
            queue=current,
            filters=filters,
            search=search,
            after=request.GET.get("na") or None,
        )
    except ValueError as error:
        raise Http404 from error
    query = request.GET.copy()
    query.pop("na", None)
    return render(
        request,
        "cases/backoffice/queue.html",
        {
            "form": form,
            "page": page,
            "queues": Queue.choices,
            "current": current,
            "query": query.urlencode(),
            "can_assign": bool(staff_department_ids(user=request.user, permission="cases.assign")),
            "can_file": can_serve_counter(request.user),
            "assign_form": _bulk_assign_form(request),
        },
    )


def _bulk_assign_form(request: HttpRequest, data: Any = None) -> AssignForm:

    departments = staff_department_ids(user=request.user, permission="cases.assign")
    staff = selectors.assignable_staff_in(department_ids=departments)
    return AssignForm(data, staff_choices=staff)


@cases_staff
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    form = _bulk_assign_form(request, request.POST)
    ids = [
        int(value) for value in request.POST.getlist("case") if value.isascii() and value.isdigit()
    ]
    if form.is_valid():
        try:
            count = services.case_assign(
                actor=cast(User, request.user),
                case_ids=ids,
                assignee_id=form.cleaned_data["assignee"],
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(count)s cases assigned.") % {"count": count})
    else:
        messages.error(request, _("Choose a handler."))
    back = request.POST.get("terug", "")
    return redirect(f"{_queue_url()}?{back}" if back.isascii() else _queue_url())


# --- Case page --------------------------------------------------------------------


def _staff_case(request: HttpRequest, reference: str) -> Case:
    case = selectors.case_get(reference=reference)
    asked = selectors.advice_department_ids_for_case(case=case) if case is not None else set()
    case = access_case_for_staff(request.user, case, asked_departments=asked)
    if case.person_id is not None:
        key = f"loket.cases.viewed:{request.user.pk}:{case.pk}"
        if cache.add(key, True, timeout=VIEW_RECORD_EVERY):
            try:
                person_view_record(
                    actor=cast(User, request.user),
                    person_id=case.person_id,
                    purpose=f"Dossier {case.reference}",
                )
            except DomainError:
                cache.delete(key)
    return case


def _case_context(request: HttpRequest, case: Case, **overrides: Any) -> dict[str, Any]:
    user = request.user
    handle = can_handle_case(user, case)
    mine = set(advice_department_ids(user))
    advice = selectors.advice_for_case(case=case)
    if not can_view_case(user, case):
        # A department asked for advice sees its own request only, not what the other
        # departments were asked or answered.
        advice = [a for a in advice if a.department_id in mine]
    departments = [
        (str(pk), f"{name} ({organisation})")
        for pk, name, organisation in department_names_with_organisation()
        if pk != case.department_id
    ]
    context: dict[str, Any] = {
        "case": case,
        "can_handle": handle,
        "can_assign": can_assign_case(user, case),
        "transitions": workflow.allowed_transitions(case=case, user=user) if handle else [],
        "timeline": selectors.case_timeline(case=case, public_only=False),
        "notes": selectors.case_notes(case=case),
        "messages_list": selectors.case_messages(case=case),
        "data": selectors.case_data_labelled(case=case),
        "advice": advice,
        "advice_to_answer": [
            a for a in advice if a.department_id in mine and a.status == AdviceStatus.OPEN
        ],
        "transition_form": TransitionForm(initial={"version": case.version}),
        "message_form": MessageForm(),
        "note_form": NoteForm(),
        "advice_form": AdviceForm(department_choices=departments),
        "answer_form": AdviceAnswerForm(),
        "assign_form": AssignForm(
            initial={"assignee": case.assignee_id, "version": case.version},
            staff_choices=selectors.assignable_staff(case=case),
        ),
        "today": case.submitted_at.date(),
        "orders": payment_selectors.orders_for_case(case_id=case.pk),
        "can_view_orders": payment_selectors.staff_may_view_orders(
            user=user, department_id=case.department_id
        ),
    }
    context.update(overrides)
    return context


@cases_staff
def case_page(request: HttpRequest, reference: str) -> HttpResponse:
    case = _staff_case(request, reference)
    return render(request, "cases/backoffice/case.html", _case_context(request, case))


@cases_staff
@require_POST
def case_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    case = _staff_case(request, reference)
    actor: Any = request.user
    forms_by_action: dict[str, tuple[str, Any]] = {
        "stap": ("transition_form", TransitionForm(request.POST)),
        "bericht": ("message_form", MessageForm(request.POST)),
        "notitie": ("note_form", NoteForm(request.POST)),
        "toewijzen": (
            "assign_form",
            AssignForm(
                request.POST,
                staff_choices=selectors.assignable_staff(case=case),
            ),
        ),
        "advies": (
            "advice_form",
            AdviceForm(
                request.POST, department_choices=[(str(d.pk), d.name) for d in department_list()]
            ),
        ),
    }
    if action not in forms_by_action:
        raise Http404
    name, form = forms_by_action[action]
    conflict = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "stap":
                services.case_transition(
                    actor=actor,
                    case_id=case.pk,
                    transition=data["transition"],
                    expected_version=data["version"],
                    note=data["note"],
                )
                messages.success(request, _("The case has been updated."))
            elif action == "bericht":
                services.case_message_send(actor=actor, case_id=case.pk, body=data["body"])
                messages.success(request, _("Your message has been sent to the resident."))
            elif action == "notitie":
                services.case_note_add(actor=actor, case_id=case.pk, text=data["text"])
                messages.success(request, _("Note added."))
            elif action == "toewijzen":
                services.case_assign(
                    actor=actor,
                    case_ids=[case.pk],
                    assignee_id=data["assignee"],
                    expected_version=data["version"],
                )
                messages.success(request, _("Assignment saved."))
            else:
                services.advice_request(
                    actor=actor,
                    case_id=case.pk,
                    department_ids=[int(d) for d in data["departments"]],
                    question=data["question"],
                )
                messages.success(request, _("Advice asked."))
        except DomainError as error:
            form.add_error(None, str(error))
            conflict = isinstance(error, services.CaseChanged)
        else:
            return redirect("cases_staff:detail", reference=case.reference)
    case.refresh_from_db()
    return render(
        request,
        "cases/backoffice/case.html",
        _case_context(request, case, **{name: form}),
        status=409 if conflict else 400,
    )


@cases_staff
@require_POST
def advice_answer(request: HttpRequest, advice_id: int) -> HttpResponse:
    # The request must be one of the case's, and this staff member's department must be
    # the one asked: anything else is not found (and says nothing about other cases).
    case = selectors.case_get(reference=request.POST.get("dossier", ""))
    asked = selectors.advice_for_case(case=case) if case is not None else []
    advice = next((a for a in asked if a.pk == advice_id), None)
    if case is None or advice is None or not can_answer_advice(request.user, advice.department_id):
        raise Http404
    reference = case.reference
    form = AdviceAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.advice_answer(
                actor=cast(User, request.user),
                advice_id=advice_id,
                answer=form.cleaned_data["answer"],
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your advice has been saved."))
    else:
        messages.error(request, _("Write the advice first."))
    return redirect("cases_staff:detail", reference=reference)


def _queue_url() -> str:
    from django.urls import reverse

    return reverse("cases_staff:queue")


# --- Recording a request for a resident -------------------------------------------


@cases_staff
def file_request(request: HttpRequest) -> HttpResponse:
    """Staff record a request made at the counter, by post or by phone: the channel is
    kept on the case. At the counter, the resident being served is filled in."""
    if not can_serve_counter(request.user):  # counter.serve or cases.handle; not read-only
        raise Http404
    types = selectors.case_type_list(anonymous=False)
    served = accounts_selectors.counter_visit_active(request)
    form = FileForm(
        request.POST or None,
        type_choices=[(t.slug, t.name) for t in types],
        initial={"channel": Channel.COUNTER if served is not None else Channel.POST},
    )
    chosen = types.filter(
        slug=request.POST.get("case_type") or request.GET.get("soort", "")
    ).first()
    data_form = (
        data_form_class(chosen)(
            request.POST if request.method == "POST" and "step" in request.POST else None,
            prefix="data",
        )
        if chosen
        else None
    )
    if (
        request.method == "POST"
        and "step" in request.POST
        and form.is_valid()
        and chosen is not None
        and data_form is not None
        and data_form.is_valid()
    ):
        person = None
        number = form.cleaned_data["national_number"].strip()
        channel = form.cleaned_data["channel"]
        if channel == Channel.COUNTER:
            # At the counter only for the resident whose identity card was checked.
            if served is None:
                form.add_error(
                    "channel",
                    _("Start a counter visit (with the identity card check) first."),
                )
            else:
                person = person_get(person_id=served.person_id)
                typed = person_get_by_national_number(national_number=number) if number else None
                if number and (typed is None or person is None or typed.id != person.id):
                    person = None
                    form.add_error(
                        "national_number",
                        _("At the counter you can only file a request for the resident served."),
                    )
        elif not staff_has_permission(
            user=request.user, permission=PERM_HANDLE, department_id=chosen.department_id
        ):
            # Checked before looking up the number: no answer about who is registered.
            form.add_error(
                None,
                _("Only staff of the department that handles this request may record it."),
            )
        elif number:
            person = person_get_by_national_number(national_number=number)
            if person is None:
                form.add_error(
                    "national_number", _("No resident with this national number in the register.")
                )
        else:
            form.add_error("national_number", _("Fill in the national number of the resident."))
        if person is not None:
            try:
                result = services.case_submit(
                    actor=cast(User, request.user),
                    case_type_slug=chosen.slug,
                    data=plain_data(data_form.cleaned_data),
                    party=PartyRef(
                        kind=PartyKind.PERSON,
                        id=person.id,
                        label=person.full_name,
                        person_id=person.id,
                        via="counter" if channel == Channel.COUNTER else "staff",
                    ),
                    channel=channel,
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("Request %(reference)s recorded.") % {"reference": result.reference}
                )
                recorded = selectors.case_get(reference=result.reference)
                if recorded is not None and can_view_case(request.user, recorded):
                    return redirect("cases_staff:detail", reference=result.reference)
                return redirect("cases_staff:file")
    status = 400 if request.method == "POST" and "step" in request.POST else 200
    return render(
        request,
        "cases/backoffice/file.html",
        {"form": form, "data_form": data_form, "chosen": chosen, "served": served},
        status=status,
    )
