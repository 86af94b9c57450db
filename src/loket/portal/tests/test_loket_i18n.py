"""``{% load i18n %}`` gives Loket's library: ``{% translate %}`` with literals kept per
language renders exactly what Django's own tag renders, in every language."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Engine, engines
from django.utils import translation

from loket.portal.templatetags.loket_i18n import KeptTranslateNode

TEMPLATE = (
    "{% load i18n %}"
    '<p>{% translate "Messages" %}</p>'
    '<p>{% trans "Search" %}</p>'
    '<p>{% translate "My cases" as label %}[{{ label }}]</p>'
    '<p>{% translate "Messages" noop %}</p>'
    '<p>{% translate "May" context "month name" %}</p>'
    '<p>{% translate "Messages"|upper %}</p>'
    "<p>{% translate word %}</p>"
    '<p>{% translate "100%% <b>sure</b>" %}</p>'
    '{% autoescape off %}<p>{% translate "<b>sure</b>" %}</p>{% endautoescape %}'
    "<p>{% blocktranslate with n=count %}{{ n }} items{% endblocktranslate %}</p>"
    "<p>{% get_current_language as lang %}{{ lang }}</p>"
)


@pytest.mark.parametrize("language", ["nl", "fr", "en", "de"])
def test_the_kept_tag_renders_what_django_renders(language: str) -> None:
    ours = engines["django"].from_string(TEMPLATE)
    django_own = Engine(libraries={"i18n": "django.templatetags.i18n"}).from_string(TEMPLATE)
    assert not django_own.nodelist.get_nodes_by_type(KeptTranslateNode)
    with translation.override(language):
        for word in ("Messages", "Search", "<i>x</i>"):
            context = {"word": word, "count": 3}
            expected = django_own.render(Context(context))
            assert ours.render(context) == expected
            assert ours.render(context) == expected  # the second time from what is kept


def test_the_language_decides_what_is_kept() -> None:
    template = engines["django"].from_string('{% load i18n %}{% translate "Messages" %}')
    with translation.override("nl"):
        dutch = template.render({})
    with translation.override("fr"):
        french = template.render({})
    with translation.override("nl"):
        assert template.render({}) == dutch
    assert dutch == "Berichten"
    assert french != dutch


def test_every_template_gets_the_kept_tag() -> None:
    template = engines["django"].from_string('{% load i18n %}{% translate "Messages" %}')
    nodes = template.template.nodelist.get_nodes_by_type(KeptTranslateNode)
    assert len(nodes) == 1
    assert nodes[0].literal


def test_the_system_check_accepts_only_the_intended_replacement() -> None:
    from django.conf import settings

    from loket.portal.template_backend import Templates

    assert engines["django"].check() == []
    template_settings: Any = settings.TEMPLATES[0]
    options: dict[str, Any] = dict(template_settings["OPTIONS"])
    options["libraries"] = {
        **options["libraries"],
        "loket_ui": "loket.portal.templatetags.loket_memo",
    }
    backend = Templates({"NAME": "other", "DIRS": [], "APP_DIRS": True, "OPTIONS": options})
    messages = backend.check()
    assert [m.id for m in messages] == ["templates.W003"]
    assert "loket_ui" in str(messages[0].msg)
