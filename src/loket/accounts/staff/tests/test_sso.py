"""Staff single sign-on against the real demo identity provider, run in a thread.

Django's test client plays the browser on Loket's side; ``urllib`` plays it on the
identity provider's side (GET authorize, POST the persona choice, follow the redirect
back to Loket). Nothing in between is mocked.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pyotp
import pytest
from django.core.cache import cache

from loket.accounts.staff.constants import AUDIT_OBJECT_TYPE, Factor, StaffAuthAudit
from loket.accounts.staff.tests.helpers import PASSWORD, with_authenticator_app
from loket.core.models import AuditEvent
from loket.core.tests.factories import StaffFactory, UserFactory
from loket.simulators.oidc_provider import Client, RunningProvider, start_in_thread

pytestmark = pytest.mark.django_db

CLIENT_ID, CLIENT_SECRET = "loket-staff-test", "loket-staff-test-secret"
START = "/backoffice/aanmelden/gemeente/"
LOGOUT = "/backoffice/afmelden/volledig/"
SECURITY = "/backoffice/beveiliging/"


@dataclass(frozen=True)
class StaffPersona:
    key: str
    username: str
    first_name: str
    last_name: str
    email: str
    description: str = "test"


PERSONAS = (
    StaffPersona("els", "els", "Els", "Maes", "els.maes@example.org"),
    StaffPersona("ghost", "ghost", "Niet", "Gekend", "ghost@example.org"),
    StaffPersona("blocked", "blocked", "Ex", "Collega", "blocked@example.org"),
    StaffPersona("mail", "m.peeters", "Mia", "Peeters", "Mia.Peeters@example.org"),
)


@pytest.fixture
def idp(settings) -> Iterator[RunningProvider]:
    running = start_in_thread(
        personas=(),
        staff_personas=PERSONAS,
        clients=[Client(CLIENT_ID, CLIENT_SECRET, ("http://testserver/",))],
        environment="development",
    )
    settings.LANGUAGE_CODE = "en"
    settings.LOKET_STAFF_SSO = "oidc"
    settings.LOKET_STAFF_OIDC_ISSUER = running.issuer("staff")
    settings.LOKET_STAFF_OIDC_CLIENT_ID = CLIENT_ID
    settings.LOKET_STAFF_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.LOKET_STAFF_OIDC_SCOPES = "openid profile email"
    settings.LOKET_STAFF_OIDC_MATCH = "username"
    settings.LOKET_STAFF_OIDC_REQUIRE_MFA = True
    settings.LOKET_STAFF_PASSWORD_LOGIN = True
    cache.clear()
    yield running
    running.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def idp_request(url: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body)  # noqa: S310 (loopback only)
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, response.headers.get("Location", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", ""), error.read().decode()


def local(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    assert parts.netloc == "testserver", url
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def start(client, next_url: str = "") -> str:
    response = client.post(START, {"next": next_url})
    assert response.status_code == 302, response.content
    return response["Location"]


def pick(authorize_url: str, persona: str, method: str = "mfa") -> str:
    status, _, page = idp_request(authorize_url)
    assert status == 200, page
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize_url).query))
    status, location, _ = idp_request(
        authorize_url.split("?")[0], {**query, "persona": persona, "method": method}
    )
    assert status == 302, location
    return location


def sso(client, persona: str = "els", method: str = "mfa", next_url: str = ""):
    return client.get(local(pick(start(client, next_url), persona, method)))


def _refusals(reason_part: str) -> list[AuditEvent]:
    return [
        event
        for event in AuditEvent.objects.filter(
            object_type=AUDIT_OBJECT_TYPE, action=StaffAuthAudit.LOGIN_FAILED
        )
        if reason_part in event.reason
    ]


def _assert_no_session(client) -> None:
    assert "_auth_user_id" not in client.session
    assert client.get(SECURITY).status_code == 302


# --- The login page ---------------------------------------------------------------------


def test_the_login_page_offers_single_sign_on_and_the_password(client, idp):
    page = client.get("/backoffice/aanmelden/").content.decode()
    assert "Log in with your account of the municipality" in page
    assert 'name="password"' in page


def test_without_single_sign_on_the_page_shows_the_password_only(client, idp, settings):
    settings.LOKET_STAFF_SSO = "off"
    page = client.get("/backoffice/aanmelden/").content.decode()
    assert "account of the municipality" not in page
    response = client.post(START)
    assert response.status_code == 400
    assert "not available" in response.content.decode()


def test_password_login_can_be_switched_off(client, idp, settings):
    settings.LOKET_STAFF_PASSWORD_LOGIN = False
    StaffFactory(username="els", password=PASSWORD)
    page = client.get("/backoffice/aanmelden/").content.decode()
    assert 'name="password"' not in page
    response = client.post("/backoffice/aanmelden/", {"username": "els", "password": PASSWORD})
    assert response.status_code == 200  # the form again, with an error
    _assert_no_session(client)


# --- Success ------------------------------------------------------------------------


def test_a_login_with_two_factors_at_the_provider_is_complete(client, idp):
    user = StaffFactory(username="els")
    response = sso(client, "els", "mfa", next_url=SECURITY)
    assert response.status_code == 302
    assert response["Location"] == SECURITY
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session["loket_staff_factor"] == Factor.SSO
    assert client.get(SECURITY).status_code == 200
    accepted = AuditEvent.objects.get(action=StaffAuthAudit.SSO_ACCEPTED)
    assert accepted.changes["amr"] == ["pwd", "otp"]
    assert AuditEvent.objects.filter(action="login", object_id=str(user.pk)).exists()


def test_a_password_only_login_at_the_provider_asks_loket_s_second_factor(client, idp):
    user = StaffFactory(username="els")
    secret = with_authenticator_app(user)
    response = sso(client, "els", "pwd")
    assert response["Location"] == "/backoffice/aanmelden/tweede-stap/"
    assert "_auth_user_id" not in client.session
    page = client.get("/backoffice/aanmelden/tweede-stap/").content.decode()
    assert "login service knows you" in page
    response = client.post("/backoffice/aanmelden/tweede-stap/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert client.session["loket_staff_factor"] == Factor.TOTP
    assert client.get(SECURITY).status_code == 200


def test_without_require_mfa_loket_s_second_factor_always_follows(client, idp, settings):
    settings.LOKET_STAFF_OIDC_REQUIRE_MFA = False
    with_authenticator_app(StaffFactory(username="els"))
    response = sso(client, "els", "mfa")
    assert response["Location"] == "/backoffice/aanmelden/tweede-stap/"


def test_amr_values_that_are_not_configured_do_not_count(client, idp, settings):
    settings.LOKET_STAFF_OIDC_MFA_AMR = []
    with_authenticator_app(StaffFactory(username="els"))
    assert sso(client, "els", "mfa")["Location"] == "/backoffice/aanmelden/tweede-stap/"


def test_staff_are_matched_by_e_mail_when_configured(client, idp, settings):
    settings.LOKET_STAFF_OIDC_MATCH = "email"
    user = StaffFactory(username="mia", email="mia.peeters@example.org")
    sso(client, "mail")
    assert client.session["_auth_user_id"] == str(user.pk)


# --- Refusals: a clear message, no session, an audit line ------------------------------


def test_an_unknown_user_is_never_created(client, idp):
    response = sso(client, "ghost")
    assert response.status_code == 403
    assert "not linked to a staff account" in response.content.decode()
    _assert_no_session(client)
    assert _refusals("unknown")
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="ghost").exists()


def test_a_resident_with_the_same_user_name_is_not_staff(client, idp):
    UserFactory(username="els", is_staff=False)
    assert sso(client, "els").status_code == 403
    _assert_no_session(client)


def test_a_disabled_staff_account_is_refused(client, idp):
    StaffFactory(username="blocked", is_active=False)
    response = sso(client, "blocked")
    assert response.status_code == 403
    assert "blocked" in response.content.decode()
    _assert_no_session(client)
    assert _refusals("disabled")


def test_a_wrong_state_is_refused(client, idp):
    StaffFactory(username="els")
    callback = pick(start(client), "els")
    tampered = callback.replace("state=", "state=x")
    response = client.get(local(tampered))
    assert response.status_code == 400
    assert "no longer valid" in response.content.decode()
    _assert_no_session(client)
    assert _refusals("state")


def test_a_replayed_code_is_refused(client, idp):
    StaffFactory(username="els")
    callback = pick(start(client), "els")
    assert client.get(local(callback)).status_code == 302
    client.post(LOGOUT)
    # A fresh login attempt in this browser, but the old code.
    fresh = urllib.parse.urlsplit(start(client))
    state = dict(urllib.parse.parse_qsl(fresh.query))["state"]
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))["code"]
    response = client.get("/backoffice/aanmelden/gemeente/terug/", {"code": code, "state": state})
    assert response.status_code == 400
    _assert_no_session(client)
    assert _refusals("code")


@pytest.mark.parametrize("sabotage", ["expired", "signature", "nonce", "unknown_key"])
def test_an_expired_or_tampered_token_is_refused(client, idp, sabotage):
    StaffFactory(username="els")
    callback = pick(start(client), "els")
    idp.provider.sabotage.add(sabotage)
    response = client.get(local(callback))
    assert response.status_code == 400
    assert "could not verify your login" in response.content.decode()
    _assert_no_session(client)
    assert _refusals("token")


def test_cancelling_at_the_provider_changes_nothing(client, idp):
    authorize = start(client)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize).query))
    _, location, _ = idp_request(authorize.split("?")[0], {**query, "cancel": "1"})
    response = client.get(local(location))
    assert response.status_code == 200
    assert "cancelled" in response.content.decode()
    _assert_no_session(client)


def test_an_unreachable_provider_is_a_clear_message(client, idp, settings):
    settings.LOKET_STAFF_OIDC_ISSUER = "http://127.0.0.1:9/staff"
    response = client.post(START)
    assert response.status_code == 400
    assert "cannot be reached" in response.content.decode()


# --- Logout -------------------------------------------------------------------------


def test_logout_ends_the_session_at_the_provider_too(client, idp):
    StaffFactory(username="els")
    sso(client, "els")
    sid = client.session["loket_staff_sso"]["sid"]
    assert idp.provider.session_active(sid)
    response = client.post(LOGOUT)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(idp.issuer("staff") + "/logout?")
    assert "id_token_hint" not in location
    _assert_no_session(client)
    status, back, _ = idp_request(location)
    assert status == 302
    assert back.startswith("http://testserver/backoffice/aanmelden/")
    assert not idp.provider.session_active(sid)


def test_the_back_office_menu_logout_also_ends_the_provider_session(client, idp):
    StaffFactory(username="els")
    sso(client, "els")
    sid = client.session["loket_staff_sso"]["sid"]
    response = client.post("/backoffice/afmelden/")
    assert response["Location"].startswith(idp.issuer("staff") + "/logout?")
    _assert_no_session(client)
    idp_request(response["Location"])
    assert not idp.provider.session_active(sid)


def test_logout_after_a_password_login_stays_in_loket(client, idp):
    user = StaffFactory(username="els")
    from loket.accounts.staff.tests.helpers import log_in_staff

    log_in_staff(client, user)
    response = client.post(LOGOUT)
    assert response["Location"] == "/backoffice/aanmelden/"
    _assert_no_session(client)


def test_the_back_office_forms_may_reach_the_provider(client, idp):
    policy = client.get("/backoffice/aanmelden/")["Content-Security-Policy"]
    origin = idp.issuer("staff").rsplit("/", 1)[0]
    assert f"form-action 'self' {origin}" in policy
