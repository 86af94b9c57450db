"""Placeholders in message templates: ``{{ name }}`` and nothing else.

Staff write texts; a full template language would let a typo or a tag reach residents.
Only variables are allowed, each declared by the template's event. ``template_problems``
is checked when staff save a template; ``render`` refuses (``TemplateProblem``) at send
time, and the message is parked instead of sent broken.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# Anything else that looks like template syntax: filters, tags, comments, stray braces.
_SUSPECT = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")


class TemplateProblem(ValueError):
    """A text cannot be rendered; the message says why, in words staff understand."""


def placeholders_in(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def template_problems(text: str, *, allowed: Iterable[str]) -> list[str]:
    """What is wrong with ``text`` for an event allowing ``allowed`` placeholders."""
    allowed_set = set(allowed)
    problems = []
    unknown = sorted({name for name in placeholders_in(text) if name not in allowed_set})
    for name in unknown:
        known = ", ".join(f"{{{{ {item} }}}}" for item in sorted(allowed_set)) or _("none")
        problems.append(
            _("Unknown placeholder {{ %(name)s }}. Allowed: %(known)s.")
            % {"name": name, "known": known}
        )
    if _SUSPECT.search(PLACEHOLDER.sub("", text)):
        problems.append(
            _(
                "Only placeholders like {{ name }} are allowed: no filters, tags, comments "
                "or loose braces."
            )
        )
    return problems


def render(text: str, *, allowed: Iterable[str], context: Mapping[str, object]) -> str:
    """Fill in the placeholders; refuse unknown or missing ones and any other syntax."""
    problems = template_problems(text, allowed=allowed)
    if problems:
        raise TemplateProblem(" ".join(problems))
    missing = sorted({name for name in placeholders_in(text) if name not in context})
    if missing:
        raise TemplateProblem(
            _("No value for %(names)s.")
            % {"names": ", ".join(f"{{{{ {name} }}}}" for name in missing)}
        )
    return PLACEHOLDER.sub(lambda match: str(context[match.group(1)]), text)
