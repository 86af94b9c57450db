"""Production settings can never point the resident login at the demo simulator."""

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
    "LOKET_OIDC_ENABLED": "true",
    "LOKET_OIDC_CLIENT_ID": "loket",
    "LOKET_OIDC_CLIENT_SECRET": "secret",
}


def _check(tmp_path, **overrides: str) -> subprocess.CompletedProcess[str]:
    strip: tuple[str, ...] = (
        "LOKET_",
        "DATABASE_URL",
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "REDIS_URL",
    )
    strip += ("EMAIL_", "SECURE_", "AWS_", "CSRF_", "PORT", "WEB_CONCURRENCY", "LOG_LEVEL")
    strip += ("DJANGO_", "DEFAULT_FROM_EMAIL")  # e.g. the browser tests set DJANGO_ALLOW_…
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
    "issuer", ["http://127.0.0.1:8001/fas", "https://localhost/fas", "http://idp.example/fas"]
)
def test_production_refuses_a_loopback_or_plain_http_issuer(tmp_path, issuer):
    result = _check(tmp_path, LOKET_OIDC_ISSUER=issuer)
    assert result.returncode == 1
    assert "LOKET_OIDC_ISSUER" in result.stderr or "https://" in result.stderr


def test_production_accepts_a_real_issuer(tmp_path):
    result = _check(tmp_path, LOKET_OIDC_ISSUER="https://idp.iamfas.belgium.be/fas/oauth2")
    assert result.returncode == 0, result.stdout + result.stderr
