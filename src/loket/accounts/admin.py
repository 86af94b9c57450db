"""Read-only configuration pages for resident accounts and their login sessions.

Nothing here shows a national number (the account keeps only a keyed hash of it,
which is not shown either), a session key or the provider's session id. The one
write is the action "end these sessions", for a lost phone or a shared computer.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from loket.accounts.models import LoginSession, ResidentAccount
from loket.accounts.staff.services import resident_sessions_end


class _ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ResidentAccount)
class ResidentAccountAdmin(_ReadOnlyAdmin):
    list_display = (
        "user_name",
        "full_name",
        "dialect",
        "in_register",
        "created_at",
        "last_login_at",
    )
    list_filter = ("dialect",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    fields = ("user_name", "full_name", "dialect", "in_register", "created_at", "last_login_at")
    readonly_fields = fields
    list_select_related = ("user",)
    ordering = ("-created_at", "-id")

    @admin.display(description=_("user name"), ordering="user__username")
    def user_name(self, obj: ResidentAccount) -> str:
        return obj.user.get_username()

    @admin.display(description=_("name"))
    def full_name(self, obj: ResidentAccount) -> str:
        return obj.user.get_full_name()

    @admin.display(description=_("known in the register"), boolean=True)
    def in_register(self, obj: ResidentAccount) -> bool:
        return obj.person_id is not None


@admin.register(LoginSession)
class LoginSessionAdmin(_ReadOnlyAdmin):
    list_display = ("user_name", "dialect", "level", "started_at", "ended_at", "end_reason")
    list_filter = ("dialect", "level", ("ended_at", admin.EmptyFieldListFilter))
    search_fields = ("user__username",)
    fields = ("user_name", "dialect", "acr", "level", "auth_time", "started_at", "ended_at")
    readonly_fields = (*fields, "end_reason")
    list_select_related = ("user",)
    ordering = ("-started_at", "-id")
    date_hierarchy = "started_at"
    actions = ("end_sessions",)

    @admin.display(description=_("user name"), ordering="user__username")
    def user_name(self, obj: LoginSession) -> str:
        return obj.user.get_username()

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        if not request.user.has_perm("accounts.change_loginsession"):
            actions.pop("end_sessions", None)
        return actions

    @admin.action(description=_("End these sessions (log out on that device)"))
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[LoginSession]) -> None:
        ended = resident_sessions_end(
            actor=request.user, session_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(
            request,
            ngettext("%(count)d session ended.", "%(count)d sessions ended.", ended)
            % {"count": ended},
            messages.SUCCESS,
        )
