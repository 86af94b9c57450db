"""The remembering ``{% url %}`` of ``loket_urls`` answers exactly as Django's own."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

from loket.portal.templatetags.loket_urls import url_cache_clear


def _render(source: str, **context: object) -> str:
    return Template("{% load loket_urls %}" + source).render(Context(context))


@pytest.fixture(autouse=True)
def _fresh_table():
    url_cache_clear()
    yield
    url_cache_clear()
    set_script_prefix("/")


def test_same_urls_as_django_with_and_without_arguments():
    assert _render("{% url 'portal:home' %}") == reverse("portal:home")
    for reference in ("2026-000001", "2026-000002"):
        rendered = _render("{% url 'cases:detail' ref %}", ref=reference)
        assert rendered == reverse("cases:detail", args=[reference])
    # Asked again: the same answer.
    assert _render("{% url 'cases:detail' '2026-000001' %}") == reverse(
        "cases:detail", args=["2026-000001"]
    )


def test_as_variable_and_unknown_names():
    assert _render("{% url 'portal:home' as home %}[{{ home }}]") == f"[{reverse('portal:home')}]"
    assert _render("{% url 'no:such' as nothing %}[{{ nothing }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        _render("{% url 'no:such' %}")


def test_script_prefix_is_part_of_the_answer():
    assert _render("{% url 'portal:home' %}") == "/"
    set_script_prefix("/loket/")
    assert _render("{% url 'portal:home' %}") == "/loket/"
