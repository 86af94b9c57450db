"""Django's ``i18n`` template library, with ``{% translate "literal" %}`` remembered.

A page has fifty or more ``{% translate %}`` tags, and each looks its text up in the
catalogue of the active language on every render (about 20 µs each on a small machine).
A literal's translation is a pure function of the language (the catalogues are fixed
while a process runs), so the tag keeps its rendered text per language and escaping
mode. Tags with a variable, a filter or a message context are rendered as Django does.
The settings register this module under the name ``i18n`` (``TEMPLATES`` ``libraries``),
so ``{% load i18n %}`` gives it; every other tag and filter is Django's own.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.base import Variable
from django.templatetags import i18n as django_i18n
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)


class KeptTranslateNode(django_i18n.TranslateNode):
    def __init__(self, node: django_i18n.TranslateNode) -> None:
        super().__init__(node.filter_expression, node.noop, node.asvar, node.message_context)
        var = self.filter_expression.var
        self.literal = (
            isinstance(var, Variable)
            and var.literal is not None
            and not self.filter_expression.filters
            and self.message_context is None
        )
        self.kept: dict[tuple[Any, ...], str] = {}

    def render(self, context: template.Context) -> str:
        if not self.literal:
            return super().render(context)
        key = (get_language(), context.autoescape, context.use_l10n, self.noop)
        value = self.kept.get(key)
        if value is None:
            value = self._value(context)
            self.kept[key] = value
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value

    def _value(self, context: template.Context) -> str:
        """What ``TranslateNode.render`` gives, without ``as``."""
        self.filter_expression.var.translate = not self.noop
        output = self.filter_expression.resolve(context)
        value = template.base.render_value_in_context(output, context)
        is_safe = isinstance(value, SafeData)
        value = value.replace("%%", "%")
        return mark_safe(value) if is_safe else value  # noqa: S308  (it was safe before)


@register.tag("translate")
@register.tag("trans")
def do_translate(parser: Any, token: Any) -> KeptTranslateNode:
    return KeptTranslateNode(django_i18n.do_translate(parser, token))
