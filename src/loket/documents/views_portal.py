"""Portal pages: "Mijn documenten" (for the resident and whom they act for) and the
public verification page (no login)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loket.accounts.constants import LEVEL_MY_DATA, SESSION_LOGIN, ActingVia
from loket.accounts.selectors import acting_party, counter_visit_active
from loket.accounts.services import party_audit_changes, party_audit_subject
from loket.accounts.types import Party
from loket.core.constants import AuditAction
from loket.core.services import DomainError, audit_record
from loket.documents import selectors, services
from loket.documents.constants import MANDATE_SCOPE_DOCUMENTS, VerificationOutcome
from loket.documents.forms import RequestForm, VerifyCodeForm, VerifyUploadForm
from loket.documents.types import format_code


def _login_level(request: HttpRequest) -> int | None:
    if not request.user.is_authenticated:
        return None
    login = request.session.get(SESSION_LOGIN)
    return int(login.get("level", 0)) if isinstance(login, dict) else None


def resident_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A resident login of at least itsme level; the view gets the acting party (the
    resident, or whom they act for); a clerk at the counter acts for the resident while
    their counter visit counts (verified staff session, ``counter.serve``, not too old).

    A mandate limited to some services opens the grantor's documents only when it
    names ``MANDATE_SCOPE_DOCUMENTS``: otherwise the page says why nothing is shown."""

    @never_cache
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        party = acting_party(request)
        at_counter = (
            party is not None
            and party.via == ActingVia.COUNTER
            and counter_visit_active(request) is not None
        )
        if not at_counter:
            if party is not None and party.via == ActingVia.COUNTER:
                party = None
            level = _login_level(request)
            here = request.get_full_path()
            if level is None:
                return redirect(f"{reverse('accounts:login')}?{urlencode({'next': here})}")
            if level < LEVEL_MY_DATA:
                query = urlencode({"level": LEVEL_MY_DATA, "next": here})
                return redirect(f"{reverse('accounts:start')}?{query}")
        if party is None:
            return render(request, "documents/portal/limited.html")
        if not party.covers(MANDATE_SCOPE_DOCUMENTS):
            return render(
                request,
                "documents/portal/limited.html",
                {"mandate_party": party},
                status=403,
            )
        return view(request, party, *args, **kwargs)

    return wrapper


def _request_choices(language: str) -> list[tuple[str, str]]:
    return [(t.key, t.title) for t in selectors.template_keys_self_service(language=language)]


@require_GET
@resident_page
def my_documents(request: HttpRequest, party: Party) -> HttpResponse:
    page: list[Any] = []
    next_cursor = None
    if party.person_id is not None:
        page, next_cursor = selectors.documents_for_person(
            person_id=party.person_id, after=request.GET.get("na") or None
        )
    language = (get_language() or "nl")[:2]
    return render(
        request,
        "documents/portal/my_documents.html",
        {
            "party": party,
            "page": page,
            "next_cursor": next_cursor,
            "first_page": not request.GET.get("na"),
            "form": RequestForm(choices=_request_choices(language)),
            "can_request": party.person_id is not None,
        },
    )


@require_POST
@resident_page
def request_document(request: HttpRequest, party: Party) -> HttpResponse:
    if party.person_id is None:
        raise Http404
    language = (get_language() or "nl")[:2]
    form = RequestForm(request.POST, choices=_request_choices(language))
    if not form.is_valid():
        messages.error(request, _("Choose the document you need."))
        return redirect("documents:mine")
    try:
        document = services.document_issue(
            actor=request.user,
            template_key=form.cleaned_data["template"],
            person_id=party.person_id,
            language=language,
        )
    except DomainError as exc:
        messages.error(
            request,
            _("Your document could not be made right now, and nothing was issued: %(why)s")
            % {"why": exc},
        )
        return redirect("documents:mine")
    if not party.is_self:
        audit_record(
            actor=request.user,  # type: ignore[arg-type]
            action=AuditAction.CREATE,
            object_type="documents.document",
            object_id=str(document.id),
            object_label=f"{document.title} {document.display_code}",
            subject_person_id=party_audit_subject(party),
            changes=party_audit_changes(party, event="document-requested"),
        )
    messages.success(
        request,
        _("Your %(title)s is ready. You can download it below.") % {"title": document.title},
    )
    return redirect("documents:mine")


@require_GET
@resident_page
def download(request: HttpRequest, party: Party, code: str) -> FileResponse:
    if party.person_id is None:
        raise Http404
    document = selectors.document_get_for_person(person_id=party.person_id, code=code)
    if document is None:
        raise Http404
    if not party.is_self:
        audit_record(
            actor=request.user,  # type: ignore[arg-type]
            action=AuditAction.VIEW,
            object_type="documents.document",
            object_id=str(document.pk),
            object_label=f"{document.title} {format_code(document.code)}",
            subject_person_id=party_audit_subject(party),
            changes=party_audit_changes(party, event="document-downloaded"),
        )
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.template_key}-{format_code(document.code)}.pdf",
        content_type="application/pdf",
    )


# --- public verification ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    code_form = VerifyCodeForm(prefix="c")
    upload_form = VerifyUploadForm(prefix="u")
    if request.method == "POST":
        if "u-file" in request.FILES or request.POST.get("which") == "upload":
            upload_form = VerifyUploadForm(request.POST, request.FILES, prefix="u")
            if upload_form.is_valid():
                upload = upload_form.cleaned_data["file"]
                result = selectors.verification_by_pdf(data=upload.read())
                return _result(request, result, by_upload=True)
        else:
            code_form = VerifyCodeForm(request.POST, prefix="c")
            if code_form.is_valid():
                from loket.documents.types import normalise_code

                code = normalise_code(code_form.cleaned_data["code"])
                if code:
                    return redirect("documents:verify-code", code=code)
                code_form.add_error("code", _("Type the code under the QR code."))
    return render(
        request,
        "documents/verify/start.html",
        {"code_form": code_form, "upload_form": upload_form},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    return _result(request, selectors.verification_by_code(code=code), by_upload=False)


def _result(request: HttpRequest, result: Any, *, by_upload: bool) -> HttpResponse:
    return render(
        request,
        "documents/verify/result.html",
        {
            "result": result,
            "by_upload": by_upload,
            "display_code": format_code(result.code) if result.code else "",
            "Outcome": VerificationOutcome,
        },
    )
