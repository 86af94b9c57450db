from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from loket.core.models import (
    AuditEvent,
    Department,
    DepartmentMembership,
    OpeningHours,
    Organisation,
    User,
)


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
