"""``{% load loket_urls %}``: Django's ``{% url %}`` with the reversed URLs remembered.

The menus of every page reverse the same two dozen names on every request; reversing
is the most expensive tag of a page header. This ``url`` tag takes the same arguments
and gives the same answers (``as var``, ``NoReverseMatch``, escaping), but keeps what
it reversed per URL configuration, script prefix, language and current app.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()

# Bounded: the menus' names are a few dozen; arguments (a case reference) vary, so
# the table is emptied when it fills up rather than growing with the data.
_MAX_ENTRIES = 4096
_reversed: dict[tuple[Any, ...], str] = {}


def url_cache_clear() -> None:
    _reversed.clear()


class CachedURLNode(URLNode):
    def render(self, context: template.Context) -> str:
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app  # type: ignore[attr-defined]
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace  # type: ignore[attr-defined]
            except AttributeError:
                current_app = None
        key: tuple[Any, ...] | None = (
            settings.ROOT_URLCONF,
            get_urlconf(),
            get_script_prefix(),
            get_language(),
            current_app,
            view_name,
            tuple(args),
            tuple(sorted(kwargs.items())),
        )
        try:
            url = _reversed.get(key)  # type: ignore[arg-type]
        except TypeError:  # an argument that cannot be a key: reverse every time
            key, url = None, None
        if url is None:
            url = ""
            try:
                url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
            except NoReverseMatch:
                if self.asvar is None:
                    raise
            else:
                if key is not None:
                    if len(_reversed) >= _MAX_ENTRIES:
                        _reversed.clear()
                    _reversed[key] = url
        if self.asvar:
            context[self.asvar] = url
            return ""
        return str(conditional_escape(url)) if context.autoescape else url


@register.tag
def url(parser: template.base.Parser, token: template.base.Token) -> CachedURLNode:
    node = django_url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
