"""Passkeys: the registration and authentication ceremonies verified on the server,
against a software authenticator built by the WebAuthn spec."""

from __future__ import annotations

import json

import pyotp
import pytest

from loket.accounts.staff.models import Passkey, TotpDevice
from loket.accounts.staff.tests.helpers import PASSWORD, SoftAuthenticator, log_in_staff
from loket.core.models import AuditEvent
from loket.core.tests.factories import MembershipFactory, StaffFactory

pytestmark = pytest.mark.django_db

ORIGIN = "https://loket.example.test"
REG_OPTIONS = "/backoffice/beveiliging/passkey/opties/"
REGISTER = "/backoffice/beveiliging/passkey/"
LOGIN = "/backoffice/aanmelden/"
VERIFY = "/backoffice/aanmelden/tweede-stap/"
AUTH_OPTIONS = "/backoffice/aanmelden/passkey/opties/"
AUTHENTICATE = "/backoffice/aanmelden/passkey/"
HOME = "/backoffice/"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.LOKET_BASE_URL = ORIGIN


@pytest.fixture
def clerk():
    user = StaffFactory(username="baliemedewerker")
    MembershipFactory(user=user)  # a role that may use the back office
    TotpDevice.objects.create(user=user, secret=pyotp.random_base32())
    return user


def _post_json(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _register(client, authenticator, *, origin=ORIGIN, challenge=None, name="laptop"):
    options = _post_json(client, REG_OPTIONS).json()
    credential = authenticator.create(options, origin=origin, challenge=challenge)
    return _post_json(client, REGISTER, {"name": name, "credential": credential})


def _registered(client, clerk) -> SoftAuthenticator:
    authenticator = SoftAuthenticator()
    log_in_staff(client, clerk)
    assert _register(client, authenticator).status_code == 200
    client.post("/backoffice/afmelden/")
    return authenticator


def _password(client):
    response = client.post(LOGIN, {"username": "baliemedewerker", "password": PASSWORD})
    assert response["Location"] == VERIFY


def _authenticate(client, authenticator, **kwargs):
    options = _post_json(client, AUTH_OPTIONS).json()
    credential = authenticator.get(options, origin=kwargs.pop("origin", ORIGIN), **kwargs)
    return _post_json(client, AUTHENTICATE, {"credential": credential})


def test_registration_stores_the_verified_credential(client, clerk):
    authenticator = SoftAuthenticator()
    log_in_staff(client, clerk)
    options = _post_json(client, REG_OPTIONS).json()
    assert options["rp"]["id"] == "loket.example.test"

    credential = authenticator.create(options, origin=ORIGIN)
    response = _post_json(client, REGISTER, {"name": "laptop", "credential": credential})

    assert response.status_code == 200
    assert response.json()["redirect"] == "/backoffice/beveiliging/"
    passkey = Passkey.objects.get(user=clerk)
    assert passkey.name == "laptop"
    assert passkey.sign_count == 0
    assert passkey.transports == ["internal"]
    assert AuditEvent.objects.filter(action="factor_added", reason="passkey added").exists()
    assert "laptop" in client.get("/backoffice/beveiliging/").content.decode()


@pytest.mark.parametrize(
    "tamper",
    [{"challenge": "d3JvbmctY2hhbGxlbmdl"}, {"origin": "https://phishing.example"}],
    ids=["wrong challenge", "wrong origin"],
)
def test_registration_with_a_wrong_challenge_or_origin_is_refused(client, clerk, tamper):
    log_in_staff(client, clerk)
    response = _register(client, SoftAuthenticator(), **tamper)
    assert response.status_code == 400
    assert not Passkey.objects.exists()


def test_registration_needs_a_staff_session_with_second_factor(client, clerk):
    client.force_login(clerk)  # password only
    assert _post_json(client, REG_OPTIONS).status_code == 302
    assert not Passkey.objects.exists()


def test_passkey_login_lets_staff_in_and_counts_signatures(client, clerk):
    authenticator = _registered(client, clerk)
    _password(client)
    assert "data-passkey-login" in client.get(VERIFY + "?method=passkey").content.decode()

    response = _authenticate(client, authenticator)

    assert response.status_code == 200
    assert response.json()["redirect"] == HOME
    assert client.session["loket_staff_factor"] == "passkey"
    assert client.get(HOME).status_code == 200
    passkey = Passkey.objects.get(user=clerk)
    assert passkey.sign_count == 1
    assert passkey.last_used_at is not None


@pytest.mark.parametrize(
    "tamper",
    [{"challenge": "d3JvbmctY2hhbGxlbmdl"}, {"origin": "https://phishing.example"}],
    ids=["wrong challenge", "wrong origin"],
)
def test_passkey_login_with_a_wrong_challenge_or_origin_is_refused(client, clerk, tamper):
    authenticator = _registered(client, clerk)
    _password(client)
    response = _authenticate(client, authenticator, **tamper)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert Passkey.objects.get(user=clerk).sign_count == 0


def test_a_replayed_or_lower_sign_count_is_refused(client, clerk):
    authenticator = _registered(client, clerk)
    _password(client)
    assert _authenticate(client, authenticator, sign_count=5).status_code == 200
    client.post("/backoffice/afmelden/")

    _password(client)
    response = _authenticate(client, authenticator, sign_count=5)  # not increasing
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert _authenticate(client, authenticator, sign_count=3).status_code == 400
    assert Passkey.objects.get(user=clerk).sign_count == 5
    # The last used factor is offered first next time.
    client.post("/backoffice/afmelden/")
    _password(client)
    assert "data-passkey-login" in client.get(VERIFY).content.decode()


def test_a_challenge_is_used_once(client, clerk):
    authenticator = _registered(client, clerk)
    _password(client)
    options = _post_json(client, AUTH_OPTIONS).json()
    credential = authenticator.get(options, origin=ORIGIN)
    assert _post_json(client, AUTHENTICATE, {"credential": credential}).status_code == 200
    client.post("/backoffice/afmelden/")
    _password(client)
    again = authenticator.get(options, origin=ORIGIN)  # old challenge, higher count
    assert _post_json(client, AUTHENTICATE, {"credential": again}).status_code == 400


def test_another_users_passkey_is_refused(client, clerk):
    other = StaffFactory(username="diensthoofd")
    authenticator = SoftAuthenticator()
    log_in_staff(client, other)
    assert _register(client, authenticator).status_code == 200
    client.post("/backoffice/afmelden/")

    _registered(client, clerk)
    _password(client)
    assert _authenticate(client, authenticator).status_code == 400
    assert "_auth_user_id" not in client.session


def test_passkey_endpoints_need_the_password_step_first(client, clerk):
    assert _post_json(client, AUTH_OPTIONS).status_code == 403
    assert _post_json(client, AUTHENTICATE, {"credential": {}}).status_code == 403
