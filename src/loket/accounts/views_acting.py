"""Acting on behalf of someone else: "Ik handel namens", mandates (volmachten), and
what was done on a resident's behalf. Thin views: rules in the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loket.accounts.constants import LEVEL_MY_DATA, ActingVia, PartyKind
from loket.accounts.forms import SCOPE_ALL, MandateForm
from loket.accounts.permissions import assurance_required, resident_person_id
from loket.accounts.selectors import (
    acting_choices,
    acting_party,
    done_for_others_page,
    mandate_get_for_person,
    mandates_given_page,
    mandates_received_page,
    on_behalf_of_me_page,
)
from loket.accounts.services import (
    ActingRefused,
    MandateRefused,
    acting_party_clear,
    acting_party_set,
    mandate_grant,
    mandate_revoke,
)
from loket.accounts.types import Party


def _label(request: HttpRequest) -> str:
    user: Any = request.user
    return str(user.get_full_name() or user.get_username())


def _next(request: HttpRequest, default: str) -> str:
    value = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: redirect() would take any other word for a view name.
    if (
        value
        and value.startswith("/")
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return default


def _describe(party: Party) -> str:
    if party.via == ActingVia.SELF:
        return _("Yourself")
    if party.via == ActingVia.PARENT:
        return _("Your child")
    if party.via == ActingVia.MANDATE:
        if party.services is None:
            return _("Mandate for all services")
        return _("Mandate for: %(services)s") % {"services": ", ".join(party.services)}
    if party.kind == PartyKind.COMPANY:
        return _("Company you represent")
    if party.kind == PartyKind.ASSOCIATION:
        return _("Association you chair")
    return ""


@require_http_methods(["GET", "POST"])
@never_cache
@assurance_required(LEVEL_MY_DATA)
def acting(request: HttpRequest) -> HttpResponse:
    """ "Ik handel namens": choose on whose behalf to act in this session."""
    person_id = resident_person_id(request)
    if person_id is None:
        return render(request, "accounts/acting.html", {"limited": True})
    error = ""
    status = 200
    if request.method == "POST":
        choice = request.POST.get("party", "")
        if not choice:
            error, status = _("Choose on whose behalf you want to act."), 400
        else:
            try:
                party = acting_party_set(
                    user=request.user,  # type: ignore[arg-type]
                    person_id=person_id,
                    self_label=_label(request),
                    choice=choice,
                    session=request.session,
                )
            except ActingRefused as refused:
                error, status = str(refused), 409
            else:
                if party.is_self:
                    messages.success(request, _("You act for yourself."))
                else:
                    messages.success(
                        request, _("You now act on behalf of %(party)s.") % {"party": party.label}
                    )
                return redirect(_next(request, "accounts:acting"))
    current = acting_party(request) if status == 200 else None
    choices = [
        {"party": party, "description": _describe(party)}
        for party in acting_choices(person_id=person_id, label=_label(request))
    ]
    return render(
        request,
        "accounts/acting.html",
        {
            "choices": choices,
            "current_key": current.key if current is not None else "",
            "error": error,
            "next": _next(request, ""),
        },
        status=status,
    )


@require_POST
@assurance_required(LEVEL_MY_DATA)
def acting_back(request: HttpRequest) -> HttpResponse:
    """ "Terug naar uzelf"."""
    person_id = resident_person_id(request)
    if person_id is not None:
        acting_party_clear(
            user=request.user,  # type: ignore[arg-type]
            person_id=person_id,
            session=request.session,
        )
        messages.success(request, _("You act for yourself again."))
    return redirect(_next(request, "accounts:acting"))


def _pages(request: HttpRequest, person_id: int) -> dict[str, Any] | None:
    try:
        return {
            "given": mandates_given_page(person_id=person_id, after=request.GET.get("gegeven")),
            "received": mandates_received_page(
                person_id=person_id, after=request.GET.get("ontvangen")
            ),
        }
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
@never_cache
@assurance_required(LEVEL_MY_DATA)
def mandates(request: HttpRequest) -> HttpResponse:
    """ "Mijn volmachten": given and received, and a form to give one."""
    person_id = resident_person_id(request)
    if person_id is None:
        return render(request, "accounts/mandates.html", {"limited": True})
    form = MandateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                mandate = mandate_grant(
                    actor=request.user,  # type: ignore[arg-type]
                    grantor_id=person_id,
                    mandatary_national_number=data["mandatary_national_number"],
                    mandatary_last_name=data["mandatary_last_name"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    all_services=data["scope"] == SCOPE_ALL,
                    services=form.service_list(),
                )
            except MandateRefused as refused:
                form.add_error(None, str(refused))
                status = 400
            else:
                messages.success(
                    request,
                    _("%(name)s may now act on your behalf.")
                    % {"name": mandate.mandatary.full_name},
                )
                return redirect("accounts:mandates")
        else:
            status = 400
    pages = _pages(request, person_id)
    if pages is None:
        return redirect("accounts:mandates")
    return render(request, "accounts/mandates.html", {"form": form, **pages}, status=status)


@require_http_methods(["GET", "POST"])
@never_cache
@assurance_required(LEVEL_MY_DATA)
def mandate_end(request: HttpRequest, mandate_id: int) -> HttpResponse:
    """Revoke a mandate, after a confirmation step; its grantor or mandatary may."""
    person_id = resident_person_id(request)
    mandate = (
        mandate_get_for_person(mandate_id=mandate_id, person_id=person_id)
        if person_id is not None
        else None
    )
    if mandate is None or person_id is None:
        raise Http404
    if request.method == "POST":
        try:
            mandate_revoke(
                actor=request.user,  # type: ignore[arg-type]
                person_id=person_id,
                mandate_id=mandate.id,
            )
        except MandateRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("The mandate has been revoked."))
        return redirect("accounts:mandates")
    return render(
        request,
        "accounts/mandate_revoke.html",
        {"mandate": mandate, "is_grantor": mandate.grantor_id == person_id},
    )


@require_GET
@never_cache
@assurance_required(LEVEL_MY_DATA)
def on_behalf_of_me(request: HttpRequest) -> HttpResponse:
    """What others did on my behalf: a mandatary, a parent, a clerk at the counter."""
    person_id = resident_person_id(request)
    page = None
    if person_id is not None:
        try:
            page = on_behalf_of_me_page(
                user=request.user,  # type: ignore[arg-type]
                person_id=person_id,
                after=request.GET.get("na") or None,
            )
        except ValueError:
            return redirect("accounts:on_behalf_of_me")
    return render(request, "accounts/on_behalf.html", {"page": page, "mine": False})


@require_GET
@never_cache
@assurance_required(LEVEL_MY_DATA)
def done_for_others(request: HttpRequest) -> HttpResponse:
    """What I did on behalf of others."""
    try:
        page = done_for_others_page(
            user=request.user,  # type: ignore[arg-type]
            after=request.GET.get("na") or None,
        )
    except ValueError:
        return redirect("accounts:done_for_others")
    return render(request, "accounts/on_behalf.html", {"page": page, "mine": True})
