"""The 503 "try again" page posts a form's fields again, but never what is secret:
second-factor and recovery codes, national numbers, PINs, tokens, IBANs and card
numbers; on the login and identity-check pages it keeps no field at all."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from loket.core.middleware import database_unavailable_response

SECRETS = {
    "code": "RECOV-ERY12-34567",
    "national_number": "85.07.30-033.28",
    "rijksregisternummer": "85073003328",
    "insz": "85073003329",
    "pin": "4321",
    "reset_token": "tok-abcdef",
    "credential": "cred-123456",
    "iban": "BE71096123456769",
    "card_number": "4111111111111111",
    "password": "hunter2",
}


def _page(path: str, data: dict[str, str]) -> str:
    request = RequestFactory().post(path, data)
    response = database_unavailable_response(request)
    assert response.status_code == 503
    return response.content.decode()


def test_secret_fields_are_not_written_back_and_the_rest_is():
    html = _page(
        "/diensten/zaalhuur/aanvragen/",
        {
            "csrfmiddlewaretoken": "CSRFTOKENVALUE",
            "postcode": "9000",
            "description": "Feest in de zaal",
            **SECRETS,
        },
    )
    for name, value in SECRETS.items():
        assert value not in html, name
    assert 'name="csrfmiddlewaretoken" value="CSRFTOKENVALUE"' in html
    assert 'value="9000"' in html
    assert 'value="Feest in de zaal"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/backoffice/aanmelden/",
        "/backoffice/aanmelden/tweede-stap/?next=/backoffice/",
        "/aanmelden/start/",
        "/backoffice/balie/inwoner/12/",
    ],
)
def test_login_and_identity_pages_keep_no_field(path: str):
    html = _page(
        path,
        {
            "csrfmiddlewaretoken": "CSRFTOKENVALUE",
            "username": "fien.peeters",
            "q": "85.07.30-033.28",
            "remember": "ja",
        },
    )
    assert "fien.peeters" not in html
    assert "85.07.30-033.28" not in html
    assert "CSRFTOKENVALUE" not in html
    assert 'type="hidden"' not in html
