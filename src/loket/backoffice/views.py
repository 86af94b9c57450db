from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from loket.backoffice.forms import StaffLoginForm
from loket.backoffice.permissions import can_use_backoffice, staff_required
from loket.backoffice.selectors import work_overview_for_staff


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """The work overview: the staff member's departments, key figures, workers, audit log."""
    overview = work_overview_for_staff(user=request.user)
    return render(request, "backoffice/home.html", {"overview": overview})


class StaffLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = StaffLoginForm
    next_page = "backoffice:home"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["signed_in_without_access"] = user.is_authenticated and not can_use_backoffice(user)
        return context


class StaffLogoutView(auth_views.LogoutView):
    next_page = "backoffice:login"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have logged out. See you soon."))
        return response
