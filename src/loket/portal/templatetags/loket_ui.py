"""Presentation helpers shared by the portal and back-office templates.

`{% load loket_ui %}` gives:

- ``{% municipality_tokens municipality %}``: the municipality's colours as CSS custom
  properties, with text colours derived from them so that every combination the design
  system uses meets WCAG 2.1 AA contrast, whatever colours the municipality picked.
- ``{% form_field field %}``: a form field with its label, hint and error message, tied to
  the input by ``aria-describedby``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from django import forms, template
from django.forms import BoundField
from django.forms.renderers import DjangoTemplates
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_PRIMARY = "#1d4f91"
DEFAULT_ACCENT = "#ffd200"
WHITE = "#ffffff"
INK = "#1b1b1b"
AA_NORMAL_TEXT = 4.5


def safe_hex(value: object, default: str) -> str:
    """The colour when it is a plain #rrggbb value, else the default (no CSS injection)."""
    text = str(value or "")
    return text.lower() if _HEX.match(text) else default


def _channels(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def relative_luminance(colour: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable_text_on(background: str) -> str:
    """White or near-black: whichever reads better on the background."""
    return WHITE if contrast_ratio(background, WHITE) >= contrast_ratio(background, INK) else INK


def darken_until_readable(colour: str, *, background: str = WHITE) -> str:
    """The colour, darkened just enough to be readable as text on the background."""
    r, g, b = _channels(colour)
    for step in range(21):
        factor = 1 - step * 0.05
        candidate = f"#{round(r * factor):02x}{round(g * factor):02x}{round(b * factor):02x}"
        if contrast_ratio(candidate, background) >= AA_NORMAL_TEXT:
            return candidate
    return INK


def surface_and_text(colour: str) -> tuple[str, str]:
    """A background close to the colour and a text colour that reads well on it.

    Mid-tone colours reach 4.5:1 with neither white nor black text; they are darkened
    until white text does."""
    text = readable_text_on(colour)
    if contrast_ratio(colour, text) >= AA_NORMAL_TEXT:
        return colour, text
    return darken_until_readable(colour), WHITE


def design_tokens(municipality: dict[str, Any] | None) -> dict[str, str]:
    data = municipality or {}
    primary = safe_hex(data.get("primary_colour"), DEFAULT_PRIMARY)
    accent = safe_hex(data.get("accent_colour"), DEFAULT_ACCENT)
    header_background, header_text = surface_and_text(primary)
    accent_background, accent_text = surface_and_text(accent)
    return {
        "--brand": primary,
        "--brand-ink": darken_until_readable(primary),
        "--header-bg": header_background,
        "--header-text": header_text,
        "--accent": accent,
        "--accent-bg": accent_background,
        "--accent-text": accent_text,
    }


@register.simple_tag
def municipality_tokens(municipality: dict[str, Any] | None = None) -> SafeString:
    """A ``<style>`` element with the municipality's design tokens (CSP allows inline
    styles; every value is a validated hex colour)."""
    declarations = "".join(
        f"{name}:{value};" for name, value in design_tokens(municipality).items()
    )
    return format_html("<style>:root{{{}}}</style>", declarations)


@register.simple_tag
def form_field(field: BoundField, *, width: str = "") -> str:
    """Label, hint, error and input of one field; the input points to the hint and the
    error with ``aria-describedby`` and says ``aria-invalid`` when it has an error."""
    hint_id = f"{field.auto_id}_helptext" if field.help_text else ""
    error_id = f"{field.auto_id}_error" if field.errors else ""
    attrs: dict[str, str | bool] = {}
    described_by = " ".join(part for part in (hint_id, error_id) if part)
    if described_by:
        attrs["aria-describedby"] = described_by
    if field.errors:
        attrs["aria-invalid"] = "true"
    classes = ["input"]
    if width:
        classes.append(f"input--{width}")
    if field.errors:
        classes.append("input--error")
    attrs["class"] = " ".join(classes)
    return render_to_string(
        "partials/form_field.html",
        {
            "field": field,
            "widget": field.as_widget(widget=_quick_widget(field.field.widget), attrs=attrs),
            "hint_id": hint_id,
            "error_id": error_id,
        },
    )


@register.simple_tag
def field_input(field: BoundField) -> str:
    """The input of one field alone, as ``{{ field }}`` renders it (Django's plain widgets
    without template includes, as ``form_field`` does)."""
    if field.field.show_hidden_initial:
        return str(field)
    return field.as_widget(widget=_quick_widget(field.field.widget))


@register.filter
def tel_href(number: object) -> str:
    """A phone number as a ``tel:`` link target: digits and a leading plus only."""
    text = str(number or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    return f"tel:{'+' if text.startswith('+') else ''}{digits}"


_BREAK_AFTER = re.compile(r"(@|/(?!/))")


@register.filter
def soft_breaks(text: object) -> SafeString:
    """Long e-mail addresses and web addresses may wrap after "@" and "/" rather than
    in the middle of a word (they must fit a 320 px wide screen)."""
    return mark_safe(_BREAK_AFTER.sub(r"\1<wbr>", str(escape(str(text or "")))))  # noqa: S308


# --- Inputs and select lists without template includes ------------------------------------
#
# Django renders a widget with a template that includes another for the attributes,
# and a select list with two includes per <option>; a filter form of the back office
# spends milliseconds on it. For Django's own widget classes, templates and renderer,
# the same HTML is built here in Python (the tests compare it with Django's output);
# anything else goes through Django.

_SELECT_TEMPLATE = "django/forms/widgets/select.html"
_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
_TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
# Templates that are only ``{% include "django/forms/widgets/input.html" %}``.
_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        *("input", "text", "email", "url", "number"),
        *("search", "tel", "password", "hidden", "date"),
    )
)


def _attrs_html(attrs: dict[str, Any]) -> str:
    """What ``django/forms/widgets/attrs.html`` renders."""
    parts = []
    for name, value in attrs.items():
        if value is not False:
            parts.append(f" {conditional_escape(name)}")
            if value is not True:
                parts.append(f'="{escape(str(value))}"')
    return "".join(parts)


def _text(value: Any) -> bool:
    return isinstance(value, str | Promise)


def _input_html(widget: dict[str, Any]) -> str | None:
    """What ``django/forms/widgets/input.html`` renders."""
    value = widget["value"]
    if not _text(widget["type"]) or not (value is None or _text(value)):
        return None
    shown = f' value="{escape(str(value))}"' if value is not None else ""
    return (
        f'<input type="{conditional_escape(str(widget["type"]))}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs_html(widget["attrs"])}>'
    )


def _textarea_html(widget: dict[str, Any]) -> str | None:
    """What ``django/forms/widgets/textarea.html`` renders."""
    value = widget["value"]
    if not (value is None or _text(value)):
        return None
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>\n'
        f"{conditional_escape(str(value)) if value else ''}</textarea>"
    )


def _select_html(widget: dict[str, Any]) -> str | None:
    """What ``django/forms/widgets/select.html`` renders, or None when an option is
    not a plain one (its own template, a label that is not text)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            if not _text(group_name):
                return None
            parts.append(f'\n  <optgroup label="{conditional_escape(str(group_name))}">')
        for option in group_choices:
            label = option["label"]
            if option["template_name"] != _OPTION_TEMPLATE or not _text(label):
                return None
            parts.append(
                f'\n  <option value="{escape(str(option["value"]))}"'
                f"{_attrs_html(option['attrs'])}>{conditional_escape(str(label))}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")  # the renderer strips the template's last newline
    return "".join(parts)


_MULTIPLE_TEMPLATES = frozenset(
    ("django/forms/widgets/checkbox_select.html", "django/forms/widgets/radio.html")
)
_INPUT_OPTION_TEMPLATES = frozenset(
    ("django/forms/widgets/checkbox_option.html", "django/forms/widgets/radio_option.html")
)


def _input_option_html(option: dict[str, Any]) -> str | None:
    """What ``django/forms/widgets/input_option.html`` renders for a check box or a
    radio button of a group."""
    if option["template_name"] not in _INPUT_OPTION_TEMPLATES or not _text(option["label"]):
        return None
    value = option["value"]
    if type(value) is int:  # the template's ``stringformat:'s'``
        option = {**option, "value": str(value)}
    html = _input_html(option)
    if html is None or not option["wrap_label"]:
        return html
    # Each included template's last newline stays in the output.
    option_id = option["attrs"].get("id")
    for_id = f' for="{conditional_escape(option_id)}"' if option_id else ""
    return f"<label{for_id}>{html}\n {conditional_escape(str(option['label']))}</label>\n\n"


def _multiple_html(widget: dict[str, Any]) -> str | None:
    """What ``django/forms/widgets/multiple_input.html`` renders (check boxes, radio
    buttons), or None when an option is not a plain one."""
    group_id = widget["attrs"].get("id")
    css = widget["attrs"].get("class")
    parts = [
        "<div",
        f' id="{conditional_escape(group_id)}"' if group_id else "",
        f' class="{conditional_escape(css)}"' if css else "",
        ">",
    ]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            if not _text(group_name):
                return None
            parts.append(f"\n  <div><label>{conditional_escape(str(group_name))}</label>")
        for option in group_choices:
            html = _input_option_html(option)
            if html is None:
                return None
            parts.append(f"<div>\n    {html}</div>")
        if group_name:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


def _quick_html(template_name: str, widget: dict[str, Any]) -> str | None:
    if template_name == _SELECT_TEMPLATE:
        return _select_html(widget)
    if template_name in _MULTIPLE_TEMPLATES:
        return _multiple_html(widget)
    if template_name == _TEXTAREA_TEMPLATE:
        return _textarea_html(widget)
    if template_name in _INPUT_TEMPLATES:
        return _input_html(widget)
    return None


class _QuickMixin:
    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> str:
        if type(renderer) is DjangoTemplates:
            html = _quick_html(template_name, context["widget"])
            if html is not None:
                return mark_safe(html)  # noqa: S308  (every value escaped above)
        return super()._render(template_name, context, renderer)  # type: ignore[misc]


_QUICK: dict[type, type] = {
    widget_class: type(f"Quick{widget_class.__name__}", (_QuickMixin, widget_class), {})
    for widget_class in (
        forms.Select,
        forms.SelectMultiple,
        forms.Textarea,
        forms.TextInput,
        forms.EmailInput,
        forms.URLInput,
        forms.NumberInput,
        forms.PasswordInput,
        forms.HiddenInput,
        forms.DateInput,
        forms.CheckboxSelectMultiple,
        forms.RadioSelect,
    )
}
_DEFAULT_TEMPLATES = _INPUT_TEMPLATES | _MULTIPLE_TEMPLATES | {_SELECT_TEMPLATE, _TEXTAREA_TEMPLATE}


def _quick_widget(widget: Any) -> Any:
    """A copy of one of Django's plain widgets that renders without template includes;
    any other widget (or one given its own template) as it is."""
    quick = _QUICK.get(type(widget))
    if quick is None or widget.template_name not in _DEFAULT_TEMPLATES:
        return widget
    twin = copy.copy(widget)
    twin.__class__ = quick
    return twin
