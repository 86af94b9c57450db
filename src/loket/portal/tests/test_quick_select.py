"""Select lists rendered by ``{% form_field %}`` are byte for byte what Django renders."""

from __future__ import annotations

from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from loket.portal.templatetags.loket_ui import _quick_select, form_field


class _Form(forms.Form):
    plain = forms.ChoiceField(choices=[("", "—"), ("a", "Apple & <pear>"), ("b", 'B"q')])
    optional = forms.ChoiceField(
        required=False, choices=[("", "Any"), (1, gettext_lazy("Open")), (2, "Closed")]
    )
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("a", "Apple"), ("p", "Pear")]), ("Veg", [("c", "Carrot")])]
    )
    many = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", mark_safe("<b>Y</b>")), ("z", "Z")], required=False
    )
    numbers = forms.TypedChoiceField(choices=[(1, 1), (2, 2)], coerce=int)
    styled = forms.ChoiceField(
        choices=[("a", "A")], widget=forms.Select(attrs={"data-x": '1 "2"', "disabled": True})
    )


def _both(form: forms.Form, name: str) -> tuple[str, str]:
    bound = form[name]
    attrs = {"class": "input", "aria-describedby": "x_error"}
    django = bound.as_widget(attrs=attrs)
    quick = bound.as_widget(widget=_quick_select(bound.field.widget), attrs=attrs)
    return str(django), str(quick)


def test_same_html_as_django_unbound_and_bound():
    forms_to_check = [
        _Form(),
        _Form(
            data={"plain": "a", "optional": "2", "grouped": "p", "many": ["x", "y"], "numbers": "2"}
        ),
        _Form(data={"plain": "<script>", "many": ["z"]}),
    ]
    for form in forms_to_check:
        form.is_valid()
        for name in form.fields:
            django, quick = _both(form, name)
            assert quick == django, name


def test_form_field_shows_the_choice_that_was_made():
    form = _Form(data={"plain": "b"})
    form.is_valid()
    html = form_field(form["plain"])
    assert '<option value="b" selected>B&quot;q</option>' in html
    assert "Apple &amp; &lt;pear&gt;" in html


def test_other_widgets_are_left_alone():
    radio = forms.RadioSelect(choices=[("a", "A")])
    assert _quick_select(radio) is radio
    text = forms.TextInput()
    assert _quick_select(text) is text
