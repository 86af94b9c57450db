"""Configuration of events, message templates and topics. Templates are validated on
save: an unknown placeholder is refused with the list of allowed ones."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from loket.notifications.clarity import clarity_check
from loket.notifications.models import MessageTemplate, NotificationEvent, Topic
from loket.notifications.rendering import template_problems
from loket.notifications.routing import PERSONAL_PLACEHOLDERS


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ("event", "channel", "language", "subject", "body")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        event = data.get("event")
        if event is not None:
            allowed = (*event.placeholders, *PERSONAL_PLACEHOLDERS)
            for field in ("subject", "body"):
                problems = template_problems(data.get(field) or "", allowed=allowed)
                if problems:
                    self.add_error(field, " ".join(problems))
        return data


@admin.register(NotificationEvent)
class NotificationEventAdmin(admin.ModelAdmin):
    list_display = ("key", "name")
    search_fields = ("key", "name")


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    form = MessageTemplateForm
    list_display = ("event", "channel", "language", "updated_at")
    list_filter = ("channel", "language", "event")
    readonly_fields = ("clear_language", "preview_link")

    @admin.display(description=_("Clear language"))
    def clear_language(self, obj: MessageTemplate) -> str:
        if obj.pk is None:
            return "–"
        report = clarity_check(obj.body, language=obj.language)
        jargon = ", ".join(f"{hit.word} → {hit.alternative}" for hit in report.jargon) or "–"
        return format_html(
            "{}: {} · {}: {} · {}: {}",
            _("Reading ease (Flesch-Douma)"),
            report.reading_ease,
            _("Words per sentence"),
            report.average_sentence_length,
            _("Words to avoid"),
            jargon,
        )

    @admin.display(description=_("Preview"))
    def preview_link(self, obj: MessageTemplate) -> str:
        if obj.pk is None:
            return "–"
        url = reverse("notifications:template-preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Preview with real data"))

    def save_model(
        self, request: HttpRequest, obj: MessageTemplate, form: Any, change: bool
    ) -> None:
        from loket.core.services import audit_record

        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action="update" if change else "create", target=obj)  # type: ignore[arg-type]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("key", "name")
