from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.http import HttpRequest

from loket.core.constants import AuditAction, Permission
from loket.core.models import (
    AuditEvent,
    Department,
    DepartmentMembership,
    OpeningHours,
    Organisation,
    Role,
    User,
)
from loket.core.services import audit_record


@admin.register(User)
class LoketUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_staff")


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "nis_code", "is_primary")
    inlines = [OpeningHoursInline]


class MembershipInline(admin.TabularInline):
    model = DepartmentMembership
    extra = 0
    autocomplete_fields = ["user"]


class RoleForm(forms.ModelForm):
    """A role's permissions as a list of checkboxes, stored as a list of codes."""

    permissions = forms.MultipleChoiceField(
        choices=Permission.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = Role
        fields = ["name", "slug", "description", "permissions"]

    def clean_permissions(self) -> list[str]:
        chosen = set(self.cleaned_data["permissions"])
        return [code for code in Permission.values if code in chosen]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    form = RoleForm
    list_display = ("name", "slug", "is_system")
    search_fields = ("name", "slug")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user if request.user.is_authenticated else None,
                action=AuditAction.UPDATE if change else AuditAction.CREATE,
                target=obj,
                changes={"permissions": obj.permissions},
            )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The code of a system role is what the software refers to: it stays.
        return ("slug",) if obj is not None and obj.is_system else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and (obj.is_system or obj.memberships.exists()):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "organisation", "communication_liaison")
    list_filter = ("organisation",)
    search_fields = ("name",)
    inlines = [MembershipInline]
    raw_id_fields = ("communication_liaison",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, also for administrators."""

    list_display = ("at", "actor_label", "action", "object_type", "object_label", "reason")
    list_filter = ("action", "object_type")
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
