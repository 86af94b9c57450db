"""Staff and roles, for functional administrators (``staff.manage``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loket.backoffice.constants import STAFF_PER_PAGE
from loket.backoffice.forms import MembershipAddForm
from loket.backoffice.permissions import permission_required, staff_actor
from loket.core.constants import Permission
from loket.core.selectors import department_list, role_list, staff_get, staff_list
from loket.core.services import DomainError, membership_add, membership_remove


@permission_required(Permission.STAFF_MANAGE)
def staff_overview(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    after = request.GET.get("after") or None
    try:
        page = staff_list(query=query, after=after, limit=STAFF_PER_PAGE)
    except ValueError:  # a cursor we did not make: start at the first page
        page = staff_list(query=query, limit=STAFF_PER_PAGE)
    next_url = "?" + urlencode({"q": query, "after": page.next_cursor}) if page.next_cursor else ""
    return render(
        request,
        "backoffice/staff/list.html",
        {"page": page, "query": query, "next_url": next_url, "continued": bool(after)},
    )


def _add_form(data: Any = None) -> MembershipAddForm:
    departments = [
        (d.pk, f"{d.name} ({d.organisation.name})") for d in department_list().order_by("name")
    ]
    roles = [(r.slug, r.name) for r in role_list()]
    return MembershipAddForm(data, departments=departments, roles=roles)


def _detail(
    request: HttpRequest, user_id: int, form: MembershipAddForm, status: int = 200
) -> HttpResponse:
    member = staff_get(user_id=user_id)
    if member is None:
        raise Http404
    return render(
        request,
        "backoffice/staff/detail.html",
        {"member": member, "form": form},
        status=status,
    )


@permission_required(Permission.STAFF_MANAGE)
def staff_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    return _detail(request, user_id, _add_form())


@permission_required(Permission.STAFF_MANAGE)
@require_POST
def staff_membership_add(request: HttpRequest, user_id: int) -> HttpResponse:
    if staff_get(user_id=user_id) is None:
        raise Http404
    form = _add_form(request.POST)
    if not form.is_valid():
        return _detail(request, user_id, form, status=400)
    try:
        membership_add(
            actor=staff_actor(request),
            user_id=user_id,
            department_id=form.cleaned_data["department"],
            role=form.cleaned_data["role"],
        )
    except DomainError as error:
        form.add_error(None, str(error))
        return _detail(request, user_id, form, status=409)
    messages.success(request, _("The role has been added."))
    return redirect("backoffice:staff-detail", user_id=user_id)


@permission_required(Permission.STAFF_MANAGE)
@require_POST
def staff_membership_remove(request: HttpRequest, user_id: int, membership_id: int) -> HttpResponse:
    member = staff_get(user_id=user_id)
    if member is None or membership_id not in {m.id for m in member.memberships}:
        raise Http404
    try:
        membership_remove(actor=staff_actor(request), membership_id=membership_id)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The role has been taken away."))
    return redirect("backoffice:staff-detail", user_id=user_id)


@permission_required(Permission.STAFF_MANAGE)
def role_overview(request: HttpRequest) -> HttpResponse:
    """Every role with its permissions, as a table (edited in the configuration)."""
    roles = list(role_list())
    rows = [
        (permission.label, [permission.value in role.permissions for role in roles])
        for permission in Permission
    ]
    return render(request, "backoffice/staff/roles.html", {"roles": roles, "rows": rows})
