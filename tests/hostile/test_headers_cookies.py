"""Header and cookie tampering: a foreign Host is refused with 400, forwarded headers
are not trusted unless configured, huge headers and forged cookies (session, language,
messages, CSRF) give no 500 and no privilege."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from loket.accounts.tests.acting_helpers import log_in_resident
from loket.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

FOREIGN_HOSTS = [
    "evil.example",
    "testserver.evil.example",
    "evil.example:80",
    "testserver@evil.example",
    "127.0.0.1.evil.example",
    "evil.example/testserver",
    "<script>",
    "x" * 300,
]
# UTF-8 bytes arrive in the WSGI environ decoded as ISO-8859-1, as a real server sends them.
NON_ASCII = "\u00e9\u202e".encode().decode("iso-8859-1")
FORGED = [
    "x",
    "<script>alert(1)</script>",
    "../../../etc/passwd",
    "a" * 4000,
    NON_ASCII,
    "';--",
]


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_a_foreign_host_header_is_refused_with_400(client: Client, host: str) -> None:
    response = client.get("/", HTTP_HOST=host)
    assert response.status_code == 400
    assert host not in response.content.decode()


def test_x_forwarded_host_is_not_trusted(client: Client) -> None:
    """Were it trusted, ``next`` pointing to that host would count as 'this site'."""
    response = client.post(
        "/i18n/setlang/",
        {"language": "fr", "next": "http://evil.example/"},
        HTTP_X_FORWARDED_HOST="evil.example",
    )
    assert response.status_code == 302
    assert "evil" not in response["Location"]


def test_x_forwarded_proto_is_not_trusted_unless_behind_a_proxy(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = None
    response = Client().get("/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_x_forwarded_proto_is_trusted_behind_a_proxy(settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = Client().get("/diensten/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200


def test_huge_headers_give_no_500(client: Client) -> None:
    huge = "a" * (64 * 1024)
    response = client.get(
        "/diensten/",
        HTTP_USER_AGENT=huge,
        HTTP_REFERER="https://example.org/" + huge,
        HTTP_ACCEPT_LANGUAGE=huge,
        HTTP_X_FORWARDED_FOR=",".join(["10.0.0.1"] * 5000),
    )
    assert response.status_code == 200


@pytest.mark.parametrize("forged", FORGED)
def test_a_forged_session_cookie_is_an_anonymous_visitor(client: Client, forged: str) -> None:
    client.cookies["sessionid"] = forged
    assert client.get("/").status_code == 200
    mine = client.get("/mijn-gegevens/")
    assert mine.status_code == 302
    assert mine["Location"].startswith("/aanmelden/")
    staff = client.get("/backoffice/")
    assert staff.status_code == 302
    assert staff["Location"].startswith("/backoffice/aanmelden/")


def test_a_residents_session_cookie_opens_nothing_of_the_back_office() -> None:
    client = Client()
    log_in_resident(client, PersonFactory())
    for path in ("/backoffice/", "/backoffice/inwoners/", "/backoffice/dossiers/"):
        response = client.get(path)
        assert response.status_code in (302, 403), path
        if response.status_code == 302:
            assert response["Location"].startswith("/backoffice/aanmelden/")


@pytest.mark.parametrize("forged", [*FORGED, "fr\r\nSet-Cookie: admin=1", "nl-BE", "zz", "de-xx"])
def test_a_forged_language_cookie_falls_back_to_a_supported_language(
    client: Client, forged: str
) -> None:
    client.cookies["django_language"] = forged
    response = client.get("/diensten/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="' in body
    language = body.split('<html lang="', 1)[1].split('"', 1)[0]
    assert language in ("nl", "nl-be", "fr", "en", "de")
    assert "<script>alert(1)</script>" not in body
    assert "admin" not in response.cookies


@pytest.mark.parametrize("forged", FORGED)
def test_a_forged_messages_cookie_is_ignored(client: Client, forged: str) -> None:
    client.cookies["messages"] = forged
    response = client.get("/diensten/")
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize("forged", FORGED)
def test_a_forged_csrf_cookie_gives_a_fresh_form_not_a_500(client: Client, forged: str) -> None:
    client.cookies["csrftoken"] = forged
    response = client.get("/verificatie/")
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
