"""Back office "Inwoners": find a resident, say why, then see their minimal file.

Every opening of a file writes one line to the resident's access log
("Wie bekeek mijn gegevens?") through ``person_view_record``."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode

from loket.accounts.services import person_view_record
from loket.backoffice.constants import RESIDENTS_PER_PAGE
from loket.backoffice.forms import ResidentSearchForm, ViewPurposeForm
from loket.backoffice.permissions import has_permission, permission_required, staff_actor
from loket.backoffice.selectors import age_on, resident_file
from loket.core.constants import Permission
from loket.core.services import DomainError
from loket.people.selectors import person_get, person_search


@permission_required(Permission.PEOPLE_VIEW)
def resident_search(request: HttpRequest) -> HttpResponse:
    """Search by name (GET, paginated) or by full national number (POST only)."""
    if request.method == "POST":
        form = ResidentSearchForm(request.POST, allow_number=True)
        after = None
    else:
        form = ResidentSearchForm(request.GET if "q" in request.GET else None)
        after = request.GET.get("after") or None
    page = None
    next_url = ""
    query = ""
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"]
    if query:
        try:
            page = person_search(query=query, limit=RESIDENTS_PER_PAGE, after=after)
        except ValueError:  # a cursor we did not make: start at the first page
            page = person_search(query=query, limit=RESIDENTS_PER_PAGE)
        if page.next_cursor and not any(ch.isdigit() for ch in query):
            next_url = "?" + urlencode({"q": query, "after": page.next_cursor})
    today = timezone.localdate()
    results = [(person, age_on(person.birth_date, today)) for person in page.items] if page else []
    status = 400 if form.is_bound and not form.is_valid() else 200
    context: dict[str, Any] = {
        "form": form,
        "query": query,
        "results": results,
        "searched": page is not None,
        "next_url": next_url,
        "continued": bool(after),
    }
    return render(request, "backoffice/residents/search.html", context, status=status)


@permission_required(Permission.PEOPLE_VIEW)
def resident_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    """GET: the purpose form. POST: record the view with its purpose, show the file."""
    person = person_get(person_id=person_id)
    if person is None:
        raise Http404
    form = ViewPurposeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            person_view_record(
                actor=staff_actor(request), person_id=person_id, purpose=form.reason()
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            file = resident_file(person_id=person_id)
            if file is None:  # removed between the two reads
                raise Http404
            return render(
                request,
                "backoffice/residents/file.html",
                {
                    "file": file,
                    "reason": form.reason(),
                    "social_file_visible": has_permission(
                        request.user, Permission.SOCIAL_FILE_VIEW
                    ),
                },
            )
    return render(
        request,
        "backoffice/residents/purpose.html",
        {"person": person, "form": form},
        status=400 if form.is_bound else 200,
    )
