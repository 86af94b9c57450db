from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import FormView

from loket.accounts.staff.constants import LOCKED_MESSAGE
from loket.accounts.staff.selectors import staff_factor_summary
from loket.accounts.staff.services import (
    AccountDisabled,
    LoginLocked,
    LoginRefused,
    staff_login_begin,
    staff_login_without_factor,
    staff_logout,
    staff_password_verify,
)
from loket.backoffice.forms import ERROR_MESSAGES, StaffLoginForm
from loket.backoffice.permissions import can_use_backoffice, has_backoffice_session, staff_required
from loket.backoffice.selectors import work_overview_for_staff


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """The work overview: the staff member's departments, key figures, workers, audit log."""
    overview = work_overview_for_staff(user=request.user)
    return render(request, "backoffice/home.html", {"overview": overview})


class StaffLoginView(FormView):
    """Step 1 of the staff login: the password. The second factor follows
    (``staff_login:verify``), or setting one up for staff who have none yet."""

    template_name = "registration/login.html"
    form_class = StaffLoginForm

    def _next(self) -> str:
        return self.request.POST.get("next") or self.request.GET.get("next") or ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["next"] = self._next()
        context["signed_in_without_access"] = user.is_authenticated and not can_use_backoffice(user)
        context["signed_in"] = has_backoffice_session(self.request)
        return context

    def form_valid(self, form: StaffLoginForm) -> HttpResponse:
        request = self.request
        try:
            user = staff_password_verify(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except LoginLocked:
            form.add_error(None, LOCKED_MESSAGE)
            return self.form_invalid(form)
        except AccountDisabled:
            form.add_error(None, ERROR_MESSAGES["inactive"])
            return self.form_invalid(form)
        except LoginRefused:
            form.add_error(None, ERROR_MESSAGES["invalid_login"])
            return self.form_invalid(form)
        if not can_use_backoffice(user):
            form.add_error(None, ERROR_MESSAGES["no_backoffice_access"])
            return self.form_invalid(form)
        staff_login_begin(request=request, user=user, next_url=self._next())
        if staff_factor_summary(user=user).has_any:
            return redirect("staff_login:verify")
        if settings.LOKET_STAFF_2FA_REQUIRED:
            return redirect("staff_login:enrol")
        staff_login_without_factor(request=request, user=user)
        next_url = self._next()
        # A path on this site only: redirect() would take any other word for a view name.
        if next_url.startswith("/") and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(next_url)
        return redirect("backoffice:home")


class StaffLogoutView(auth_views.LogoutView):
    next_page = "backoffice:login"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # After single sign-on the session ends at the municipality's provider too.
        provider_url = staff_logout(request=request)
        messages.success(request, _("You have logged out. See you soon."))
        return redirect(provider_url or self.next_page)
