"""Back-office pages (mounted under /backoffice/documenten/): documents, issuing,
revoking and re-issuing, the template editor with live preview, print batches."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from loket.accounts.services import person_view_record
from loket.accounts.staff.selectors import staff_session_is_verified
from loket.core.services import DomainError
from loket.documents import permissions, rendering, selectors, services
from loket.documents.constants import LANGUAGES, PrintBatchStatus
from loket.documents.forms import IssueForm, ReasonForm, TemplateForm
from loket.documents.types import format_code
from loket.people.selectors import person_get, person_get_by_national_number


def staff_page(check: Callable[[Any], bool]) -> Callable[..., Any]:
    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @never_cache
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not (
                permissions.can_enter(request.user) and staff_session_is_verified(request=request)
            ):
                return redirect_to_login(request.get_full_path(), "backoffice:login")
            if not check(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _template_choices() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for template in selectors.template_list():
        if template.language == "nl" or template.key not in seen:
            seen[template.key] = template.title
    return sorted(seen.items(), key=lambda item: item[1])


# --- documents -----------------------------------------------------------------------


@staff_page(permissions.can_enter)
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_handle = permissions.can_handle_documents(user)
    page: list[Any] = []
    next_cursor = None
    if can_handle:
        departments = permissions.document_departments(user)
        code = (request.GET.get("code") or "").strip()
        if code:
            document = selectors.document_get_by_code(code=code)
            if document is not None and permissions.may_see_document(user, document):
                return redirect("documents_staff:detail", document_id=document.pk)
            messages.error(request, _("No document has this code."))
        case = (request.GET.get("case") or "").strip()
        if case.isdigit():
            page = selectors.documents_for_case(case_id=int(case), departments=departments)
        else:
            page, next_cursor = selectors.documents_recent(
                after=request.GET.get("na") or None, departments=departments
            )
    return render(
        request,
        "documents/staff/index.html",
        {
            "page": page,
            "next_cursor": next_cursor,
            "can_handle": can_handle,
            "case": request.GET.get("case", ""),
            "can_edit_templates": permissions.can_edit_templates(user),
            "can_print": permissions.can_run_print_batches(user),
        },
    )


@staff_page(permissions.can_handle_documents)
@require_http_methods(["GET", "POST"])
def issue(request: HttpRequest) -> HttpResponse:
    form = IssueForm(request.POST or None, choices=_template_choices())
    if request.method == "POST" and form.is_valid():
        person = person_get_by_national_number(national_number=form.cleaned_data["national_number"])
        if person is None:
            form.add_error("national_number", _("No resident has this national number."))
        else:
            try:
                person_view_record(
                    actor=request.user,  # type: ignore[arg-type]
                    person_id=person.id,
                    purpose=form.cleaned_data["purpose"],
                )
                document = services.document_issue(
                    actor=request.user,
                    template_key=form.cleaned_data["template"],
                    person_id=person.id,
                    language=form.cleaned_data["language"] or None,
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("Document %(code)s was issued and sealed.") % {"code": document.display_code},
                )
                return redirect("documents_staff:detail", document_id=document.id)
    return render(
        request,
        "documents/staff/issue.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _document_or_404(request: HttpRequest, document_id: int) -> Any:
    """The document if this staff member may see it (its department is one of theirs,
    or it was issued outside a case); 404 otherwise, also before any person read."""
    document = selectors.document_get(
        document_id=document_id, departments=permissions.document_departments(request.user)
    )
    return permissions.access_document(request.user, document)


@staff_page(permissions.can_handle_documents)
def detail(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document_or_404(request, document_id)
    person_view_record(
        actor=request.user,  # type: ignore[arg-type]
        person_id=document.person_id,
        purpose=_("Open document %(code)s") % {"code": format_code(document.code)},
    )
    return render(
        request,
        "documents/staff/detail.html",
        {
            "document": document,
            "display_code": format_code(document.code),
            "person": person_get(person_id=document.person_id),
            "revoke_form": ReasonForm(prefix="revoke"),
            "reissue_form": ReasonForm(prefix="reissue"),
            "replaced_by": getattr(document, "replaced_by", None)
            if hasattr(document, "replaced_by")
            else None,
        },
    )


@staff_page(permissions.can_handle_documents)
def download(request: HttpRequest, document_id: int) -> FileResponse:
    document = _document_or_404(request, document_id)
    person_view_record(
        actor=request.user,  # type: ignore[arg-type]
        person_id=document.person_id,
        purpose=_("Download document %(code)s") % {"code": format_code(document.code)},
    )
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.template_key}-{format_code(document.code)}.pdf",
        content_type="application/pdf",
    )


@staff_page(permissions.can_handle_documents)
@require_POST
def revoke(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document_or_404(request, document_id)
    form = ReasonForm(request.POST, prefix="revoke")
    if form.is_valid():
        try:
            services.document_revoke(
                actor=request.user, document_id=document.pk, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The document is revoked."))
            return redirect("documents_staff:detail", document_id=document.pk)
    else:
        messages.error(request, _("Say why the document is revoked."))
    return redirect("documents_staff:detail", document_id=document.pk)


@staff_page(permissions.can_handle_documents)
@require_POST
def reissue(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document_or_404(request, document_id)
    form = ReasonForm(request.POST, prefix="reissue")
    if not form.is_valid():
        messages.error(request, _("Say why the document is issued again."))
        return redirect("documents_staff:detail", document_id=document.pk)
    try:
        new = services.document_reissue(
            actor=request.user, document_id=document.pk, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        messages.error(
            request,
            _("The document was not issued again; the old one stays valid: %(why)s") % {"why": exc},
        )
        return redirect("documents_staff:detail", document_id=document.pk)
    messages.success(
        request,
        _("Issued again as %(code)s; the old document is revoked.") % {"code": new.display_code},
    )
    return redirect("documents_staff:detail", document_id=new.id)


# --- templates -------------------------------------------------------------------------


@staff_page(permissions.can_edit_templates)
def template_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "documents/staff/templates.html", {"templates": selectors.template_list()}
    )


@staff_page(permissions.can_edit_templates)
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, key: str, language: str) -> HttpResponse:
    if language not in LANGUAGES:
        raise Http404
    current = selectors.template_current(key=key, language=language)
    if current is None:
        raise Http404
    problem = None
    preview_html = ""
    if request.method == "POST" and request.POST.get("action") == "publish":
        try:
            services.template_publish(actor=request.user, key=key, language=language)
        except rendering.TemplateBroken as exc:
            messages.error(
                request,
                _("Not published: the template has an error. %(e)s") % {"e": exc.problem.message},
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Published: new documents use this version."))
        return redirect("documents_staff:template-edit", key=key, language=language)
    if request.method == "POST" and request.POST.get("action") == "discard":
        services.template_discard(actor=request.user, key=key, language=language)
        messages.success(request, _("Your changes were discarded."))
        return redirect("documents_staff:template-edit", key=key, language=language)
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            current = services.template_save(
                actor=request.user,
                key=key,
                language=language,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                css=form.cleaned_data["css"],
            )
            messages.success(request, _("Saved as a working copy. Check the preview."))
    else:
        form = TemplateForm(
            initial={"title": current.title, "body": current.body, "css": current.css}
        )
    body = form.data.get("body", current.body) if form.is_bound else current.body
    try:
        with translation.override(language):
            preview_html = rendering.body_render(
                body, selectors.template_sample_context(language=language)
            )
    except rendering.TemplateBroken as exc:
        problem = exc.problem
    return render(
        request,
        "documents/staff/template_edit.html",
        {
            "template": current,
            "form": form,
            "problem": problem,
            "preview_html": preview_html,
            "key": key,
            "language": language,
        },
        status=400 if request.method == "POST" and not form.is_valid() else 200,
    )


@staff_page(permissions.can_edit_templates)
def template_preview_pdf(request: HttpRequest, key: str, language: str) -> HttpResponse:
    """The working copy as a PDF with made-up data (not sealed, never stored)."""
    current = selectors.template_current(key=key, language=language)
    if current is None:
        raise Http404
    try:
        with translation.override(language):
            context = selectors.template_sample_context(language=language)
            body = rendering.body_render(current.body, context)
    except rendering.TemplateBroken as exc:
        return render(
            request,
            "documents/staff/preview_error.html",
            {"problem": exc.problem, "key": key, "language": language},
            status=422,
        )
    html = rendering.page_html(
        title=current.title,
        language=language,
        body_html=body,
        css=current.css,
        organisation=context["municipality"],
        recipient={"name": "Maria Voorbeeld", "lines": ["Voorbeeldstraat 1", "9999 Voorbeeldgem"]},
        code="ABCD-EFGH-JKMN",
        verify_url=request.build_absolute_uri("/verificatie/"),
    )
    try:
        rendered = rendering.pdf_render(html, title=current.title, language=language)
    except Exception as exc:
        return render(
            request,
            "documents/staff/preview_error.html",
            {
                "problem": rendering.TemplateProblem(f"{type(exc).__name__}: {exc}"),
                "key": key,
                "language": language,
            },
            status=422,
        )
    response = HttpResponse(rendered.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="preview-{key}-{language}.pdf"'
    return response


# --- print batches -------------------------------------------------------------------------


@staff_page(permissions.can_run_print_batches)
@require_http_methods(["GET", "POST"])
def batches(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            batch = services.print_batch_run(actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            if batch is None:
                messages.success(request, _("No letters are waiting for paper."))
            else:
                messages.success(
                    request,
                    _("Print batch %(ref)s is ready: %(n)s letters.")
                    % {"ref": batch.reference, "n": batch.letter_count},
                )
                return redirect("documents_staff:batch", batch_id=batch.pk)
        return redirect("documents_staff:batches")
    return render(
        request, "documents/staff/batches.html", {"batches": selectors.print_batch_list()}
    )


def _batch_or_404(batch_id: int) -> Any:
    batch = selectors.print_batch_get(batch_id=batch_id)
    if batch is None:
        raise Http404
    return batch


@staff_page(permissions.can_run_print_batches)
def batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    found = _batch_or_404(batch_id)
    return render(
        request,
        "documents/staff/batch.html",
        {
            "batch": found,
            "letters": selectors.print_batch_letters(batch_id=found.pk),
            "Status": PrintBatchStatus,
        },
    )


@staff_page(permissions.can_run_print_batches)
def batch_pdf(request: HttpRequest, batch_id: int) -> FileResponse:
    found = _batch_or_404(batch_id)
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=f"print-batch-{found.reference}.pdf",
        content_type="application/pdf",
    )


@staff_page(permissions.can_run_print_batches)
@require_POST
def batch_mark(request: HttpRequest, batch_id: int, step: str) -> HttpResponse:
    found = _batch_or_404(batch_id)
    try:
        if step == "printed":
            services.print_batch_mark_printed(actor=request.user, batch_id=found.pk)
            messages.success(request, _("Marked printed: the letters count as sent."))
        elif step == "posted":
            services.print_batch_mark_posted(actor=request.user, batch_id=found.pk)
            messages.success(request, _("Marked posted."))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("documents_staff:batch", batch_id=found.pk)
