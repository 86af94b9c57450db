from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import loader
from django.test import Client
from django.views.defaults import permission_denied

pytestmark = pytest.mark.django_db


def test_404_is_a_clear_dutch_page_with_the_site_layout(client):
    response = client.get("/bestaat-niet/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "We vinden deze pagina niet" in html
    assert '<a class="skip-link" href="#main">' in html
    assert 'href="/"' in html


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("nl-be", "We vinden deze pagina niet"),
        ("fr", "Nous ne trouvons pas cette page"),
        ("en", "We cannot find this page"),
        ("de", "Wir finden diese Seite nicht"),
    ],
)
def test_404_in_every_language(client, language, heading):
    client.cookies["django_language"] = language
    response = client.get("/bestaat-niet/")

    assert response.status_code == 404
    assert heading in response.content.decode()


def test_500_renders_without_any_context():
    html = loader.get_template("500.html").render()

    assert "Er ging iets mis bij ons" in html
    assert "<script" not in html


def test_403_tells_what_to_do_next(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    response = permission_denied(request, exception=None)

    assert response.status_code == 403
    html = response.content.decode()
    assert "U hebt geen toegang tot deze pagina" in html
    assert "/backoffice/aanmelden/" in html


def test_csrf_failure_explains_the_expired_form():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/backoffice/aanmelden/", {"username": "x", "password": "y"})

    assert response.status_code == 403
    html = response.content.decode()
    assert "Het formulier is verlopen" in html
    assert "Laad die pagina opnieuw." in html
