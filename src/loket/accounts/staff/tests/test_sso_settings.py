"""Production settings never point staff single sign-on at the demo simulator."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PRODUCTION = {
    "LOKET_ENVIRONMENT": "production",
    "SECRET_KEY": "p7V-3nQx9s1LrT0yBz8WcKd4HfJm2GaE6uYiOpNq5ZvXwRtS_lMkAjDhCgFeBnUo",
    "ALLOWED_HOSTS": "loket.mandelmunster.example",
    "LOKET_BASE_URL": "https://loket.mandelmunster.example",
    "LOKET_STAFF_SSO": "oidc",
    "LOKET_STAFF_OIDC_CLIENT_ID": "loket-backoffice",
    "LOKET_STAFF_OIDC_CLIENT_SECRET": "secret",
}


def _check(tmp_path, **overrides: str) -> subprocess.CompletedProcess[str]:
    strip: tuple[str, ...] = ("LOKET_", "DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")
    strip += ("REDIS_URL", "EMAIL_", "SECURE_", "AWS_", "CSRF_", "PORT", "WEB_CONCURRENCY")
    strip += ("LOG_LEVEL", "DJANGO_", "DEFAULT_FROM_EMAIL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(strip)}
    env.update({**PRODUCTION, "LOKET_DATA_DIR": str(tmp_path), **overrides})
    return subprocess.run(
        [sys.executable, "-m", "loket", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "issuer",
    ["http://127.0.0.1:8001/staff", "https://localhost/realms/staff", "http://idp.example/staff"],
)
def test_production_refuses_a_loopback_or_plain_http_staff_issuer(tmp_path, issuer):
    result = _check(tmp_path, LOKET_STAFF_OIDC_ISSUER=issuer)
    assert result.returncode == 1
    assert "LOKET_STAFF_OIDC_ISSUER" in result.stderr


def test_production_accepts_the_municipality_s_provider(tmp_path):
    result = _check(
        tmp_path, LOKET_STAFF_OIDC_ISSUER="https://login.mandelmunster.example/realms/staff"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_single_sign_on_needs_its_client(tmp_path):
    result = _check(
        tmp_path,
        LOKET_STAFF_OIDC_ISSUER="https://login.mandelmunster.example/realms/staff",
        LOKET_STAFF_OIDC_CLIENT_SECRET="",
    )
    assert result.returncode == 1
    assert "LOKET_STAFF_OIDC_CLIENT_SECRET" in result.stderr


def test_password_login_off_needs_single_sign_on(tmp_path):
    result = _check(tmp_path, LOKET_STAFF_SSO="off", LOKET_STAFF_PASSWORD_LOGIN="false")
    assert result.returncode == 1
    assert "LOKET_STAFF_PASSWORD_LOGIN" in result.stderr
