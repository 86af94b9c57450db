"""``{% memo %}`` renders a piece once per key and language and remembers it."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

from loket.portal.templatetags.loket_memo import memo_clear

PIECE = Template(
    '{% load i18n loket_memo %}{% memo "piece" key %}{{ shown }} {% translate "Home" %}'
    "{% endmemo %}"
)


def _render(**context: object) -> str:
    return PIECE.render(Context(context))


def test_a_piece_is_rendered_once_per_key() -> None:
    memo_clear()
    assert _render(key="a", shown="first").startswith("first")
    # Same key: what was remembered, whatever else the context holds.
    assert _render(key="a", shown="second").startswith("first")
    # Another key: rendered again.
    assert _render(key="b", shown="third").startswith("third")
    memo_clear()
    assert _render(key="a", shown="fourth").startswith("fourth")


def test_the_language_is_part_of_the_key() -> None:
    memo_clear()
    with translation.override("en"):
        english = _render(key="a", shown="x")
    with translation.override("nl-be"):
        dutch = _render(key="a", shown="x")
    assert english == "x Home"
    assert dutch != english


def test_a_key_that_cannot_be_looked_up_renders_every_time() -> None:
    memo_clear()
    assert _render(key=["a"], shown="one").startswith("one")
    assert _render(key=["a"], shown="two").startswith("two")


def test_the_name_must_be_a_quoted_string() -> None:
    with pytest.raises(TemplateSyntaxError):
        Template("{% load loket_memo %}{% memo piece %}x{% endmemo %}")
