"""The demo identity provider on its own, over HTTP on loopback."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from loket.simulators.oidc_provider import Client, SimulatorRefused, create, pkce_s256
from loket.simulators.oidc_provider import start_in_thread as start

REDIRECT = "http://127.0.0.1:9/callback"


@dataclass(frozen=True)
class _Persona:
    key: str = "ann"
    first_name: str = "Ann"
    last_name: str = "Peeters"
    national_number: str = "69083099892"
    email: str = "ann@example.org"
    language: str = "nl"
    description: str = "Test"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(_NoRedirect)


def _call(url, data=None, headers=None):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310
    try:
        with OPENER.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def idp() -> Iterator[object]:
    running = start(
        personas=[_Persona()],
        clients=[Client("rp", "secret", (REDIRECT,))],
        environment="development",
    )
    yield running
    running.stop()


def _authorize(idp, dialect="fas", verifier="v" * 50, method="itsme", acr=""):
    params = {
        "client_id": "rp",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "openid profile",
        "state": "s1",
        "nonce": "n1",
        "code_challenge": pkce_s256(verifier),
        "code_challenge_method": "S256",
        "acr_values": acr,
    }
    url = f"{idp.issuer(dialect)}/authorize"
    status, _, page = _call(f"{url}?{urllib.parse.urlencode(params)}")
    assert status == 200
    assert b"Demo" in page
    status, headers, _ = _call(url, {**params, "persona": "ann", "method": method})
    assert status == 302
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(headers["Location"]).query)
    assert query["state"] == ["s1"]
    return query["code"][0]


def _token(idp, code, verifier="v" * 50, dialect="fas"):
    status, _, body = _call(
        f"{idp.issuer(dialect)}/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "client_id": "rp",
            "client_secret": "secret",
        },
    )
    return status, json.loads(body)


def test_discovery_code_flow_signed_id_token_and_userinfo(idp):
    status, _, body = _call(f"{idp.issuer('fas')}/.well-known/openid-configuration")
    meta = json.loads(body)
    assert meta["issuer"] == idp.issuer("fas")
    assert meta["code_challenge_methods_supported"] == ["S256"]
    code = _authorize(idp, acr="urn:be:fedict:iam:fas:Level450")
    status, tokens = _token(idp, code)
    assert status == 200, tokens
    _, _, jwks = _call(meta["jwks_uri"])
    claims = jwt.decode(
        tokens["id_token"], KeySet.import_key_set(json.loads(jwks)), algorithms=["RS256"]
    ).claims
    assert claims["iss"] == idp.issuer("fas")
    assert claims["aud"] == "rp"
    assert claims["nonce"] == "n1"
    assert claims["acr"] == "urn:be:fedict:iam:fas:Level450"
    assert "egovNRN" not in claims  # FAS: the person's claims come from userinfo
    status, _, body = _call(
        meta["userinfo_endpoint"], headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    info = json.loads(body)
    assert info["egovNRN"] == "69083099892"
    assert info["sub"] == claims["sub"]


def test_acm_puts_rrn_in_the_id_token_and_eid_gives_level_500(idp):
    code = _authorize(idp, dialect="acm", method="eid")
    _, tokens = _token(idp, code, dialect="acm")
    claims = jwt.decode(
        tokens["id_token"], KeySet(list(idp.provider._keys)), algorithms=["RS256"]
    ).claims
    assert claims["rrn"] == "69083099892"
    assert claims["acr"].endswith("Level500")


def test_codes_are_single_use_and_need_the_right_verifier(idp):
    code = _authorize(idp)
    assert _token(idp, code, verifier="w" * 50)[1]["error"] == "invalid_grant"
    code = _authorize(idp)
    assert _token(idp, code)[0] == 200
    assert _token(idp, code)[1]["error"] == "invalid_grant"


def test_unknown_redirect_uri_is_never_followed_and_wrong_secret_is_refused(idp):
    status, headers, _ = _call(
        f"{idp.issuer('fas')}/authorize?client_id=rp&redirect_uri=http://evil.example/"
    )
    assert status == 400
    assert "Location" not in headers
    status, _body = _call(
        f"{idp.issuer('fas')}/token",
        {"grant_type": "authorization_code", "client_id": "rp", "client_secret": "x"},
    )[0:3:2]
    assert status == 401


def test_level_500_request_offers_only_eid(idp):
    params = {
        "client_id": "rp",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "openid",
        "state": "s",
        "nonce": "n",
        "code_challenge": pkce_s256(secrets.token_urlsafe(40)),
        "code_challenge_method": "S256",
        "acr_values": "urn:be:fedict:iam:fas:Level500",
    }
    _, _, page = _call(f"{idp.issuer('fas')}/authorize?{urllib.parse.urlencode(params)}")
    assert b'value="eid"' in page
    assert b'value="itsme"' not in page


def test_refuses_production_and_other_addresses_than_loopback():
    with pytest.raises(SimulatorRefused, match="production"):
        create(personas=[], clients=[], environment="production")
    with pytest.raises(SimulatorRefused, match="loopback"):
        create(personas=[], clients=[], environment="development", host="0.0.0.0")  # noqa: S104


def _sid(idp, dialect="fas"):
    _, tokens = _token(idp, _authorize(idp, dialect=dialect), dialect=dialect)
    claims = jwt.decode(
        tokens["id_token"], KeySet(list(idp.provider._keys)), algorithms=["RS256"]
    ).claims
    return claims["sid"], tokens["id_token"]


def _logout(idp, dialect="fas", **params):
    return _call(f"{idp.issuer(dialect)}/logout?{urllib.parse.urlencode(params)}")


def test_logout_with_client_id_and_sid_ends_that_session_only(idp):
    first, _ = _sid(idp)
    second, _ = _sid(idp)
    status, headers, _ = _logout(
        idp, client_id="rp", logout_hint=first, post_logout_redirect_uri=REDIRECT, state="x1"
    )
    assert status == 302
    assert headers["Location"] == f"{REDIRECT}?state=x1"
    assert idp.provider.ended_sessions == [first]
    assert not idp.provider.session_active(first)
    assert idp.provider.session_active(second)


def test_logout_refuses_an_unknown_client_or_an_unregistered_return_address(idp):
    sid, _ = _sid(idp)
    for params in (
        {"logout_hint": sid, "post_logout_redirect_uri": REDIRECT},  # no client_id
        {"client_id": "other", "logout_hint": sid, "post_logout_redirect_uri": REDIRECT},
        {"client_id": "rp", "logout_hint": sid, "post_logout_redirect_uri": "http://evil/"},
    ):
        status, headers, _ = _logout(idp, **params)
        assert status == 400, params
        assert "Location" not in headers
    assert idp.provider.session_active(sid)
    assert idp.provider.ended_sessions == []


def test_logout_does_not_end_a_session_of_the_other_issuer(idp):
    sid, _ = _sid(idp, dialect="acm")
    status, _, _ = _logout(idp, "fas", client_id="rp", logout_hint=sid)
    assert status == 200
    assert idp.provider.session_active(sid)
    assert idp.provider.ended_sessions == []


def test_logout_still_accepts_an_id_token_hint(idp):
    sid, id_token = _sid(idp)
    status, _, _ = _logout(idp, id_token_hint=id_token, post_logout_redirect_uri=REDIRECT)
    assert status == 302
    assert idp.provider.ended_sessions == [sid]


@pytest.mark.parametrize(
    ("uri", "allowed"),
    [
        ("http://127.0.0.1:8000/aanmelden/terug/", True),
        ("http://127.0.0.1:8000/aanmelden/terug/?x=1", True),
        ("http://127.0.0.1:@evil.example/aanmelden/terug/", False),
        ("http://user@127.0.0.1:8000/aanmelden/terug/", False),
        ("http://127.0.0.1:8001/aanmelden/terug/", False),
        ("https://127.0.0.1:8000/aanmelden/terug/", False),
        ("http://127.0.0.1:8000/elders/", False),
        ("http://127.0.0.1:99999/aanmelden/terug/", False),
        ("", False),
    ],
)
def test_redirect_uris_must_match_scheme_host_and_port_exactly(uri, allowed):
    client = Client("rp", "secret", ("http://127.0.0.1:8000/aanmelden/",))
    assert client.allows(uri) is allowed


@pytest.mark.parametrize(
    ("uri", "allowed"),
    [
        ("http://127.0.0.1:8000/aanmelden/terug/", True),
        ("http://127.0.0.1:41234/aanmelden/terug/", True),
        ("http://127.0.0.1:@evil.example/aanmelden/terug/", False),
        ("http://127.0.0.1.evil.example:8000/aanmelden/terug/", False),
        ("https://loket.example/aanmelden/terug/", True),
        ("https://loket.example:8443/aanmelden/terug/", False),
    ],
)
def test_a_registered_address_ending_in_a_colon_accepts_any_port(uri, allowed):
    client = Client("rp", "secret", ("http://127.0.0.1:", "https://loket.example/"))
    assert client.allows(uri) is allowed


@dataclass(frozen=True)
class _StaffPersona:
    key: str = "ann"
    username: str = "ann.staff"
    first_name: str = "Ann"
    last_name: str = "Claeys"
    email: str = "ann.claeys@example.org"
    description: str = "Test"


@pytest.mark.parametrize(("method", "amr"), [("mfa", ["pwd", "otp"]), ("pwd", ["pwd"])])
def test_the_staff_issuer_lists_staff_and_puts_amr_in_the_id_token(method, amr):
    running = start(
        personas=[_Persona(key="resident")],
        staff_personas=[_StaffPersona()],
        clients=[Client("rp", "secret", (REDIRECT,))],
        environment="development",
    )
    try:
        code = _authorize(running, dialect="staff", method=method)
        status, tokens = _token(running, code, dialect="staff")
        assert status == 200, tokens
        claims = jwt.decode(
            tokens["id_token"], KeySet.import_key_set(running.provider.jwks()), algorithms=["RS256"]
        ).claims
        assert claims["preferred_username"] == "ann.staff"
        assert claims["email"] == "ann.claeys@example.org"
        assert claims["amr"] == amr
        assert "acr" not in claims
        assert "rrn" not in claims
        assert "egovNRN" not in claims
    finally:
        running.stop()
