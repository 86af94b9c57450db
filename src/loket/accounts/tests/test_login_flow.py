"""The whole resident login against the demo identity provider: nothing is mocked
but the far end, which is a real OpenID Connect provider on loopback."""

from __future__ import annotations

import re
import time
import urllib.parse

import pytest
from django.contrib.sessions.models import Session
from django.test import Client as BrowserClient

from loket.accounts.constants import SESSION_LOGIN
from loket.accounts.models import LoginSession, ResidentAccount
from loket.accounts.services import person_view_record
from loket.core.models import AuditEvent, User
from loket.people.models import Person

from .conftest import (
    CHILD_NUMBER,
    NEWCOMER,
    PARENT,
    idp_request,
    local_path,
    log_in,
    pick_persona,
    start_login,
)

pytestmark = pytest.mark.django_db


def _failed_logins() -> int:
    return AuditEvent.objects.filter(object_type="accounts.residentlogin").count()


def _assert_no_session(client) -> None:
    assert "_auth_user_id" not in client.session
    assert SESSION_LOGIN not in client.session


def test_fas_login_links_the_person_and_shows_my_details_without_a_form(client, resident_login):
    response = log_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/mijn-gegevens/"
    page = client.get("/mijn-gegevens/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Sarah Peeters" in html
    assert "Mandelhof 2, 8770 Mandelmunster" in html
    assert "Mats Peeters" in html  # the household, from the register
    assert "90.03.04-***.**" in html  # masked
    assert PARENT.national_number not in html
    main = html.split("<main")[1].split("</main>")[0]
    assert not re.search(r'<input(?![^>]*type="hidden")|<textarea|<select', main)  # no form
    account = ResidentAccount.objects.get()
    assert account.person == Person.objects.get(national_number=PARENT.national_number)
    assert PARENT.national_number not in account.national_number_digest
    login = client.session[SESSION_LOGIN]
    assert (login["dialect"], login["level"]) == ("fas", 450)
    assert login["acr"] == "urn:be:fedict:iam:fas:Level450"
    assert LoginSession.objects.get().session_key == client.session.session_key
    # The header greets the resident by first name and offers their pages.
    home = client.get("/").content.decode()
    assert "Sarah" in home
    assert "/mijn-gegevens/wie-bekeek/" in home
    # A second login finds the same account.
    other = BrowserClient()
    log_in(other)
    assert ResidentAccount.objects.count() == 1


def test_acm_dialect_reads_rrn_from_the_id_token(client, resident_login, settings):
    settings.LOKET_OIDC_DIALECT = "acm"
    settings.LOKET_OIDC_ISSUER = resident_login.issuer("acm")
    settings.LOKET_OIDC_SCOPES = "openid profile rrn"
    response = log_in(client, method="eid")
    assert response.status_code == 302
    assert client.session[SESSION_LOGIN]["dialect"] == "acm"
    assert client.session[SESSION_LOGIN]["level"] == 500
    assert ResidentAccount.objects.get().person.national_number == PARENT.national_number


def test_a_newcomer_gets_a_limited_account_not_an_error(client, resident_login):
    response = log_in(client, persona=NEWCOMER.key)
    assert response.status_code == 302
    html = client.get("/mijn-gegevens/").content.decode()
    assert "not (yet) registered" in html
    assert "What you cannot do yet" in html
    account = ResidentAccount.objects.get()
    assert account.person is None
    assert account.user.first_name == "Youssef"
    page = client.get("/mijn-gegevens/wie-bekeek/")
    assert page.status_code == 200


@pytest.mark.parametrize(
    ("sabotage", "failure"),
    [("signature", "token"), ("expired", "token"), ("nonce", "token"), ("unknown_key", "token")],
)
def test_a_bad_id_token_gives_a_clear_message_no_session_and_an_audit_line(
    client, resident_login, sabotage, failure
):
    resident_login.provider.sabotage = {sabotage}
    before = _failed_logins()
    response = log_in(client)
    assert response.status_code == 400
    assert "We could not verify your login" in response.content.decode()
    _assert_no_session(client)
    assert _failed_logins() == before + 1
    event = AuditEvent.objects.filter(object_type="accounts.residentlogin").first()
    assert event.changes["failure"] == failure
    assert not ResidentAccount.objects.exists()


def test_wrong_state_is_refused(client, resident_login):
    callback = pick_persona(start_login(client), "ouder")
    tampered = callback.replace("state=", "state=x")
    response = client.get(local_path(tampered))
    assert response.status_code == 400
    assert "no longer valid" in response.content.decode()
    _assert_no_session(client)
    assert _failed_logins() == 1


def test_a_replayed_code_is_refused(client, resident_login):
    callback = pick_persona(start_login(client), "ouder")
    assert client.get(local_path(callback)).status_code == 302
    # A second tab on another device replays the code with its own valid state.
    thief = BrowserClient()
    second = pick_persona(start_login(thief), "ouder")
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(callback).query))["code"]
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(second).query))["state"]
    response = thief.get("/aanmelden/terug/", {"code": code, "state": state})
    assert response.status_code == 400
    assert "could not be completed" in response.content.decode()
    _assert_no_session(thief)
    assert _failed_logins() == 1


def test_cancelling_at_the_identity_provider(client, resident_login):
    authorize = start_login(client)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize).query))
    status, location, _ = idp_request(authorize.split("?")[0], {**query, "cancel": "1"})
    assert status == 302
    assert "error=access_denied" in location
    response = client.get(local_path(location))
    assert response.status_code == 200
    assert "You cancelled logging in" in response.content.decode()
    _assert_no_session(client)
    assert _failed_logins() == 1


def test_login_is_refused_when_switched_off(client, resident_login, settings):
    settings.LOKET_OIDC_ENABLED = False
    response = client.post("/aanmelden/start/", {"method": "eid"})
    assert response.status_code == 400
    assert "not available" in response.content.decode()


def test_step_up_from_itsme_to_eid(client, resident_login, settings):
    settings.ROOT_URLCONF = "loket.accounts.tests.urls_step_up"
    log_in(client, method="itsme")
    response = client.get("/test-eid-only/")
    assert response.status_code == 302
    assert response["Location"].startswith("/aanmelden/start/?level=500")
    authorize = client.get(response["Location"])["Location"]
    assert "Level500" in urllib.parse.unquote(authorize)
    _, _, page = idp_request(authorize)
    assert 'value="itsme"' not in page  # only eID reaches level 500
    old_key = client.session.session_key
    done = client.get(local_path(pick_persona(authorize, "ouder", method="eid")))
    assert done["Location"] == "/test-eid-only/"
    assert client.get("/test-eid-only/").content == b"level 500"
    assert client.session[SESSION_LOGIN]["level"] == 500
    assert LoginSession.objects.get(session_key=old_key).end_reason == "step_up"


def test_a_too_weak_login_for_the_requested_level_is_refused(client, resident_login):
    authorize = client.get("/aanmelden/start/", {"level": "500"})["Location"]
    # Someone edits the request at the provider to get away with itsme.
    weaker = authorize.replace("Level500", "Level450")
    callback = pick_persona(weaker, "ouder", method="itsme")
    response = client.get(local_path(callback))
    assert response.status_code == 400
    _assert_no_session(client)


def _age_session(client, **seconds: float) -> None:
    session = client.session
    login = session[SESSION_LOGIN]
    for key, delta in seconds.items():
        login[key] -= delta
    session[SESSION_LOGIN] = login
    session.save()


def test_idle_timeout(client, resident_login):
    log_in(client)
    _age_session(client, last_seen=29 * 60, started_at=29 * 60)
    assert client.get("/mijn-gegevens/").status_code == 200
    _age_session(client, last_seen=31 * 60)
    response = client.get("/mijn-gegevens/")
    assert response.status_code == 302
    assert response["Location"] == "/aanmelden/"
    _assert_no_session(client)
    assert LoginSession.objects.get().end_reason == "idle"
    assert "inactive for too long" in client.get("/aanmelden/").content.decode()


def test_absolute_timeout_even_when_active(client, resident_login):
    log_in(client)
    _age_session(client, started_at=8 * 3600 + 1)
    response = client.get("/mijn-gegevens/")
    assert response.status_code == 302
    _assert_no_session(client)
    assert LoginSession.objects.get().end_reason == "absolute"


def test_logout_ends_the_session_here_and_at_the_identity_provider(client, resident_login):
    log_in(client)
    sid = client.session[SESSION_LOGIN]["sid"]
    key = client.session.session_key
    response = client.post("/afmelden/")
    _assert_no_session(client)
    assert not Session.objects.filter(session_key=key).exists()
    end_session = response["Location"]
    assert end_session.startswith(resident_login.issuer("fas") + "/logout?")
    status, location, _ = idp_request(end_session)
    assert status == 302
    assert resident_login.provider.ended_sessions == [sid]
    assert local_path(location).startswith("/afgemeld/")
    assert "You have logged out" in client.get(local_path(location)).content.decode()
    assert LoginSession.objects.get().end_reason == "logout"


def test_log_out_on_all_devices(client, resident_login):
    phone, laptop = BrowserClient(), client
    log_in(phone)
    log_in(laptop)
    assert LoginSession.objects.filter(ended_at=None).count() == 2
    assert phone.get("/mijn-gegevens/").status_code == 200
    response = laptop.post("/afmelden/alle-toestellen/")
    assert response.status_code == 302
    assert phone.get("/mijn-gegevens/").status_code == 302
    assert laptop.get("/mijn-gegevens/").status_code == 302
    assert not LoginSession.objects.filter(ended_at=None).exists()


def test_a_resident_login_session_cannot_open_the_back_office(client, resident_login):
    log_in(client)
    user = User.objects.get(resident_account__isnull=False)
    user.is_staff = True
    user.is_superuser = True
    user.save()
    for url in ("/backoffice/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "needs your staff login" in response.content.decode()


def test_the_access_log_shows_a_staff_read(client, resident_login):
    log_in(client)
    clerk = User.objects.create(username="clerk", first_name="Lotte", last_name="D", is_staff=True)
    person = Person.objects.get(national_number=PARENT.national_number)
    person_view_record(actor=clerk, person_id=person.pk, purpose="Request for a certificate")
    html = client.get("/mijn-gegevens/wie-bekeek/").content.decode()
    assert "Lotte D (staff)" in html
    assert "Request for a certificate" in html
    assert html.index("Lotte D") < html.index("You<")  # newest first
    child = Person.objects.get(national_number=CHILD_NUMBER)
    person_view_record(actor=clerk, person_id=child.pk, purpose="About the child")
    assert "About the child" not in client.get("/mijn-gegevens/wie-bekeek/").content.decode()


def test_the_access_log_pages_with_a_cursor(client, resident_login):
    log_in(client)
    clerk = User.objects.create(username="clerk", is_staff=True)
    person = Person.objects.get(national_number=PARENT.national_number)
    for index in range(30):
        person_view_record(actor=clerk, person_id=person.pk, purpose=f"purpose {index:02d}")
    first = client.get("/mijn-gegevens/wie-bekeek/")
    cursor = first.context["page"].next_cursor
    assert cursor
    second = client.get("/mijn-gegevens/wie-bekeek/", {"na": cursor})
    seen = [line.why for line in first.context["page"].items + second.context["page"].items]
    assert seen[0] == "purpose 29"
    assert len(set(seen)) == len(seen)
    assert client.get("/mijn-gegevens/wie-bekeek/", {"na": "rubbish"}).status_code == 302


def test_key_rotation_at_the_provider(client, resident_login):
    log_in(client)
    resident_login.provider.rotate_signing_key()
    other = BrowserClient()
    assert log_in(other).status_code == 302
    assert "_auth_user_id" in other.session


def test_my_details_needs_a_login(client, resident_login):
    response = client.get("/mijn-gegevens/")
    assert response.status_code == 302
    assert response["Location"].startswith("/aanmelden/?next=")
    page = client.get("/aanmelden/").content.decode()
    assert "eID" in page
    assert "itsme" in page


def test_person_view_record_needs_a_purpose(resident_login):
    from loket.core.services import DomainError

    clerk = User.objects.create(username="clerk", is_staff=True)
    person = Person.objects.get(national_number=PARENT.national_number)
    with pytest.raises(DomainError):
        person_view_record(actor=clerk, person_id=person.pk, purpose=" ")
    assert time.time()
