"""A small OpenID Connect provider that behaves like the Belgian identity services.

It serves two dialects under their own path prefix, each a separate issuer:

- ``/fas``: the federal authentication service (FAS/CSAM: eID, itsme). Scopes
  ``openid profile egovnrn``; the person's claims (``egovNRN``, ``surname``,
  ``givenName``, ``mail``, ``prefLanguage``) come from the userinfo endpoint, as FAS
  does; assurance is requested with ``acr_values`` (``...:fas:Level450`` for itsme and
  up, ``...:fas:Level500`` for eID).
- ``/acm``: the Flemish ACM/IDM. The national number is the claim ``rrn``, with
  ``given_name``, ``family_name`` and ``email``; these are in the ID token itself.
- ``/staff``: the municipality's own identity provider for its staff (single sign-on
  for the back office). Scopes ``openid profile email``; the ID token carries
  ``preferred_username``, ``email``, ``given_name``, ``family_name`` and ``amr`` (RFC
  8176: ``["pwd", "otp"]`` after a password and a code, ``["pwd"]`` after a password
  alone). Its picker lists the staff personas, not the residents.

Implemented: discovery, JWKS (with key rotation), the authorization code flow with
PKCE (S256 only), client authentication (``client_secret_basic`` and
``client_secret_post``), single-use codes that live 60 seconds, RS256-signed ID tokens
with nonce, acr, auth_time and sid, userinfo, and RP-initiated logout
(``end_session_endpoint``: ``client_id`` with ``logout_hint`` set to the sid, no
``id_token_hint`` needed; ``post_logout_redirect_uri`` must be registered for that
client). The authorize page is a persona picker, clearly labelled
as a demo: there is no password, whoever runs the demo picks who they are.

It is a plain WSGI application without Django models; ``server.py`` runs it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

CODE_LIFETIME = 60  # seconds a code may be exchanged
ID_TOKEN_LIFETIME = 300
ACCESS_TOKEN_LIFETIME = 300

FAS_LEVEL_ACR = "urn:be:fedict:iam:fas:Level{level}"
METHODS: dict[str, tuple[str, int]] = {
    # method: (label shown on the picker, assurance level)
    "eid": ("eID-kaartlezer", 500),
    "itsme": ("itsme", 450),
}
# The staff identity provider: (label, amr) per way of logging in.
STAFF_METHODS: dict[str, tuple[str, tuple[str, ...]]] = {
    "mfa": ("wachtwoord en code uit de app", ("pwd", "otp")),
    "pwd": ("alleen wachtwoord", ("pwd",)),
}
STAFF_DIALECT = "staff"

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Environ = dict[str, Any]


class PersonaLike(Protocol):
    """What the picker needs to know about a test person."""

    @property
    def key(self) -> str: ...

    @property
    def first_name(self) -> str: ...

    @property
    def last_name(self) -> str: ...

    @property
    def national_number(self) -> str: ...

    @property
    def email(self) -> str: ...

    @property
    def language(self) -> str: ...

    @property
    def description(self) -> str: ...


class StaffPersonaLike(Protocol):
    """A staff member of the municipality's own identity provider."""

    @property
    def key(self) -> str: ...

    @property
    def username(self) -> str: ...

    @property
    def first_name(self) -> str: ...

    @property
    def last_name(self) -> str: ...

    @property
    def email(self) -> str: ...

    @property
    def description(self) -> str: ...


@dataclass(frozen=True)
class Client:
    """A registered relying party. A redirect URI must start with one of the prefixes."""

    client_id: str
    client_secret: str = field(repr=False)
    redirect_uri_prefixes: tuple[str, ...]

    def allows(self, uri: str) -> bool:
        """Scheme and host exactly as registered, the port too (a registered address that
        ends in ``:`` such as ``http://127.0.0.1:`` accepts any port on that host), and
        the path under the registered one. A text prefix alone would let
        ``http://127.0.0.1:@elsewhere/`` through."""
        try:
            target = urlsplit(uri)
            target_port = target.port or _DEFAULT_PORTS.get(target.scheme)
        except ValueError:
            return False
        if not uri or target.username is not None or target.password is not None:
            return False
        for prefix in self.redirect_uri_prefixes:
            allowed = urlsplit(prefix)
            any_port = allowed.netloc.endswith(":")
            allowed_port = None if any_port else allowed.port or _DEFAULT_PORTS.get(allowed.scheme)
            if (
                (target.scheme, target.hostname) == (allowed.scheme, allowed.hostname)
                and (any_port or target_port == allowed_port)
                and target.path.startswith(allowed.path or "/")
            ):
                return True
        return False


_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Dialect:
    name: str
    scopes: tuple[str, ...]
    claims_in_id_token: bool

    def person_claims(self, persona: Any) -> dict[str, str]:
        if self.name == STAFF_DIALECT:
            staff = {
                "preferred_username": persona.username,
                "given_name": persona.first_name,
                "family_name": persona.last_name,
            }
            if persona.email:
                staff["email"] = persona.email
            return staff
        if self.name == "fas":
            claims = {
                "egovNRN": persona.national_number,
                "surname": persona.last_name,
                "givenName": persona.first_name,
                "prefLanguage": persona.language,
            }
            if persona.email:
                claims["mail"] = persona.email
            return claims
        claims = {
            "rrn": persona.national_number,
            "family_name": persona.last_name,
            "given_name": persona.first_name,
            "locale": persona.language,
        }
        if persona.email:
            claims["email"] = persona.email
        return claims


DIALECTS: dict[str, Dialect] = {
    "fas": Dialect("fas", ("openid", "profile", "egovnrn"), claims_in_id_token=False),
    "acm": Dialect("acm", ("openid", "profile", "rrn"), claims_in_id_token=True),
    STAFF_DIALECT: Dialect(STAFF_DIALECT, ("openid", "profile", "email"), claims_in_id_token=True),
}


@dataclass
class _Code:
    dialect: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    persona_key: str
    acr: str
    auth_time: int
    sid: str
    expires_at: float
    used: bool = False
    amr: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Session:
    """A login at the provider, known by its sid (the ``sid`` claim)."""

    dialect: str
    client_id: str
    persona_key: str


@dataclass
class _AccessToken:
    dialect: str
    persona_key: str
    sub: str
    expires_at: float


class SimulatorRefused(RuntimeError):
    """The simulator must not run here (production settings, or not on loopback)."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def pkce_s256(verifier: str) -> str:
    return _b64url(hashlib.sha256(verifier.encode()).digest())


def subject_for(dialect: str, national_number: str) -> str:
    """A stable, opaque subject per person and issuer (not the national number)."""
    return hashlib.sha256(f"loket-demo-idp:{dialect}:{national_number}".encode()).hexdigest()[:32]


class OidcProvider:
    """The provider's state and its WSGI entry point (``provider(environ, start)``).

    ``sabotage`` holds test-only switches, set from Python (never through HTTP), each
    used once by the next token response: ``"signature"`` (a broken signature),
    ``"expired"`` (an ID token that expired ten minutes ago), ``"nonce"`` (another
    nonce), ``"unknown_key"`` (signed with a key that is not published).
    """

    def __init__(
        self,
        *,
        personas: Sequence[PersonaLike],
        clients: Iterable[Client],
        base_url: str = "",
        key_file: Path | None = None,
        staff_personas: Sequence[StaffPersonaLike] = (),
    ) -> None:
        self.personas = {persona.key: persona for persona in personas}
        self.staff_personas = {persona.key: persona for persona in staff_personas}
        self.clients = {client.client_id: client for client in clients}
        self.base_url = base_url.rstrip("/")
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._access_tokens: dict[str, _AccessToken] = {}
        self.sabotage: set[str] = set()
        self._sessions: dict[str, _Session] = {}
        self.ended_sessions: list[str] = []
        self._keys: list[RSAKey] = []
        self._key_file = key_file
        self._load_or_create_keys()

    def _personas_of(self, dialect: str) -> dict[str, Any]:
        return self.staff_personas if dialect == STAFF_DIALECT else self.personas

    # --- Keys -------------------------------------------------------------------------

    def _new_key(self) -> RSAKey:
        kid = f"sim-{int(time.time())}-{secrets.token_hex(4)}"
        return RSAKey.generate_key(
            2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True
        )

    def _load_or_create_keys(self) -> None:
        if self._key_file is not None and self._key_file.exists():
            data = json.loads(self._key_file.read_text(encoding="utf-8"))
            self._keys = [RSAKey.import_key(item) for item in data["keys"]]
            return
        self._keys = [self._new_key()]
        self._store_keys()

    def _store_keys(self) -> None:
        if self._key_file is None:
            return
        self._key_file.parent.mkdir(parents=True, exist_ok=True)
        data = {"keys": [key.as_dict(private=True) for key in self._keys]}
        self._key_file.write_text(json.dumps(data), encoding="utf-8")
        self._key_file.chmod(0o600)

    @property
    def signing_key(self) -> RSAKey:
        return self._keys[-1]

    def rotate_signing_key(self) -> str:
        """Sign from now on with a new key; the previous one stays published."""
        with self._lock:
            self._keys = [*self._keys[-1:], self._new_key()]
            self._store_keys()
            return str(self.signing_key.kid)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.as_dict(private=False) for key in self._keys]}

    # --- Metadata ---------------------------------------------------------------------

    def issuer(self, dialect: str) -> str:
        return f"{self.base_url}/{dialect}"

    def discovery(self, dialect: str) -> dict[str, Any]:
        issuer = self.issuer(dialect)
        spec = DIALECTS[dialect]
        claims = ["sub", "acr", "auth_time", "sid", *spec.person_claims(_EmptyPersona()).keys()]
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "jwks_uri": f"{issuer}/jwks",
            "end_session_endpoint": f"{issuer}/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": list(spec.scopes),
            "claims_supported": claims,
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
            ],
            "acr_values_supported": [
                FAS_LEVEL_ACR.format(level=level) for _, level in METHODS.values()
            ],
        }

    # --- WSGI -------------------------------------------------------------------------

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        parts = path.strip("/").split("/", 1)
        dialect = parts[0]
        endpoint = "/" + parts[1] if len(parts) > 1 else "/"
        if dialect not in DIALECTS:
            if path in ("", "/"):
                return self._index(start_response)
            return _text(start_response, "404 Not Found", "Not found.")
        routes: dict[tuple[str, str], Callable[[str, Environ, StartResponse], Iterable[bytes]]] = {
            ("GET", "/.well-known/openid-configuration"): self._discovery,
            ("GET", "/jwks"): self._jwks,
            ("GET", "/authorize"): self._authorize,
            ("POST", "/authorize"): self._authorize,
            ("POST", "/token"): self._token,
            ("GET", "/userinfo"): self._userinfo,
            ("POST", "/userinfo"): self._userinfo,
            ("GET", "/logout"): self._logout,
        }
        handler = routes.get((method, endpoint))
        if handler is None:
            return _text(start_response, "404 Not Found", "Not found.")
        return handler(dialect, environ, start_response)

    def _index(self, start_response: StartResponse) -> Iterable[bytes]:
        items = "".join(
            f'<li><a href="/{name}/.well-known/openid-configuration">{name.upper()}</a></li>'
            for name in DIALECTS
        )
        body = (
            "<h1>Demo-aanmeldpagina (simulator)</h1><p>Dit is een simulator voor de demo en "
            "de tests, geen echte aanmeldpagina van de overheid.</p>"
            f"<ul>{items}</ul>"
        )
        return _html(start_response, "200 OK", "Demo-aanmeldpagina", body)

    def _discovery(self, dialect: str, environ: Environ, start: StartResponse) -> Iterable[bytes]:
        return _json(start, "200 OK", self.discovery(dialect))

    def _jwks(self, dialect: str, environ: Environ, start: StartResponse) -> Iterable[bytes]:
        return _json(start, "200 OK", self.jwks())

    # --- Authorize --------------------------------------------------------------------

    def _authorize(self, dialect: str, environ: Environ, start: StartResponse) -> Iterable[bytes]:
        params = _params(environ)
        client = self.clients.get(params.get("client_id", ""))
        redirect_uri = params.get("redirect_uri", "")
        if client is None or not client.allows(redirect_uri):
            # Never redirect to an address that is not registered.
            return _html(
                start,
                "400 Bad Request",
                "Ongeldige aanvraag",
                "<h1>Ongeldige aanvraag</h1><p>Deze toepassing of dit terugkeeradres is "
                "niet geregistreerd bij de demo-aanmeldpagina.</p>",
            )
        state = params.get("state", "")
        problem = _authorize_problem(params, DIALECTS[dialect])
        if problem:
            return _redirect(
                start,
                _with_query(
                    redirect_uri,
                    error="invalid_request",
                    error_description=problem,
                    state=state,
                ),
            )
        minimum = _requested_level(params.get("acr_values", ""))
        methods: dict[str, tuple[str, Any]]
        if dialect == STAFF_DIALECT:
            methods = dict(STAFF_METHODS)
        else:
            methods = {key: spec for key, spec in METHODS.items() if spec[1] >= minimum}
        if not methods:
            return _redirect(
                start,
                _with_query(redirect_uri, error="unmet_authentication_requirements", state=state),
            )
        if environ["REQUEST_METHOD"] == "GET":
            return self._picker(start, dialect, params, methods)
        if "cancel" in params:
            return _redirect(
                start,
                _with_query(
                    redirect_uri,
                    error="access_denied",
                    error_description="The user cancelled the login.",
                    state=state,
                ),
            )
        persona = self._personas_of(dialect).get(params.get("persona", ""))
        method = params.get("method", "")
        if persona is None or method not in methods:
            return self._picker(start, dialect, params, methods, error=True)
        code = secrets.token_urlsafe(32)
        sid = secrets.token_urlsafe(16)
        with self._lock:
            self._sessions[sid] = _Session(dialect, client.client_id, persona.key)
            self._codes[code] = _Code(
                dialect=dialect,
                client_id=client.client_id,
                redirect_uri=redirect_uri,
                code_challenge=params["code_challenge"],
                nonce=params["nonce"],
                persona_key=persona.key,
                acr=(
                    ""
                    if dialect == STAFF_DIALECT
                    else FAS_LEVEL_ACR.format(level=methods[method][1])
                ),
                auth_time=int(time.time()),
                sid=sid,
                expires_at=time.time() + CODE_LIFETIME,
                amr=tuple(methods[method][1]) if dialect == STAFF_DIALECT else (),
            )
        return _redirect(
            start, _with_query(redirect_uri, code=code, state=state, iss=self.issuer(dialect))
        )

    def _picker(
        self,
        start: StartResponse,
        dialect: str,
        params: dict[str, str],
        methods: dict[str, tuple[str, Any]],
        *,
        error: bool = False,
    ) -> Iterable[bytes]:
        keep = (
            "client_id",
            "redirect_uri",
            "response_type",
            "scope",
            "state",
            "nonce",
            "code_challenge",
            "code_challenge_method",
            "acr_values",
        )
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(params[name])}">'
            for name in keep
            if name in params
        )
        chosen = params.get("persona", "")
        persona_items = []
        for index, persona in enumerate(self._personas_of(dialect).values()):
            checked = " checked" if persona.key == chosen or (not chosen and index == 0) else ""
            persona_items.append(
                f'<div class="choice"><input type="radio" id="persona-{persona.key}" '
                f'name="persona" value="{persona.key}"{checked} '
                f'aria-describedby="persona-{persona.key}-hint">'
                f'<label for="persona-{persona.key}">{html.escape(persona.first_name)} '
                f"{html.escape(persona.last_name)}</label>"
                f'<p class="hint" id="persona-{persona.key}-hint">'
                f"{html.escape(persona.description)}</p></div>"
            )
        requested = params.get("method", "") or (
            "mfa"
            if dialect == STAFF_DIALECT
            else "eid"
            if _requested_level(params.get("acr_values", "")) >= 500
            else "itsme"
        )
        method_items = []
        for index, (key, (label, level)) in enumerate(methods.items()):
            checked = (
                " checked" if key == requested or (requested not in methods and index == 0) else ""
            )
            shown = label if dialect == STAFF_DIALECT else f"{label} (niveau {level})"
            method_items.append(
                f'<div class="choice"><input type="radio" id="method-{key}" name="method" '
                f'value="{key}"{checked}><label for="method-{key}">{html.escape(shown)}'
                "</label></div>"
            )
        alert = (
            '<div class="error" role="alert"><p>Kies een testpersoon en een manier om aan '
            "te melden.</p></div>"
            if error
            else ""
        )
        title = "personeel van de gemeente" if dialect == STAFF_DIALECT else dialect.upper()
        body = f"""
<div class="demo" role="note"><strong>Demo.</strong> Dit is niet de echte aanmeldpagina
van de overheid, maar een simulator voor de demo en de tests. Er is geen wachtwoord:
u kiest zelf als wie u zich aanmeldt.</div>
<h1>Aanmelden (demo {title})</h1>
{alert}
<form method="post" action="/{dialect}/authorize">
{hidden}
<fieldset><legend>Als wie meldt u zich aan?</legend>{"".join(persona_items)}</fieldset>
<fieldset><legend>Met welk middel?</legend>{"".join(method_items)}</fieldset>
<div class="buttons"><button type="submit" name="login" value="1">Aanmelden</button>
<button type="submit" name="cancel" value="1" class="secondary">Annuleren en terug</button>
</div>
</form>"""
        status = "400 Bad Request" if error else "200 OK"
        return _html(start, status, "Aanmelden – demo", body)

    # --- Token ------------------------------------------------------------------------

    def _token(self, dialect: str, environ: Environ, start: StartResponse) -> Iterable[bytes]:
        params = _params(environ)
        client = self._authenticate_client(environ, params)
        if client is None:
            return _json(start, "401 Unauthorized", {"error": "invalid_client"})
        if params.get("grant_type") != "authorization_code":
            return _json(start, "400 Bad Request", {"error": "unsupported_grant_type"})
        with self._lock:
            code = self._codes.get(params.get("code", ""))
            if code is None or code.used or code.dialect != dialect:
                return _json(start, "400 Bad Request", {"error": "invalid_grant"})
            code.used = True  # single use, whatever happens next
        if code.expires_at < time.time() or code.client_id != client.client_id:
            return _json(start, "400 Bad Request", {"error": "invalid_grant"})
        if params.get("redirect_uri", "") != code.redirect_uri:
            return _json(
                start,
                "400 Bad Request",
                {"error": "invalid_grant", "error_description": "redirect_uri mismatch"},
            )
        verifier = params.get("code_verifier", "")
        if not verifier or not hmac.compare_digest(pkce_s256(verifier), code.code_challenge):
            return _json(
                start,
                "400 Bad Request",
                {"error": "invalid_grant", "error_description": "PKCE verification failed"},
            )
        persona = self._personas_of(dialect)[code.persona_key]
        spec = DIALECTS[dialect]
        sub = subject_for(dialect, _subject_source(dialect, persona))
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer(dialect),
            "sub": sub,
            "aud": client.client_id,
            "iat": now,
            "exp": now + ID_TOKEN_LIFETIME,
            "auth_time": code.auth_time,
            "nonce": code.nonce,
            "acr": code.acr,
            "sid": code.sid,
        }
        if code.amr:
            claims["amr"] = list(code.amr)
        if not code.acr:
            del claims["acr"]
        if spec.claims_in_id_token:
            claims.update(spec.person_claims(persona))
        id_token = self._sign(claims)
        access_token = secrets.token_urlsafe(32)
        with self._lock:
            self._access_tokens[access_token] = _AccessToken(
                dialect=dialect,
                persona_key=persona.key,
                sub=sub,
                expires_at=time.time() + ACCESS_TOKEN_LIFETIME,
            )
        return _json(
            start,
            "200 OK",
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": ACCESS_TOKEN_LIFETIME,
                "id_token": id_token,
                "scope": " ".join(spec.scopes),
            },
            extra=[("Cache-Control", "no-store"), ("Pragma", "no-cache")],
        )

    def _sign(self, claims: dict[str, Any]) -> str:
        with self._lock:
            sabotage, self.sabotage = set(self.sabotage), set()
        key = self.signing_key
        if "expired" in sabotage:
            claims["iat"] -= 1200
            claims["exp"] = claims["iat"] + 600
        if "nonce" in sabotage:
            claims["nonce"] = secrets.token_urlsafe(16)
        if "unknown_key" in sabotage:
            key = self._new_key()
        token = jwt.encode({"alg": "RS256", "kid": str(key.kid), "typ": "JWT"}, claims, key)
        if "signature" in sabotage:
            head, payload, signature = token.split(".")
            flipped = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))
            token = ".".join((head, payload, flipped))
        return token

    def _authenticate_client(self, environ: Environ, params: dict[str, str]) -> Client | None:
        client_id, secret = params.get("client_id", ""), params.get("client_secret", "")
        header = environ.get("HTTP_AUTHORIZATION", "")
        if header.startswith("Basic "):
            try:
                decoded = base64.b64decode(header[6:]).decode()
            except ValueError:
                return None
            raw_id, _, raw_secret = decoded.partition(":")
            from urllib.parse import unquote_plus

            client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
        client = self.clients.get(client_id)
        if client is None or not hmac.compare_digest(secret, client.client_secret):
            return None
        return client

    # --- Userinfo and logout ----------------------------------------------------------

    def _userinfo(self, dialect: str, environ: Environ, start: StartResponse) -> Iterable[bytes]:
        header = environ.get("HTTP_AUTHORIZATION", "")
        token = self._access_tokens.get(header[7:]) if header.startswith("Bearer ") else None
        if token is None or token.dialect != dialect or token.expires_at < time.time():
            return _json(
                start,
                "401 Unauthorized",
                {"error": "invalid_token"},
                extra=[("WWW-Authenticate", 'Bearer error="invalid_token"')],
            )
        persona = self._personas_of(dialect)[token.persona_key]
        return _json(
            start, "200 OK", {"sub": token.sub, **DIALECTS[dialect].person_claims(persona)}
        )

    def session_active(self, sid: str) -> bool:
        """Whether the login with this sid has not been ended by a logout."""
        with self._lock:
            return sid in self._sessions

    def _logout(self, dialect: str, environ: Environ, start: StartResponse) -> Iterable[bytes]:
        """RP-initiated logout: ``client_id`` (required) and ``logout_hint`` (the sid);
        an ``id_token_hint``, if a relying party still sends one, is accepted too."""
        params = _params(environ)
        client_id = params.get("client_id", "")
        sid = params.get("logout_hint", "")
        hint = params.get("id_token_hint", "")
        if hint:
            try:
                claims = jwt.decode(hint, KeySet(list(self._keys)), algorithms=["RS256"]).claims
            except (JoseError, ValueError):
                claims = {}
            audience = str(claims.get("aud", ""))
            if claims.get("iss") != self.issuer(dialect) or client_id not in ("", audience):
                return _logout_refused(start)
            client_id = audience
            sid = sid or str(claims.get("sid", ""))
        client = self.clients.get(client_id)
        if client is None:
            return _logout_refused(start)
        target = params.get("post_logout_redirect_uri", "")
        if target and not client.allows(target):
            return _logout_refused(start)
        with self._lock:
            session = self._sessions.get(sid) if sid else None
            if session is not None and (session.dialect, session.client_id) == (
                dialect,
                client.client_id,
            ):
                del self._sessions[sid]
                self.ended_sessions.append(sid)
        if target:
            state = params.get("state", "")
            return _redirect(start, _with_query(target, state=state) if state else target)
        return _html(
            start,
            "200 OK",
            "Afgemeld",
            "<h1>U bent afgemeld</h1><p>U bent afgemeld bij de demo-aanmeldpagina.</p>",
        )


def _logout_refused(start: StartResponse) -> Iterable[bytes]:
    return _html(
        start,
        "400 Bad Request",
        "Afmelden mislukt",
        "<h1>Afmelden mislukt</h1><p>De aanvraag om af te melden is ongeldig.</p>",
    )


class _EmptyPersona:
    key = first_name = last_name = national_number = email = language = description = "-"
    username = "-"


def _subject_source(dialect: str, persona: Any) -> str:
    return f"staff:{persona.username}" if dialect == STAFF_DIALECT else persona.national_number


def _authorize_problem(params: dict[str, str], dialect: Dialect) -> str:
    if params.get("response_type") != "code":
        return "response_type must be code"
    if "openid" not in params.get("scope", "").split():
        return "scope must include openid"
    if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
        return "PKCE with S256 is required"
    if not params.get("nonce"):
        return "nonce is required"
    if not params.get("state"):
        return "state is required"
    return ""


def _requested_level(acr_values: str) -> int:
    levels = []
    for value in acr_values.split():
        digits = value.rsplit("Level", 1)[-1]
        if digits.isdigit():
            levels.append(int(digits))
    return min(levels) if levels else 0


def _params(environ: Environ) -> dict[str, str]:
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    merged = {key: values[0] for key, values in query.items()}
    if environ.get("REQUEST_METHOD") == "POST":
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(min(length, 64 * 1024)).decode("utf-8", "replace")
        merged.update({key: values[0] for key, values in parse_qs(body, True).items()})
    return merged


def _with_query(url: str, **params: str) -> str:
    separator = "&" if urlsplit(url).query else "?"
    return url + separator + urlencode({key: value for key, value in params.items() if value})


def _redirect(start: StartResponse, location: str) -> Iterable[bytes]:
    start("302 Found", [("Location", location), ("Cache-Control", "no-store")])
    return [b""]


def _json(
    start: StartResponse,
    status: str,
    data: dict[str, Any],
    *,
    extra: list[tuple[str, str]] | None = None,
) -> Iterable[bytes]:
    body = json.dumps(data).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start(status, headers + (extra or []))
    return [body]


def _text(start: StartResponse, status: str, text: str) -> Iterable[bytes]:
    body = text.encode()
    start(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [body]


STYLE = """
body{font-family:system-ui,sans-serif;font-size:1.125rem;line-height:1.5;color:#1a1a1a;
background:#fff;margin:0}
main{max-width:40rem;margin:0 auto;padding:1.5rem}
.demo{background:#fff4ce;border:2px solid #7a5c00;padding:.75rem 1rem;border-radius:4px}
.error{background:#fde8e8;border:2px solid #a4161a;padding:.5rem 1rem;border-radius:4px}
fieldset{border:1px solid #595959;border-radius:4px;margin:1rem 0;padding:.5rem 1rem}
legend{font-weight:700;padding:0 .25rem}
.choice{margin:.5rem 0}
.choice input{width:1.25rem;height:1.25rem;vertical-align:middle;margin-right:.5rem}
.choice label{font-weight:600}
.hint{margin:.1rem 0 0 2rem;color:#404040}
.buttons{display:flex;flex-wrap:wrap;gap:.75rem}
button{font:inherit;min-height:2.75rem;padding:.5rem 1.25rem;border-radius:4px;
border:2px solid #0b3d7a;background:#0b3d7a;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b3d7a}
:focus-visible{outline:3px solid #c2410c;outline-offset:2px}
"""


def _html(start: StartResponse, status: str, title: str, body: str) -> Iterable[bytes]:
    page = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    ).encode()
    start(
        status,
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(page))),
            ("Cache-Control", "no-store"),
            ("X-Frame-Options", "DENY"),
            (
                "Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; "
                "form-action 'self' http: https:; frame-ancestors 'none'",
            ),
        ],
    )
    return [page]
