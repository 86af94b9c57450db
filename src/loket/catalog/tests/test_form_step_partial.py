"""The step partial: every kind of question drawn accessibly, without JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.http import QueryDict
from django.template.loader import render_to_string

from loket.catalog import formengine
from loket.catalog.types import Fact

ALL_KINDS: dict[str, Any] = {
    "steps": [
        {
            "key": "all",
            "title": "Alles",
            "intro": "Vul in.",
            "fields": [
                {
                    "key": "text",
                    "type": "text",
                    "label": "Tekst",
                    "required": True,
                    "hint": "Kort.",
                },
                {"key": "long", "type": "textarea", "label": "Lang", "required": True},
                {"key": "number", "type": "number", "label": "Getal", "required": True},
                {"key": "day", "type": "date", "label": "Dag", "required": True},
                {"key": "mail", "type": "email", "label": "Mail", "required": True},
                {"key": "tel", "type": "phone", "label": "Telefoon", "required": True},
                {
                    "key": "radio",
                    "type": "choice",
                    "label": "Keuze",
                    "required": True,
                    "options": ["a", "b"],
                },
                {
                    "key": "select",
                    "type": "choice",
                    "label": "Lijst",
                    "required": True,
                    "widget": "select",
                    "options": ["a"],
                },
                {
                    "key": "multi",
                    "type": "multichoice",
                    "label": "Meer",
                    "required": True,
                    "options": ["a", "b"],
                },
                {"key": "tick", "type": "checkbox", "label": "Akkoord", "required": True},
                {"key": "yn", "type": "yesno", "label": "Ja of nee", "required": True},
                {"key": "when_yes", "type": "text", "label": "Waarom", "show_if": {"yn": "yes"}},
                {"key": "where", "type": "address", "label": "Adres", "required": True},
                {"key": "file", "type": "file", "label": "Bestand", "required": True},
                {
                    "key": "who",
                    "type": "person",
                    "label": "Partner",
                    "required": True,
                    "max_items": 2,
                },
                {"key": "name", "type": "known", "label": "Naam", "prefill": "person.full_name"},
            ],
        }
    ]
}


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def _html(result: Any = None) -> str:
    definition = formengine.definition_parse(ALL_KINDS, version=4)
    known = {"person.full_name": Fact(key="person.full_name", value="An Smet", display="An Smet")}
    step = formengine.step_render(definition, step_key="all", known=known, result=result)
    return render_to_string("catalog/_form_step.html", {"form_step": step})


@pytest.mark.django_db
def test_every_kind_is_drawn_with_labels_and_linked_errors() -> None:
    definition = formengine.definition_parse(ALL_KINDS, version=4)
    result = formengine.step_validate(definition, step_key="all", data=QueryDict(""))
    html = _html(result)
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    # Every input, select and textarea has a label pointing at it (or is a hidden one).
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in tag:
            continue
        input_id = re.search(r'\bid="([^"]+)"', tag).group(1)
        assert f'for="{input_id}"' in html, tag
    # Every aria-describedby and every link of the error summary points at something.
    for described in re.findall(r'aria-describedby="([^"]+)"', html):
        for part in described.split():
            assert part in ids, part
    for target in re.findall(r'href="#([^"]+)"', html):
        assert target in ids, target
    assert html.count('class="field__error"') == 14
    assert "Only if “Ja of nee” is “Yes”." in html
    assert 'name="form_version" value="4"' in html
    assert "An Smet" in html
    assert 'name="f-name"' not in html
    assert html.count("<fieldset") == 5  # radio, multi, yes/no, address, person
    assert 'aria-invalid="true"' in html


def test_without_errors_there_is_no_summary() -> None:
    html = _html()
    assert "Something is not right yet" not in html
    assert "Step 1 of 1" in html
    assert 'type="date"' in html
    assert 'type="email"' in html
    assert 'type="tel"' in html
