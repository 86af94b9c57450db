"""``{% load loket_memo %}``: ``{% memo "name" key … %}…{% endmemo %}`` renders a piece
of a page once per distinct key and remembers the HTML in this process.

For the parts of every page that are the same for everyone who sees them the same way:
the menus (which link is the current page, logged in or not), the brand and the footer
(the municipality's name). They cost a few hundred microseconds per page in tags,
translations and URL look-ups and never change while the process runs, except through
what is in the key.

The rule for using it: the piece may only depend on its keys, the language, and what
is the same for the whole process (URLs, translations). Never put a CSRF token, a
user's name or a count inside; render those outside the block. The key always holds
the language, the URL configuration and the script prefix. The table is bounded and
emptied when full; ``memo_clear()`` empties it (tests).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

_MAX_ENTRIES = 2048
_remembered: dict[tuple[Any, ...], SafeString] = {}


def memo_clear() -> None:
    _remembered.clear()


class MemoNode(template.Node):
    def __init__(self, nodelist: NodeList, name: str, keys: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.name = name
        self.keys = keys

    def render(self, context: template.Context) -> str:
        key = (
            self.name,
            get_language(),
            settings.ROOT_URLCONF,
            get_urlconf(),
            get_script_prefix(),
            *(expression.resolve(context) for expression in self.keys),
        )
        try:
            html = _remembered.get(key)
        except TypeError:  # a key that cannot be looked up: render every time
            return self.nodelist.render(context)
        if html is None:
            html = mark_safe(self.nodelist.render(context))  # noqa: S308 - rendered template
            if len(_remembered) >= _MAX_ENTRIES:
                _remembered.clear()
            _remembered[key] = html
        return html


@register.tag
def memo(parser: Parser, token: Token) -> MemoNode:
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError('Use {% memo "name" key … %}…{% endmemo %}')
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]])
