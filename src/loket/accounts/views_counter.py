"""Counter mode (/backoffice/balie/): a clerk finds a resident, checks their identity
card and serves them on their behalf. Thin views: the rules are in the services."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loket.accounts.constants import SESSION_COUNTER
from loket.accounts.forms import CounterCheckForm, CounterSearchForm
from loket.accounts.permissions import counter_required
from loket.accounts.selectors import counter_is_locked, counter_visit_active
from loket.accounts.services import (
    CounterCheckFailed,
    counter_visit_end,
    counter_visit_start,
    person_view_record,
)
from loket.people.selectors import person_get, person_search_by_name_and_birth_date


def _end_expired_visit(request: HttpRequest) -> None:
    """The session still names a visit that no longer counts (too old): end it, with
    its audit line, and forget it."""
    visit_id = request.session.get(SESSION_COUNTER)
    if isinstance(visit_id, int):
        counter_visit_end(
            clerk=request.user,  # type: ignore[arg-type]
            visit_id=visit_id,
            session=request.session,
        )
    request.session.pop(SESSION_COUNTER, None)


@require_http_methods(["GET", "POST"])
@never_cache
@counter_required
def home(request: HttpRequest) -> HttpResponse:
    """Find the resident at the counter by name and date of birth. The search is a
    POST: a name and a date of birth do not belong in URLs (history, logs)."""
    form = CounterSearchForm(request.POST if request.method == "POST" else None)
    results = None
    if form.is_bound and form.is_valid():
        results = person_search_by_name_and_birth_date(
            name=form.cleaned_data["name"], birth_date=form.cleaned_data["birth_date"]
        )
    visit = counter_visit_active(request)
    if visit is None and request.session.get(SESSION_COUNTER) is not None:
        _end_expired_visit(request)
    return render(
        request,
        "accounts/counter/home.html",
        {"form": form, "results": results, "visit": visit},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_http_methods(["GET", "POST"])
@never_cache
@counter_required
def check(request: HttpRequest, person_id: int) -> HttpResponse:
    """Type the number of the resident's identity card; on a match the visit starts."""
    person = person_get(person_id=person_id)
    if person is None or person.is_deceased:
        raise Http404
    form = CounterCheckForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                counter_visit_start(
                    clerk=request.user,  # type: ignore[arg-type]
                    person_id=person.id,
                    card_number=form.cleaned_data["card_number"],
                    purpose=form.cleaned_data["purpose"],
                    session=request.session,
                )
            except CounterCheckFailed as failed:
                form.add_error(None, str(failed))
                status = 409
            else:
                messages.success(
                    request,
                    _("Identity checked. You now serve %(name)s at the counter.")
                    % {"name": person.full_name},
                )
                return redirect("counter:visit")
        else:
            status = 400
    return render(
        request,
        "accounts/counter/check.html",
        {"form": form, "person": person, "locked": counter_is_locked(person_id=person.id)},
        status=status,
    )


@require_GET
@never_cache
@counter_required
def visit(request: HttpRequest) -> HttpResponse:
    """The resident being served: their summary (a staff read, so recorded)."""
    current = counter_visit_active(request)
    if current is None:
        _end_expired_visit(request)
        messages.info(request, _("You are not serving anyone at the counter."))
        return redirect("counter:home")
    person_view_record(
        actor=request.user,  # type: ignore[arg-type]
        person_id=current.person_id,
        purpose=_("Counter visit: %(purpose)s") % {"purpose": current.purpose},
    )
    person = person_get(person_id=current.person_id)
    return render(request, "accounts/counter/visit.html", {"visit": current, "person": person})


@require_POST
@counter_required
def end(request: HttpRequest) -> HttpResponse:
    current = counter_visit_active(request)
    if current is not None:
        counter_visit_end(
            clerk=request.user,  # type: ignore[arg-type]
            visit_id=current.id,
            session=request.session,
        )
        messages.success(request, _("The counter visit has ended."))
    else:
        _end_expired_visit(request)
    request.session.pop(SESSION_COUNTER, None)
    return redirect("counter:home")
