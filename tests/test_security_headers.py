"""The security baseline: response headers on a portal page, a back-office page and an
API response; cookie flags and HSTS as production sets them; `loket check --deploy`
clean with production-like settings."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client

from loket.accounts.staff.tests.helpers import PASSWORD, log_in_staff
from loket.core.tests.factories import MembershipFactory, OrganisationFactory, StaffFactory

from .conftest import REPO, clean_environment

pytestmark = pytest.mark.django_db

GOOD_SECRET = "p7V-3nQx9s1LrT0yBz8WcKd4HfJm2GaE6uYiOpNq5ZvXwRtS_lMkAjDhCgFeBnUo"
PRODUCTION = {
    "LOKET_ENVIRONMENT": "production",
    "SECRET_KEY": GOOD_SECRET,
    "ALLOWED_HOSTS": "loket.mandelmunster.example",
    "LOKET_BASE_URL": "https://loket.mandelmunster.example",
    "DATABASE_URL": "postgres://loket@127.0.0.1:5432/loket",
}
SECURITY_SETTINGS = (
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "USE_X_FORWARDED_HOST",
    "SILENCED_SYSTEM_CHECKS",
)


def _production_settings(tmp_path: Any) -> dict[str, Any]:
    """The security settings as `LOKET_ENVIRONMENT=production` makes them."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {SECURITY_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=clean_environment(
            tmp_path, DJANGO_SETTINGS_MODULE="loket.config.settings", **PRODUCTION
        ),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _assert_baseline(response: Any) -> None:
    csp = response["Content-Security-Policy"]
    directives = {d.strip().split(" ", 1)[0]: d.strip() for d in csp.split(";")}
    assert "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["object-src"] == "object-src 'none'"
    assert directives["base-uri"] == "base-uri 'self'"
    assert "form-action" in directives
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_a_portal_page_carries_the_security_headers(client: Client) -> None:
    response = client.get("/diensten/")
    assert response.status_code == 200
    _assert_baseline(response)


def test_a_back_office_page_carries_the_security_headers(client: Client) -> None:
    user = StaffFactory()
    MembershipFactory(user=user)
    log_in_staff(client, user)
    response = client.get("/backoffice/")
    assert response.status_code == 200
    _assert_baseline(response)


def test_an_api_response_carries_the_security_headers(client: Client) -> None:
    OrganisationFactory(is_primary=True)
    response = client.get("/api/v1/organisations/")
    assert response.status_code == 200
    _assert_baseline(response)
    assert response["Content-Type"].startswith("application/json")


def test_error_pages_carry_the_security_headers_too(client: Client) -> None:
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    _assert_baseline(response)


def test_production_makes_cookies_secure_and_turns_on_hsts(tmp_path: Any) -> None:
    values = _production_settings(tmp_path)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert values["LANGUAGE_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None  # only with LOKET_BEHIND_PROXY
    assert not values["USE_X_FORWARDED_HOST"]
    assert values["SILENCED_SYSTEM_CHECKS"] == []


def test_responses_over_https_in_production_carry_hsts_and_secure_cookies(
    settings: Any, tmp_path: Any
) -> None:
    """The production values applied in this process: what a browser receives."""
    values = _production_settings(tmp_path)
    for name in SECURITY_SETTINGS:
        if name not in ("DEBUG", "SILENCED_SYSTEM_CHECKS"):
            setattr(settings, name, values[name])
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = StaffFactory(username="hsts")
    MembershipFactory(user=user)
    client = Client()
    plain = client.get("/diensten/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/diensten/"
    page = client.get("/backoffice/aanmelden/", secure=True)
    assert page.status_code == 200
    hsts = page["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts
    assert "includeSubDomains" in hsts
    _assert_baseline(page)
    login = client.post(
        "/backoffice/aanmelden/", {"username": "hsts", "password": "wrong"}, secure=True
    )
    assert login.status_code == 200
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"}, secure=True)
    language = client.cookies["django_language"]
    assert language["secure"]
    assert language["samesite"] == "Lax"
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"
    client.post("/backoffice/aanmelden/", {"username": "hsts", "password": PASSWORD}, secure=True)
    session = client.cookies["sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"


def test_check_deploy_is_clean_with_production_settings(tmp_path: Any) -> None:
    """Django's deployment checks and Loket's own: nothing to report, nothing silenced."""
    result = subprocess.run(
        [sys.executable, "-m", "loket", "check", "--deploy", "--fail-level", "INFO"],
        env=clean_environment(
            tmp_path, LOKET_EMAIL_BACKEND="smtp", LOKET_TASK_BACKEND="database", **PRODUCTION
        ),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
