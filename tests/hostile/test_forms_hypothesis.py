"""Generated input for the form engine, posted through the real request wizard.

Whatever a visitor types (control characters, NUL bytes, markup, right-to-left marks,
huge numbers, impossible dates, malformed national numbers and addresses), the answer is
a redirect to the next step or the same step again with the errors listed and what was
typed still in the inputs. Never a 500, never markup from the input in the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import FIELDS_STEP, form_version, wizard_url

pytestmark = pytest.mark.django_db

HYPOTHESIS = settings(
    max_examples=30,
    deadline=None,
    database=None,  # no example folder in the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any character a browser could send in a form (no lone surrogates: not encodable).
ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
MARKUP = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "{{ request.user }}",
        "{% debug %}",
        "javascript:alert(1)",
        "\x00",
        "\u202e",
        "' OR 1=1 --",
    ]
)
TEXT = st.one_of(ANY_TEXT, MARKUP, st.builds(lambda a, b: a + b, ANY_TEXT, MARKUP))
NUMBER = st.one_of(
    TEXT,
    st.integers().map(str),
    st.from_regex(r"\A-?\d{1,6000}([.,]\d{1,40})?\Z"),
    st.sampled_from(["1.250,5", "1e999999", "NaN", "Infinity", "-0", "٣٤", "1 000"]),
)
DATE = st.one_of(
    TEXT,
    st.dates().map(lambda d: d.isoformat()),
    st.from_regex(r"\A\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\Z"),
    st.sampled_from(["31/02/2026", "0001-01-01", "9999-12-31", "29/02/2023", "00/00/0000"]),
)
EMAIL = st.one_of(TEXT, st.emails(), st.sampled_from(["a@b", "a@[127.0.0.1]", "x" * 400 + "@a.be"]))
NATIONAL_NUMBER = st.one_of(
    TEXT,
    st.from_regex(r"\A\d{2}[.]?\d{2}[.]?\d{2}-?\d{3}[.]?\d{2}\Z"),
    st.sampled_from(["85.07.30-033.28", "00000000000", "99.99.99-999.99"]),
)
POSTCODE = st.one_of(TEXT, st.from_regex(r"\A[0-9]{4}\Z"))


def _typed(client: Client, data: dict[str, str]) -> Any:
    return client.post(
        wizard_url(), {"stap": FIELDS_STEP, "form_version": form_version(client), **data}
    )


def _check(response: Any, data: dict[str, str], *, keep: tuple[str, ...]) -> None:
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:
        return
    body = response.content.decode()
    assert "alert--error" in body  # the error summary
    assert "<script>alert(1)</script>" not in body
    assert "<img src=x" not in body
    for name in keep:
        typed = data[name].strip()
        if typed and "\x00" not in typed and len(typed) <= 200:
            assert escape(typed) in body, f"{name}: what was typed is not shown again"


@HYPOTHESIS
@given(name=TEXT, story=TEXT, visitors=NUMBER, count=NUMBER, day=DATE, mail=EMAIL, phone=TEXT)
def test_typed_answers_never_break_the_form(
    hostile_service: Any,
    resident_client: Client,
    name: str,
    story: str,
    visitors: str,
    count: str,
    day: str,
    mail: str,
    phone: str,
) -> None:
    data = {
        "f-name": name,
        "f-story": story,
        "f-visitors": visitors,
        "f-count": count,
        "f-day": day,
        "f-mail": mail,
        "f-phone": phone,
    }
    response = _typed(resident_client, data)
    _check(response, data, keep=("f-name", "f-mail", "f-phone"))


@HYPOTHESIS
@given(postcode=POSTCODE, street=TEXT, number=TEXT, box=TEXT, nn=NATIONAL_NUMBER, last=TEXT)
def test_addresses_and_national_numbers_never_break_the_form(
    hostile_service: Any,
    resident_client: Client,
    postcode: str,
    street: str,
    number: str,
    box: str,
    nn: str,
    last: str,
) -> None:
    data = {
        "f-name": "Feest",
        "f-visitors": "10",
        "f-day": "2030-07-21",
        "f-mail": "a@voorbeeld.be",
        "f-where-postcode": postcode,
        "f-where-street": street,
        "f-where-number": number,
        "f-where-box": box,
        "f-co-0-nn": nn,
        "f-co-0-name": last,
    }
    response = _typed(resident_client, data)
    _check(response, data, keep=("f-where-street", "f-co-0-name"))


@HYPOTHESIS
@given(data=st.dictionaries(st.sampled_from(["stap", "form_version", "terug", "actie"]), TEXT))
def test_tampered_wizard_controls_never_break_it(
    hostile_service: Any, resident_client: Client, data: dict[str, str]
) -> None:
    response = resident_client.post(wizard_url(), data)
    assert response.status_code in (200, 302, 400, 404), response.status_code


def test_an_answer_with_markup_is_kept_escaped_on_the_next_visit(
    hostile_service: Any, resident_client: Client
) -> None:
    data = {
        "f-name": "<script>alert(1)</script>",
        "f-visitors": "10",
        "f-day": "2030-07-21",
        "f-mail": "a@voorbeeld.be",
    }
    assert _typed(resident_client, data).status_code == 302
    page = resident_client.get(f"{wizard_url()}?stap={FIELDS_STEP}").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert escape("<script>alert(1)</script>") in page


def test_a_nul_character_in_an_answer_is_refused_or_kept_never_a_500(
    hostile_service: Any, resident_client: Client
) -> None:
    """PostgreSQL refuses NUL in text and JSON: the answer must never reach it raw."""
    data = {
        "f-name": "Feest\x00",
        "f-story": "a\x00b",
        "f-visitors": "10",
        "f-day": "2030-07-21",
        "f-mail": "a@voorbeeld.be",
    }
    response = _typed(resident_client, data)
    assert response.status_code in (302, 400)
    again = resident_client.get(f"{wizard_url()}?stap={FIELDS_STEP}")
    assert again.status_code == 200
