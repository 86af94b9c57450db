"""The clear-language check staff see beside every template."""

from __future__ import annotations

from typing import Any

import pytest

from loket.notifications.clarity import clarity_check
from loket.notifications.rendering import TemplateProblem, render, template_problems


def test_plain_dutch_reads_easily() -> None:
    report = clarity_check(
        "Beste {{ first_name }}. Uw parkeerkaart is klaar. U kunt ze ophalen aan het loket.",
        language="nl",
    )
    assert report.reading_ease >= 60
    assert report.sentences == 3
    assert report.average_sentence_length < 8
    assert report.jargon == ()
    assert report.easy


def test_officialese_is_flagged_with_plain_alternatives() -> None:
    report = clarity_check(
        "Middels dit schrijven verzoeken wij u teneinde de afhandeling van uw dossier "
        "conform de geldende reglementering en de bepalingen ter zake onverwijld de "
        "ontbrekende bewijsstukken inzake uw aanvraag te retourneren.",
        language="nl",
    )
    words = {hit.word: hit.alternative for hit in report.jargon}
    assert words["middels"] == "met"
    assert words["teneinde"] == "om"
    assert words["retourneren"] == "terugsturen"
    assert report.average_sentence_length > 15
    assert report.reading_ease < 60
    assert not report.easy


def test_each_language_has_its_own_list() -> None:
    assert clarity_check("Nous agissons en vertu de la loi.", language="fr").jargon
    assert not clarity_check("Nous agissons en vertu de la loi.", language="nl").jargon


def test_placeholders_render_only_when_declared_and_given(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"  # the messages are translated
    assert render("Dag {{ name }}!", allowed=["name"], context={"name": "An"}) == "Dag An!"
    assert template_problems("{{ x }}", allowed=["name"]) == [
        "Unknown placeholder {{ x }}. Allowed: {{ name }}."
    ]
    assert template_problems("{% if a %}", allowed=[])
    with pytest.raises(TemplateProblem, match=r"No value for \{\{ name \}\}"):
        render("Dag {{ name }}", allowed=["name"], context={})
