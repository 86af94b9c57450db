"""The template backend (``TEMPLATES``): Django's, except that its system check accepts
that Loket's ``i18n`` library replaces Django's on purpose (``loket_i18n``)."""

from __future__ import annotations

from typing import Any

from django.template.backends.django import DjangoTemplates

_INTENDED = {"django.templatetags.i18n", "loket.portal.templatetags.loket_i18n"}


class Templates(DjangoTemplates):
    def _check_for_template_tags_with_the_same_name(self) -> list[Any]:
        return [
            message
            for message in super()._check_for_template_tags_with_the_same_name()  # type: ignore[misc]
            if not (
                message.id == "templates.W003"
                and str(message.msg).startswith("'i18n' is used")
                and {part.strip(" '") for part in str(message.msg).split(":", 1)[1].split(",")}
                == _INTENDED
            )
        ]
