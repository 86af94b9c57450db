"""Open redirects: every ``next=`` the site follows (staff login, resident login,
language switch, acting on behalf, staff logout) refuses another host, a
protocol-relative or backslashed URL and a ``javascript:`` URL, and stays on the site."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode, urlsplit

import pyotp
import pytest
from django.test import Client

from loket.accounts.staff import services as staff_services
from loket.accounts.staff.models import TotpDevice
from loket.accounts.staff.tests.helpers import PASSWORD, log_in_staff
from loket.core.tests.factories import MembershipFactory, StaffFactory

pytestmark = pytest.mark.django_db

HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "\\\\evil.example/",
    "/\\evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " //evil.example",
    "http://testserver@evil.example/",
    "data:text/html,<script>alert(1)</script>",
    # Not a URL at all: Django's redirect() would take it for a view name (a 500).
    "nergens",
    "9" * 40,
]
SECRET = pyotp.random_base32()
NEXT_INPUT = re.compile(r'name="next" value="([^"]*)"')


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Each test logs in once; the real hasher would make the module slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _stays_on_site(response: Any) -> None:
    assert response.status_code in (301, 302, 303), response.status_code
    location = response["Location"]
    parts = urlsplit(location)
    assert parts.scheme in ("", "http", "https"), location
    assert parts.netloc in ("", "testserver"), location
    assert not location.startswith(("//", "/\\", "\\")), location
    assert "evil" not in location


@pytest.fixture
def clerk(db: Any) -> Any:
    user = StaffFactory(username="baliemedewerker")
    MembershipFactory(user=user)
    TotpDevice.objects.create(user=user, secret=SECRET)
    return user


def _code() -> str:
    return pyotp.TOTP(SECRET).at(int(staff_services._clock()))


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_staff_login_never_sends_to_another_site(clerk: Any, target: str) -> None:
    client = Client()
    client.post(
        "/backoffice/aanmelden/",
        {"username": "baliemedewerker", "password": PASSWORD, "next": target},
    )
    response = client.post("/backoffice/aanmelden/tweede-stap/", {"code": _code()})
    _stays_on_site(response)
    assert response["Location"] == "/backoffice/"


def test_staff_login_follows_a_next_on_the_site(clerk: Any) -> None:
    client = Client()
    client.post(
        "/backoffice/aanmelden/",
        {"username": "baliemedewerker", "password": PASSWORD, "next": "/backoffice/?tab=1"},
    )
    response = client.post("/backoffice/aanmelden/tweede-stap/", {"code": _code()})
    assert response["Location"] == "/backoffice/?tab=1"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_staff_login_without_a_second_factor_never_sends_to_another_site(
    settings: Any, target: str
) -> None:
    settings.LOKET_STAFF_2FA_REQUIRED = False
    user = StaffFactory(username="zonder-factor")
    MembershipFactory(user=user)
    response = Client().post(
        "/backoffice/aanmelden/",
        {"username": "zonder-factor", "password": PASSWORD, "next": target},
    )
    _stays_on_site(response)


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_the_resident_login_page_drops_a_foreign_next(client: Client, target: str) -> None:
    page = client.get("/aanmelden/", {"next": target})
    assert page.status_code == 200
    # The login form's ``next`` is dropped; the language switcher's is this very page.
    for value in NEXT_INPUT.findall(page.content.decode()):
        assert value == "" or value.startswith("/aanmelden/?next="), value


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_the_language_switch_never_sends_to_another_site(client: Client, target: str) -> None:
    response = client.post("/i18n/setlang/", {"language": "fr", "next": target})
    _stays_on_site(response)


def test_the_language_switch_follows_a_next_on_the_site(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/diensten/"})
    assert response["Location"] == "/diensten/"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_staff_logout_never_sends_to_another_site(clerk: Any, target: str) -> None:
    client = Client()
    log_in_staff(client, clerk)
    response = client.post("/backoffice/afmelden/?" + urlencode({"next": target}), {"next": target})
    _stays_on_site(response)


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_acting_back_to_yourself_never_sends_to_another_site(target: str) -> None:
    from loket.accounts.tests.acting_helpers import log_in_resident
    from loket.people.tests.factories import PersonFactory

    client = Client()
    log_in_resident(client, PersonFactory())
    response = client.post("/namens/terug/", {"next": target})
    if response.status_code in (301, 302, 303):
        _stays_on_site(response)
    else:
        assert response.status_code in (200, 400, 404, 405)
