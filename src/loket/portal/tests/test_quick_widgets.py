"""Inputs and select lists rendered by ``{% form_field %}`` are byte for byte what
Django renders."""

from __future__ import annotations

from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from loket.portal.templatetags.loket_ui import _quick_widget, form_field


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
    text = forms.CharField(max_length=20, help_text="Hint")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    email = forms.EmailField(required=False)
    amount = forms.DecimalField(required=False, min_value=0)
    count = forms.IntegerField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    site = forms.URLField(required=False, assume_scheme="https")
    styled = forms.ChoiceField(
        choices=[("a", "A")], widget=forms.Select(attrs={"data-x": '1 "2"', "disabled": True})
    )
    boxes = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(1, "Burgerzaken & <OCMW>"), (2, gettext_lazy("Open")), (30, 'Q"q')],
    )
    grouped_boxes = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "checks"}),
        choices=[("Stad", [("a", "A"), ("b", "B")]), ("OCMW", [("c", "C")])],
    )
    radios = forms.ChoiceField(
        required=False, widget=forms.RadioSelect, choices=[("post", "Post"), ("mail", "Mail")]
    )


def _both(form: forms.Form, name: str) -> tuple[str, str]:
    bound = form[name]
    attrs = {"class": "input", "aria-describedby": "x_error"}
    django = bound.as_widget(attrs=attrs)
    quick = bound.as_widget(widget=_quick_widget(bound.field.widget), attrs=attrs)
    return str(django), str(quick)


def test_same_html_as_django_unbound_and_bound():
    forms_to_check = [
        _Form(),
        _Form(
            data={
                "plain": "a",
                "optional": "2",
                "grouped": "p",
                "many": ["x", "y"],
                "numbers": "2",
                "boxes": ["1", "30"],
                "grouped_boxes": ["c"],
                "radios": "mail",
            }
        ),
        _Form(data={"plain": "<script>", "many": ["z"]}),
        _Form(
            data={
                "text": 'a "quoted" <b>text</b> & more',
                "note": "line one\n<line two>",
                "email": "x@example.org",
                "amount": "12.50",
                "count": "not a number",
                "secret": "hunter2",
                "version": "3",
                "day": "2026-02-30",
                "site": "https://example.org/?a=1&b=2",
            }
        ),
        _Form(initial={"note": "", "count": 0, "version": 7, "text": ""}),
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
    radio.template_name = "partials/form_field.html"
    assert _quick_widget(radio) is radio

    class Custom(forms.TextInput):
        pass

    custom = Custom()
    assert _quick_widget(custom) is custom
    own_template = forms.TextInput()
    own_template.template_name = "partials/form_field.html"
    assert _quick_widget(own_template) is own_template
