"""Configuration of case types and their workflow (statuses, transitions) for staff
with ``cases.configure``. Transitions are checked on save: unknown guard or action keys
and a status of another case type are refused."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from loket.cases import workflow
from loket.cases.constants import ACTIONS, GUARDS, PERM_CONFIGURE
from loket.cases.models import CaseType, Status, Transition
from loket.core.selectors import staff_has_permission


class TransitionForm(forms.ModelForm):
    class Meta:
        model = Transition
        fields = (
            "key",
            "name",
            "from_status",
            "to_status",
            "actor",
            "permissions",
            "guards",
            "actions",
            "result",
            "order",
        )
        help_texts = {
            "guards": _("Known: %(keys)s (required_data:<field>).") % {"keys": ", ".join(GUARDS)},
            "actions": _("Known: %(keys)s (request_advice:<slugs>, generate_document:<template>).")
            % {"keys": ", ".join(ACTIONS)},
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        guards, actions = data.get("guards") or [], data.get("actions") or []
        if not isinstance(guards, list) or not isinstance(actions, list):
            raise forms.ValidationError(_("Guards and actions are lists of keys."))
        source, target = data.get("from_status"), data.get("to_status")
        if source is not None and target is not None and source.case_type_id != target.case_type_id:
            raise forms.ValidationError(_("Both statuses must belong to the same case type."))
        unknown = workflow.validate_keys(guards=guards, actions=actions)
        if unknown:
            raise forms.ValidationError(_("Unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)})
        return data


class StatusInline(admin.TabularInline):
    model = Status
    extra = 0
    fields = (
        "key",
        "name",
        "public_name",
        "next_step",
        "is_initial",
        "is_final",
        "waits_for",
        "order",
    )


class TransitionInline(admin.TabularInline):
    model = Transition
    form = TransitionForm
    fk_name = "case_type"
    extra = 0


class ConfigureOnly:
    """Only staff with ``cases.configure`` (or superusers) see and change case types."""

    def _may(self, request: HttpRequest) -> bool:
        return staff_has_permission(user=request.user, permission=PERM_CONFIGURE)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cases keep their type; deactivate it instead


@admin.register(CaseType)
class CaseTypeAdmin(ConfigureOnly, admin.ModelAdmin):
    list_display = ("name", "slug", "department", "deadline_days", "deadline_kind", "is_active")
    list_filter = ("is_active", "department")
    search_fields = ("name", "slug")
    inlines = (StatusInline, TransitionInline)


class StatusInlineConfigure(ConfigureOnly, StatusInline):
    pass


class TransitionInlineConfigure(ConfigureOnly, TransitionInline):
    pass


CaseTypeAdmin.inlines = (StatusInlineConfigure, TransitionInlineConfigure)
