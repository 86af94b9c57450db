"""The national number and the raw ID token stay out of the session store and out of
the logout URL (browser history, the provider's access logs); logout at the provider
works with client_id and the sid alone."""

from __future__ import annotations

import dataclasses
import urllib.parse

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client as BrowserClient

from loket.accounts.constants import SESSION_LOGIN
from loket.accounts.providers import oidc
from loket.simulators.oidc_provider import DIALECTS

from .conftest import CLIENT_ID, PARENT, idp_request, local_path, log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def id_tokens(monkeypatch) -> list[str]:
    """Every raw ID token the provider hands to Loket."""
    seen: list[str] = []
    exchange = oidc.exchange_code

    def recording(*args, **kwargs):
        token = exchange(*args, **kwargs)
        seen.append(token["id_token"])
        return token

    monkeypatch.setattr(oidc, "exchange_code", recording)
    return seen


def _use_dialect(settings, idp, monkeypatch, dialect: str, claims_in_id_token: bool) -> None:
    settings.LOKET_OIDC_DIALECT = dialect
    settings.LOKET_OIDC_ISSUER = idp.issuer(dialect)
    settings.LOKET_OIDC_SCOPES = "openid profile " + ("rrn" if dialect == "acm" else "egovnrn")
    spec = dataclasses.replace(DIALECTS[dialect], claims_in_id_token=claims_in_id_token)
    monkeypatch.setitem(DIALECTS, dialect, spec)


def _assert_session_store_clean(id_tokens: list[str]) -> None:
    rows = list(Session.objects.all())
    assert rows
    for row in rows:
        assert PARENT.national_number not in row.session_data
        data = SessionStore(session_key=row.session_key).load()
        decoded = repr(data)
        assert PARENT.national_number not in decoded
        for token in id_tokens:
            assert token not in decoded
            assert token.split(".")[1] not in decoded  # not even the payload


DIALECT_CASES = [
    pytest.param("acm", True, id="acm-rrn-in-id-token"),
    pytest.param("fas", False, id="fas-egovNRN-from-userinfo"),
    pytest.param("fas", True, id="fas-egovNRN-in-id-token"),
]


@pytest.mark.parametrize(("dialect", "claims_in_id_token"), DIALECT_CASES)
def test_no_national_number_or_id_token_in_the_session_store(
    client, resident_login, settings, monkeypatch, id_tokens, dialect, claims_in_id_token
):
    _use_dialect(settings, resident_login, monkeypatch, dialect, claims_in_id_token)
    response = log_in(client, method="eid")
    assert response.status_code == 302
    assert client.session[SESSION_LOGIN]["dialect"] == dialect
    assert len(id_tokens) == 1
    if claims_in_id_token:  # the case this guards against: the token carries the number
        claims = oidc.jwt.decode(
            id_tokens[0], oidc.KeySet(list(resident_login.provider._keys)), algorithms=["RS256"]
        ).claims
        assert PARENT.national_number in claims.values()
    client.get("/mijn-gegevens/")  # a page view saves the session again
    _assert_session_store_clean(id_tokens)


@pytest.mark.parametrize(("dialect", "claims_in_id_token"), DIALECT_CASES)
def test_logout_url_carries_no_id_token_and_still_ends_the_session_at_the_provider(
    client, resident_login, settings, monkeypatch, id_tokens, dialect, claims_in_id_token
):
    _use_dialect(settings, resident_login, monkeypatch, dialect, claims_in_id_token)
    log_in(client, method="eid")
    sid = client.session[SESSION_LOGIN]["sid"]
    assert sid
    assert resident_login.provider.session_active(sid)
    response = client.post("/afmelden/")
    assert response.status_code == 302
    end_session = response["Location"]
    assert end_session.startswith(resident_login.issuer(dialect) + "/logout?")
    unquoted = urllib.parse.unquote(end_session)
    assert "id_token_hint" not in unquoted
    assert PARENT.national_number not in unquoted
    assert id_tokens[0] not in unquoted
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(end_session).query))
    assert query["client_id"] == CLIENT_ID
    assert query["logout_hint"] == sid
    assert query["post_logout_redirect_uri"] == "http://testserver/afgemeld/"
    assert query["state"]
    status, location, _ = idp_request(end_session)
    assert status == 302
    assert resident_login.provider.ended_sessions == [sid]
    assert not resident_login.provider.session_active(sid)
    assert local_path(location) == f"/afgemeld/?state={urllib.parse.quote(query['state'])}"
    assert "You have logged out" in client.get(local_path(location)).content.decode()


def test_logout_ends_only_this_devices_session_at_the_provider(client, resident_login):
    phone, laptop = BrowserClient(), client
    log_in(phone)
    log_in(laptop)
    phone_sid = phone.session[SESSION_LOGIN]["sid"]
    laptop_sid = laptop.session[SESSION_LOGIN]["sid"]
    assert phone_sid != laptop_sid
    status, _, _ = idp_request(laptop.post("/afmelden/")["Location"])
    assert status == 302
    assert resident_login.provider.ended_sessions == [laptop_sid]
    assert resident_login.provider.session_active(phone_sid)
    assert phone.get("/mijn-gegevens/").status_code == 200
