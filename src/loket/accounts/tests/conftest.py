"""The resident login against the real demo identity provider, run in a thread.

Django's test client plays the browser on Loket's side; ``urllib`` plays it on the
identity provider's side: GET authorize, POST the persona choice, take the redirect
back to Loket's callback.
"""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache

from loket.people.constants import Gender, HouseholdRelation
from loket.people.services import population_import
from loket.people.types import AddressData, HouseholdImport, NationalNumber, PersonImport
from loket.simulators.oidc_provider import Client, RunningProvider, start_in_thread

CLIENT_ID = "loket-test"
CLIENT_SECRET = "loket-test-secret"


@dataclass(frozen=True)
class TestPersona:
    key: str
    first_name: str
    last_name: str
    national_number: str = field(repr=False)
    email: str = ""
    language: str = "nl"
    description: str = "Test"


def _number(year: int, gender: str = Gender.FEMALE, index: int = 3) -> str:
    return NationalNumber.compose(birth_date=dt.date(year, 3, 4), gender=gender, index=index).value


PARENT = TestPersona("ouder", "Sarah", "Peeters", _number(1990), "sarah@example.org")
NEWCOMER = TestPersona("nieuw", "Youssef", "El Amrani", _number(1995, Gender.MALE))
PERSONAS = (PARENT, NEWCOMER)
CHILD_NUMBER = _number(2019, Gender.MALE)


@pytest.fixture
def idp() -> Iterator[RunningProvider]:
    running = start_in_thread(
        personas=PERSONAS,
        clients=[Client(CLIENT_ID, CLIENT_SECRET, ("http://testserver/",))],
        environment="development",
    )
    cache.clear()
    yield running
    running.stop()
    cache.clear()


@pytest.fixture
def resident_login(settings, idp, db):
    """Settings pointing at the simulator (FAS dialect) and the family in the register."""
    settings.LOKET_OIDC_ENABLED = True
    settings.LOKET_OIDC_DIALECT = "fas"
    settings.LOKET_OIDC_ISSUER = idp.issuer("fas")
    settings.LOKET_OIDC_CLIENT_ID = CLIENT_ID
    settings.LOKET_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.LOKET_OIDC_SCOPES = "openid profile egovnrn"
    address = AddressData(
        street_name="Mandelhof",
        house_number="2",
        postcode="8770",
        municipality_name="Mandelmunster",
        nis_code="36007",
    )
    population_import(
        actor=None,
        reason="test",
        households=[
            HouseholdImport(
                reference="T-FAMILY",
                address=address,
                members=(
                    PersonImport(
                        national_number=PARENT.national_number,
                        first_name="Sarah",
                        last_name="Peeters",
                        birth_date=dt.date(1990, 3, 4),
                        gender=Gender.FEMALE,
                        language="nl",
                        household_relation=HouseholdRelation.HEAD,
                        prefers_paper=True,
                    ),
                    PersonImport(
                        national_number=CHILD_NUMBER,
                        first_name="Mats",
                        last_name="Peeters",
                        birth_date=dt.date(2019, 3, 4),
                        gender=Gender.MALE,
                        language="nl",
                        household_relation=HouseholdRelation.CHILD,
                    ),
                ),
            )
        ],
    )
    return idp


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def idp_request(url: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
    """(status, Location, body) of one request to the identity provider."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body)  # noqa: S310 (loopback only)
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, response.headers.get("Location", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", ""), error.read().decode()


def local_path(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    assert parts.netloc == "testserver", url
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def start_login(client, method: str = "itsme", next_url: str = "") -> str:
    """Loket's side: press "Log in"; returns the identity provider's authorize URL."""
    response = client.post("/aanmelden/start/", {"method": method, "next": next_url})
    assert response.status_code == 302, response.content
    return response["Location"]


def pick_persona(authorize_url: str, persona: str, method: str = "itsme") -> str:
    """The identity provider's side: show the picker, choose; returns the callback URL."""
    status, _, page = idp_request(authorize_url)
    assert status == 200, page
    assert "Demo" in page
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize_url).query))
    status, location, _ = idp_request(
        authorize_url.split("?")[0], {**query, "persona": persona, "method": method}
    )
    assert status == 302
    return location


def log_in(client, persona: str = "ouder", method: str = "itsme", next_url: str = ""):
    callback = pick_persona(start_login(client, method, next_url), persona, method)
    return client.get(local_path(callback))


@pytest.fixture(autouse=True)
def _english_pages(settings):
    """These tests read the English msgids; the Dutch default is tested in the portal."""
    settings.LANGUAGE_CODE = "en"
