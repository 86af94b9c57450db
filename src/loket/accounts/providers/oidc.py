"""The relying-party side of OpenID Connect, for FAS/CSAM and ACM/IDM.

Authlib's OAuth 2 client builds the authorization request (with PKCE S256) and makes
the token request (client_secret_basic); joserfc checks the ID token's RS256 signature
against the provider's JWKS. The claims are checked here, one by one: issuer,
audience (and azp), expiry, issued-at, nonce, subject and the assurance level (acr).

Discovery documents and JWKS are cached; a key id that the cached JWKS does not hold
makes one fresh fetch (the provider rotated its keys).

Dialects: FAS puts the national number in ``egovNRN`` (with ``surname``,
``givenName``, ``mail``, ``prefLanguage``) and serves it from the userinfo endpoint;
ACM/IDM calls it ``rrn`` (with ``given_name``, ``family_name``, ``email``). Whatever
the ID token does not carry is read from userinfo, whose ``sub`` must match.

The ``staff`` dialect is the municipality's own identity provider (single sign-on for
the back office): the same flow and the same checks, without an assurance level;
``complete_staff_login`` returns the checked claims (``preferred_username``,
``email``, ``amr``, ``acr``, ...) and the staff login maps them to an existing user.
"""

from __future__ import annotations

import base64
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import cache
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from loket.accounts.constants import FAS_ACR
from loket.accounts.types import Identity, VerifiedLogin

HTTP_TIMEOUT = 10
METADATA_CACHE_SECONDS = 3600
CLOCK_LEEWAY = 60  # seconds of clock difference tolerated
ID_TOKEN_MAX_AGE = 600  # an ID token issued longer ago than this is refused
_LEVEL = re.compile(r"Level(\d{3})$")
STAFF_DIALECT = "staff"


class OidcError(Exception):
    """The login could not be completed; ``code`` is a ``LoginFailure`` value."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class ProviderConfig:
    dialect: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    scopes: str

    @classmethod
    def from_settings(cls) -> ProviderConfig:
        return cls(
            dialect=settings.LOKET_OIDC_DIALECT,
            issuer=settings.LOKET_OIDC_ISSUER.rstrip("/"),
            client_id=settings.LOKET_OIDC_CLIENT_ID,
            client_secret=settings.LOKET_OIDC_CLIENT_SECRET,
            scopes=settings.LOKET_OIDC_SCOPES,
        )

    @classmethod
    def for_staff(cls) -> ProviderConfig:
        """The municipality's identity provider for staff single sign-on."""
        return cls(
            dialect=STAFF_DIALECT,
            issuer=settings.LOKET_STAFF_OIDC_ISSUER.rstrip("/"),
            client_id=settings.LOKET_STAFF_OIDC_CLIENT_ID,
            client_secret=settings.LOKET_STAFF_OIDC_CLIENT_SECRET,
            scopes=settings.LOKET_STAFF_OIDC_SCOPES,
        )


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    nonce: str = field(repr=False)
    code_verifier: str = field(repr=False)


def acr_for_level(level: int) -> str:
    return FAS_ACR.format(level=level)


def level_of(acr: str) -> int:
    """The assurance level of an acr value (``...Level450`` is 450); 0 if unknown."""
    match = _LEVEL.search(acr or "")
    return int(match.group(1)) if match else 0


# --- Metadata and keys ---------------------------------------------------------------


def _get_json(url: str, **kwargs: Any) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT, **kwargs)
    except requests.RequestException as error:
        raise OidcError("unreachable", type(error).__name__) from None
    if response.status_code != 200:
        raise OidcError("provider_error", f"{url.split('?')[0]} answered {response.status_code}")
    try:
        data = response.json()
    except ValueError:
        raise OidcError("provider_error", "not JSON") from None
    if not isinstance(data, dict):
        raise OidcError("provider_error", "not a JSON object")
    return data


def metadata(config: ProviderConfig) -> dict[str, Any]:
    key = f"accounts:oidc:metadata:{config.issuer}"
    data = cache.get(key)
    if data is None:
        data = _get_json(f"{config.issuer}/.well-known/openid-configuration")
        if data.get("issuer", "").rstrip("/") != config.issuer:
            raise OidcError("provider_error", "discovery names another issuer")
        cache.set(key, data, METADATA_CACHE_SECONDS)
    return data


def _key_set(config: ProviderConfig, *, refresh: bool = False) -> KeySet:
    key = f"accounts:oidc:jwks:{config.issuer}"
    data = None if refresh else cache.get(key)
    if data is None:
        data = _get_json(metadata(config)["jwks_uri"])
        cache.set(key, data, METADATA_CACHE_SECONDS)
    try:
        return KeySet.import_key_set(cast(Any, data))
    except (JoseError, ValueError, KeyError, TypeError):
        raise OidcError("provider_error", "unusable JWKS") from None


# --- The flow ----------------------------------------------------------------------


def _session(config: ProviderConfig, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scope=config.scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106 (a method name)
    )


def authorization_request(
    config: ProviderConfig, *, redirect_uri: str, level: int = 0, acr_values: str = ""
) -> AuthorizationRequest:
    """The authorization URL with a fresh state, nonce and PKCE verifier. ``level``
    asks FAS/ACM for an assurance level; ``acr_values`` (staff) is sent as it is."""
    endpoint = metadata(config)["authorization_endpoint"]
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    extra: dict[str, str] = {}
    if level:
        extra["acr_values"] = acr_for_level(level)
    elif acr_values:
        extra["acr_values"] = acr_values
    with _session(config, redirect_uri) as session:
        url, _ = session.create_authorization_url(
            endpoint, state=state, nonce=nonce, code_verifier=verifier, **extra
        )
    return AuthorizationRequest(url=url, state=state, nonce=nonce, code_verifier=verifier)


def exchange_code(
    config: ProviderConfig, *, code: str, redirect_uri: str, code_verifier: str
) -> dict[str, Any]:
    """The token response for an authorization code (raises ``OidcError``)."""
    token_endpoint = metadata(config)["token_endpoint"]
    try:
        with _session(config, redirect_uri) as session:
            token = session.fetch_token(
                token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
                timeout=HTTP_TIMEOUT,
            )
    except AuthlibBaseError as error:
        raise OidcError("code", str(getattr(error, "error", "") or "token error")) from None
    except requests.RequestException as error:
        raise OidcError("unreachable", type(error).__name__) from None
    if not isinstance(token.get("id_token"), str):
        raise OidcError("token", "no ID token")
    return dict(token)


def _header(token: str) -> dict[str, Any]:
    try:
        raw = token.split(".")[0]
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, IndexError):
        raise OidcError("token", "malformed ID token") from None
    if not isinstance(data, dict):
        raise OidcError("token", "malformed ID token")
    return data


def validate_id_token(
    config: ProviderConfig, id_token: str, *, nonce: str, min_level: int, now: float | None = None
) -> dict[str, Any]:
    """The ID token's claims once signature and claims all check out."""
    header = _header(id_token)
    if header.get("alg") != "RS256":
        raise OidcError("token", "algorithm is not RS256")
    keys = _key_set(config)
    kid = header.get("kid")
    if kid and kid not in {key.kid for key in keys.keys}:
        keys = _key_set(config, refresh=True)  # the provider rotated its keys
    try:
        claims = dict(jwt.decode(id_token, keys, algorithms=["RS256"]).claims)
    except (JoseError, ValueError, KeyError) as error:
        raise OidcError("token", f"signature: {type(error).__name__}") from None
    now = time.time() if now is None else now
    if claims.get("iss") != config.issuer:
        raise OidcError("token", "wrong issuer")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if config.client_id not in audiences:
        raise OidcError("token", "wrong audience")
    if len(audiences) > 1 and claims.get("azp") != config.client_id:
        raise OidcError("token", "wrong authorised party")
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or exp < now - CLOCK_LEEWAY:
        raise OidcError("token", "expired")
    if not isinstance(iat, int | float) or iat > now + CLOCK_LEEWAY:
        raise OidcError("token", "issued in the future")
    if iat < now - ID_TOKEN_MAX_AGE:
        raise OidcError("token", "issued too long ago")
    if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OidcError("token", "wrong nonce")
    if not claims.get("sub"):
        raise OidcError("token", "no subject")
    if level_of(str(claims.get("acr", ""))) < min_level:
        raise OidcError("level", f"acr below {min_level}")
    return claims


def userinfo(config: ProviderConfig, access_token: str) -> dict[str, Any]:
    endpoint = metadata(config).get("userinfo_endpoint")
    if not endpoint:
        return {}
    return _get_json(endpoint, headers={"Authorization": f"Bearer {access_token}"})


def identity_from_claims(dialect: str, claims: dict[str, Any]) -> Identity | None:
    """Map the dialect's claims to an ``Identity``; None without a national number."""
    if dialect == "fas":
        number = claims.get("egovNRN")
        first, last = claims.get("givenName"), claims.get("surname")
        email, language = claims.get("mail"), claims.get("prefLanguage")
    else:
        number = claims.get("rrn")
        first, last = claims.get("given_name"), claims.get("family_name")
        email, language = claims.get("email"), claims.get("locale")
    if not number or not isinstance(number, str):
        return None
    return Identity(
        national_number=number,
        first_name=str(first or ""),
        last_name=str(last or ""),
        email=str(email or ""),
        language=str(language or "")[:2].lower(),
    )


def complete_login(
    config: ProviderConfig,
    *,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    nonce: str,
    min_level: int,
) -> VerifiedLogin:
    """Exchange the code, check the ID token, read the identity: the verified login.
    The raw ID token (it may carry the national number) goes no further than here."""
    token = exchange_code(config, code=code, redirect_uri=redirect_uri, code_verifier=code_verifier)
    id_token = token["id_token"]
    claims = validate_id_token(config, id_token, nonce=nonce, min_level=min_level)
    identity = identity_from_claims(config.dialect, claims)
    if identity is None and token.get("access_token"):
        info = userinfo(config, str(token["access_token"]))
        if info.get("sub") != claims["sub"]:
            raise OidcError("identity", "userinfo is about someone else")
        identity = identity_from_claims(config.dialect, {**info, **claims})
    if identity is None:
        raise OidcError("identity", "no national number")
    auth_time = claims.get("auth_time")
    return VerifiedLogin(
        identity=identity,
        dialect=config.dialect,
        acr=str(claims.get("acr", "")),
        level=level_of(str(claims.get("acr", ""))),
        auth_time=(
            datetime.fromtimestamp(auth_time, tz=UTC)
            if isinstance(auth_time, int | float)
            else None
        ),
        sid=str(claims.get("sid", "")),
        subject=str(claims["sub"]),
    )


def complete_staff_login(
    config: ProviderConfig,
    *,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    nonce: str,
) -> dict[str, Any]:
    """Exchange the code and check the ID token of the staff identity provider; the
    claims, completed from userinfo when the ID token names no user (its ``sub`` must
    match). Raises ``OidcError``."""
    token = exchange_code(config, code=code, redirect_uri=redirect_uri, code_verifier=code_verifier)
    claims = validate_id_token(config, token["id_token"], nonce=nonce, min_level=0)
    if not (claims.get("preferred_username") or claims.get("email")) and token.get("access_token"):
        info = userinfo(config, str(token["access_token"]))
        if info.get("sub") != claims["sub"]:
            raise OidcError("identity", "userinfo is about someone else")
        claims = {**info, **claims}
    return claims


def end_session_url(
    config: ProviderConfig, *, sid: str, post_logout_redirect_uri: str, state: str
) -> str | None:
    """Where to send the browser to end the session at the provider (OpenID Connect
    RP-Initiated Logout), or None when the provider offers no end_session_endpoint.

    Identifies the session with ``client_id`` and, when known, the provider's ``sid``
    as ``logout_hint``; never with ``id_token_hint``: the ID token may carry the
    national number, and this URL ends up in browser history and access logs."""
    from urllib.parse import urlencode

    try:
        endpoint = metadata(config).get("end_session_endpoint")
    except OidcError:
        return None
    if not endpoint:
        return None
    params = {
        "client_id": config.client_id,
        "post_logout_redirect_uri": post_logout_redirect_uri,
        "state": state,
    }
    if sid:
        params["logout_hint"] = sid
    query = urlencode(params)
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
