"""Back-office pages of the catalogue: services, the form builder (plain forms, no
JavaScript), a live preview as the resident sees it, and CPSV-AP import."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from loket.accounts.staff.selectors import staff_session_is_verified
from loket.catalog import formengine, selectors, services
from loket.catalog.constants import FieldType, PrefillKey
from loket.catalog.fees import FeeKind, VatRate, format_euros
from loket.catalog.forms import (
    FieldForm,
    ImportForm,
    ServiceForm,
    StepForm,
    earlier_questions,
    earlier_steps_questions,
    field_initial,
    step_initial,
)
from loket.catalog.models import Service
from loket.catalog.permissions import access_service, can_edit_catalog
from loket.catalog.types import Fact, FormDef, UploadInfo
from loket.core.constants import Permission
from loket.core.selectors import department_list, staff_department_ids
from loket.core.services import DomainError

_PREVIEW_SALT = "loket.catalog.preview"

# What a prefilled question looks like in the preview (an invented resident).
SAMPLE_FACTS: dict[str, Fact] = {
    PrefillKey.FULL_NAME: Fact(
        key=PrefillKey.FULL_NAME, value="An Voorbeeld", display="An Voorbeeld"
    ),
    PrefillKey.FIRST_NAME: Fact(key=PrefillKey.FIRST_NAME, value="An", display="An"),
    PrefillKey.LAST_NAME: Fact(key=PrefillKey.LAST_NAME, value="Voorbeeld", display="Voorbeeld"),
    PrefillKey.BIRTH_DATE: Fact(
        key=PrefillKey.BIRTH_DATE, value="1980-05-17", display="17 mei 1980"
    ),
    PrefillKey.ADDRESS: Fact(
        key=PrefillKey.ADDRESS,
        value={"label": "Marktplein 1, 8770 Ingelmunster"},
        display="Marktplein 1, 8770 Ingelmunster",
    ),
    PrefillKey.EMAIL: Fact(
        key=PrefillKey.EMAIL, value="an@voorbeeld.be", display="an@voorbeeld.be"
    ),
    PrefillKey.HOUSEHOLD: Fact(
        key=PrefillKey.HOUSEHOLD, value=[], display="An Voorbeeld, Bram Voorbeeld"
    ),
}


def catalog_staff(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff with a complete staff session and ``catalog.edit`` somewhere; others log in
    (or get a 404 when logged in without the permission)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not staff_session_is_verified(request=request):
            return redirect_to_login(request.get_full_path(), "backoffice:login")
        if not can_edit_catalog(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _departments(user: Any) -> list[tuple[int, str]]:
    allowed = staff_department_ids(user=user, permission=Permission.CATALOG_EDIT)
    return [
        (d.pk, f"{d.organisation.name} – {d.name}")
        for d in department_list().filter(pk__in=allowed).order_by("organisation__name", "name")
    ]


def _choices(user: Any) -> dict[str, list[tuple[int, str]]]:
    return {
        "departments": _departments(user),
        "target_groups": [(g.pk, g.name) for g in selectors.target_group_list()],
        "life_events": [(e.pk, e.name) for e in selectors.life_event_list().order_by("order")],
    }


# --- Services ------------------------------------------------------------------------


@catalog_staff
def service_list(request: HttpRequest) -> HttpResponse:
    page = selectors.service_list_for_staff(user=request.user, after=request.GET.get("na") or None)
    return render(request, "catalog/staff/service_list.html", {"page": page})


def _input(form: ServiceForm, *, identifier: str = "") -> services.ServiceInput:
    data = form.cleaned_data
    translations = {
        language: {"title": data[f"title_{language}"]}
        for language in ("fr", "en", "de")
        if data.get(f"title_{language}")
    }
    return services.ServiceInput(
        slug=data["slug"],
        title=data["title"],
        summary=data["summary"],
        department_id=data["department"],
        description=data["description"],
        who_can_apply=data["who_can_apply"],
        conditions=data["conditions"],
        procedure=data["procedure"],
        cost_text=data["cost_text"],
        output=data["output"],
        legal_basis=data["legal_basis"],
        channels=tuple(data["channels"]),
        login_level=data["login_level"],
        target_group_ids=tuple(data["target_groups"]),
        life_event_ids=tuple(data["life_events"]),
        is_published=data["is_published"],
        ipdc_code=data["ipdc_code"],
        identifier=identifier,
        translations=translations,
        fee=_fee_input(data),
    )


def _fee_input(data: dict[str, Any]) -> services.FeeInput:
    kind = data.get("fee_kind") or FeeKind.NONE
    if kind == FeeKind.NONE:
        return services.FeeInput(kind=FeeKind.NONE)
    return services.FeeInput(
        kind=kind,
        amount_cents=data.get("fee_amount_cents") or 0,
        label=data.get("fee_label", ""),
        quantity_field=data.get("fee_quantity_field", ""),
        unit=data.get("fee_unit", ""),
        vat_rate=data.get("fee_vat_rate") or VatRate.NONE,
        resident_cents=data.get("fee_resident_cents"),
        association_cents=data.get("fee_association_cents"),
        senior_cents=data.get("fee_senior_cents"),
        free_field=data.get("fee_free_field", ""),
        free_value=data.get("fee_free_value", ""),
    )


def _fee_initial(service: Service) -> dict[str, Any]:
    fee = selectors.fee_get(service=service)
    if fee is None:
        return {"fee_kind": FeeKind.NONE}

    def euros(cents: int | None) -> str:
        return "" if cents is None else format_euros(cents).removeprefix("€ ")

    return {
        "fee_kind": FeeKind.PER_ITEM if fee.quantity_field else FeeKind.FIXED,
        "fee_label": fee.label,
        "fee_amount": euros(fee.amount_cents),
        "fee_quantity_field": fee.quantity_field,
        "fee_unit": fee.unit,
        "fee_vat_rate": fee.vat_rate,
        "fee_resident": euros(fee.resident_cents),
        "fee_association": euros(fee.association_cents),
        "fee_senior": euros(fee.senior_cents),
        "fee_free_field": fee.free_field,
        "fee_free_value": fee.free_value,
    }


@catalog_staff
@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest) -> HttpResponse:
    form = ServiceForm(request.POST or None, **_choices(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            service = services.service_create(actor=request.user, data=_input(form))
        except DomainError as error:
            form.add_error(None, str(error))
        except PermissionDenied:
            form.add_error("department", _("You may not add services to this department."))
        else:
            messages.success(request, _("The service was added. Now build its form."))
            return redirect("catalog_staff:form", service_id=service.pk)
    return render(request, "catalog/staff/service_edit.html", {"form": form, "service": None})


def _service_initial(service: Service) -> dict[str, Any]:
    translations = service.translations or {}
    return {
        "title": service.title,
        "slug": service.slug,
        "summary": service.summary,
        "description": service.description,
        "who_can_apply": service.who_can_apply,
        "conditions": service.conditions,
        "procedure": service.procedure,
        "cost_text": service.cost_text,
        "output": service.output,
        "legal_basis": service.legal_basis,
        "channels": service.channels,
        "login_level": service.login_level,
        "department": service.department_id,
        "target_groups": [g.pk for g in service.target_groups.all()],
        "life_events": [e.pk for e in service.life_events.all()],
        "ipdc_code": service.ipdc_code,
        "is_published": service.is_published,
        **{
            f"title_{lang}": translations.get(lang, {}).get("title", "")
            for lang in ("fr", "en", "de")
        },
        **_fee_initial(service),
    }


@catalog_staff
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    service = access_service(request.user, service_id)
    form = ServiceForm(
        request.POST or None, initial=_service_initial(service), **_choices(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.service_update(
                actor=request.user,
                service_id=service.pk,
                data=_input(form, identifier=service.identifier),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        except PermissionDenied:
            form.add_error("department", _("You may not move the service to this department."))
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("catalog_staff:edit", service_id=service.pk)
    return render(request, "catalog/staff/service_edit.html", {"form": form, "service": service})


# --- Form builder --------------------------------------------------------------------


@catalog_staff
def form_builder(request: HttpRequest, service_id: int) -> HttpResponse:
    service = access_service(request.user, service_id)
    working = selectors.form_working_copy_get(service=service)
    published = selectors.form_definition_get(service=service)
    return render(
        request,
        "catalog/staff/form_builder.html",
        {
            "service": service,
            "form_def": working,
            "published": published,
            "unpublished": selectors.form_has_unpublished_changes(service=service),
            "versions": selectors.form_versions_list(service=service),
            "step_form": StepForm(earlier=earlier_steps_questions(working, step_key=None)),
            "field_types": dict(FieldType.choices),
        },
    )


def _step_or_404(form: FormDef, step_key: str) -> Any:
    step = form.step(step_key)
    if step is None:
        raise Http404
    return step


@catalog_staff
@require_http_methods(["GET", "POST"])
def step_edit(request: HttpRequest, service_id: int, step_key: str | None = None) -> HttpResponse:
    service = access_service(request.user, service_id)
    working = selectors.form_working_copy_get(service=service)
    step = _step_or_404(working, step_key) if step_key else None
    earlier = earlier_steps_questions(working, step_key=step_key)
    form = StepForm(
        request.POST or None, initial=step_initial(step) if step else None, earlier=earlier
    )
    if step is not None:
        form.fields["key"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            if step is None:
                services.form_step_add(
                    actor=request.user,
                    service_id=service.pk,
                    key=form.cleaned_data["key"],
                    title=form.cleaned_data["title"],
                    intro=form.cleaned_data["intro"],
                    show_if=form.show_if(),
                )
            else:
                services.form_step_update(
                    actor=request.user,
                    service_id=service.pk,
                    step_key=step.key,
                    title=form.cleaned_data["title"],
                    intro=form.cleaned_data["intro"],
                    show_if=form.show_if(),
                )
        except formengine.DefinitionError as error:
            for problem in error.problems:
                form.add_error(None, problem)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The step is saved."))
            return redirect("catalog_staff:form", service_id=service.pk)
    return render(
        request, "catalog/staff/step_edit.html", {"service": service, "form": form, "step": step}
    )


@catalog_staff
@require_http_methods(["GET", "POST"])
def field_edit(
    request: HttpRequest, service_id: int, step_key: str, field_key: str | None = None
) -> HttpResponse:
    service = access_service(request.user, service_id)
    working = selectors.form_working_copy_get(service=service)
    step = _step_or_404(working, step_key)
    field = next((f for f in step.fields if f.key == field_key), None) if field_key else None
    if field_key and field is None:
        raise Http404
    earlier = earlier_questions(working, step_key=step.key, field_key=field_key)
    form = FieldForm(
        request.POST or None,
        initial=field_initial(field) if field else {"type": request.GET.get("type", "text")},
        earlier=earlier,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.form_field_save(
                actor=request.user,
                service_id=service.pk,
                step_key=step.key,
                field=form.as_definition(),
                original_key=field_key,
            )
        except formengine.DefinitionError as error:
            for problem in error.problems:
                form.add_error(None, problem)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The question is saved."))
            return redirect("catalog_staff:form", service_id=service.pk)
    return render(
        request,
        "catalog/staff/field_edit.html",
        {"service": service, "form": form, "step": step, "field": field},
    )


@catalog_staff
@require_POST
def form_action(request: HttpRequest, service_id: int) -> HttpResponse:
    """Move, remove, publish, discard: one button each on the builder page."""
    service = access_service(request.user, service_id)
    action = request.POST.get("action", "")
    step_key = request.POST.get("step", "")
    field_key = request.POST.get("field", "")
    actor = request.user
    try:
        if action in ("step-up", "step-down"):
            services.form_step_move(
                actor=actor,
                service_id=service.pk,
                step_key=step_key,
                direction=-1 if action == "step-up" else 1,
            )
        elif action == "step-remove":
            services.form_step_remove(actor=actor, service_id=service.pk, step_key=step_key)
        elif action in ("field-up", "field-down"):
            services.form_field_move(
                actor=actor,
                service_id=service.pk,
                step_key=step_key,
                field_key=field_key,
                direction=-1 if action == "field-up" else 1,
            )
        elif action == "field-remove":
            services.form_field_remove(
                actor=actor, service_id=service.pk, step_key=step_key, field_key=field_key
            )
        elif action == "publish":
            version = services.form_version_publish(actor=actor, service_id=service.pk)
            messages.success(
                request,
                _("Version %(version)s is published. Requests already sent keep their version.")
                % {"version": version},
            )
        elif action == "discard":
            services.form_working_copy_discard(actor=actor, service_id=service.pk)
            messages.success(request, _("The changes that were not published are discarded."))
        else:
            messages.error(request, _("Unknown action."))
    except formengine.DefinitionError as error:
        messages.error(
            request,
            _("This change would break the form, so nothing was changed: %(problems)s")
            % {"problems": " ".join(error.problems)},
        )
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("catalog_staff:form", service_id=service.pk)


def _preview_store(*, field_key: str, file: Any, content_type: str) -> UploadInfo:
    # The preview checks the file like the real form, but keeps nothing.
    return UploadInfo(
        token="", name=file.name or "", content_type=content_type, size=file.size or 0
    )


@catalog_staff
@require_http_methods(["GET", "POST"])
def form_preview(request: HttpRequest, service_id: int) -> HttpResponse:
    """The working copy as a resident sees it, step by step; answers of earlier steps
    travel in a signed hidden field, nothing is stored."""
    service = access_service(request.user, service_id)
    working = selectors.form_working_copy_get(service=service)
    answers: dict[str, Any] = {}
    signed = request.POST.get("preview_answers", "")
    if signed:
        try:
            answers = signing.loads(signed, salt=_PREVIEW_SALT)
        except signing.BadSignature:
            answers = {}
    visible = selectors.form_steps_visible(definition=working, answers=answers)
    if not visible:
        return render(
            request,
            "catalog/staff/form_preview.html",
            {"service": service, "form_step": None, "done": False},
        )
    step_key = request.POST.get("step") or request.GET.get("stap") or visible[0].key
    if working.step(step_key) is None:
        step_key = visible[0].key
    result = None
    done = False
    if request.method == "POST" and request.POST.get("action") == "back":
        previous = selectors.form_step_previous(
            definition=working, step_key=step_key, answers=answers
        )
        step_key = previous.key if previous else step_key
    elif request.method == "POST":
        result = formengine.step_validate(
            working,
            step_key=step_key,
            data=request.POST,
            files=request.FILES,
            known=SAMPLE_FACTS,
            answers=answers,
            store=_preview_store,
        )
        if result.ok:
            answers = formengine.answers_merge(working, answers, result)
            following = selectors.form_step_next(
                definition=working, step_key=step_key, answers=answers
            )
            if following is None:
                done = True
            else:
                step_key = following.key
            result = None
    form_step = selectors.form_step_render(
        definition=working, step_key=step_key, answers=answers, known=SAMPLE_FACTS, result=result
    )
    final = None
    if done:
        final, _facts, _incomplete = formengine.answers_final(working, answers, SAMPLE_FACTS)
    return render(
        request,
        "catalog/staff/form_preview.html",
        {
            "service": service,
            "form_step": form_step,
            "done": done,
            "final": final,
            "preview_answers": signing.dumps(answers, salt=_PREVIEW_SALT),
        },
    )


# --- Import --------------------------------------------------------------------------


@catalog_staff
@require_http_methods(["GET", "POST"])
def catalog_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(
        request.POST or None, request.FILES or None, departments=_departments(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            created, updated, _ids = services.catalog_import_jsonld(
                actor=request.user,
                document=form.cleaned_data["file"],
                default_department_id=form.cleaned_data["department"],
            )
        except PermissionDenied:
            form.add_error(
                None,
                _("The file has services of departments you may not edit. Nothing was imported."),
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Import done: %(created)s new services, %(updated)s changed. "
                    "New services are not published yet."
                )
                % {"created": created, "updated": updated},
            )
            return redirect("catalog_staff:list")
    return render(request, "catalog/staff/import.html", {"form": form})
