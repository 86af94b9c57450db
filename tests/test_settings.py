"""Production refuses unsafe settings; `loket check` says so loudly; docs/env.md is current."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from loket.core.logging import RedactPersonalNumbers, redact

from .conftest import REPO, clean_environment

GOOD_SECRET = "p7V-3nQx9s1LrT0yBz8WcKd4HfJm2GaE6uYiOpNq5ZvXwRtS_lMkAjDhCgFeBnUo"
PRODUCTION = {
    "LOKET_ENVIRONMENT": "production",
    "SECRET_KEY": GOOD_SECRET,
    "ALLOWED_HOSTS": "loket.mandelmunster.example",
    "LOKET_BASE_URL": "https://loket.mandelmunster.example",
}


def test_check_passes_with_production_settings(loket_cli):
    result = loket_cli("check", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "loket.E" not in result.stdout + result.stderr


def test_check_fails_loudly_in_development_mode(loket_cli):
    result = loket_cli("check")
    assert result.returncode == 1
    assert "loket.E001" in result.stderr


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"LOKET_DEMO": "true"}, "LOKET_DEMO"),
        ({"LOKET_STAFF_2FA_REQUIRED": "false"}, "LOKET_STAFF_2FA_REQUIRED"),
        ({"LOKET_BASE_URL": ""}, "LOKET_BASE_URL"),
        ({"LOKET_BASE_URL": "http://loket.mandelmunster.example"}, "LOKET_BASE_URL"),
        ({"LOKET_BASE_URL": "https://127.0.0.1"}, "LOKET_BASE_URL"),
        ({"LOKET_SMS_GATEWAYS": "http://sms.provider.example/v1"}, "https"),
    ],
)
def test_production_refuses_to_start_with_unsafe_settings(loket_cli, override, message):
    env = {**PRODUCTION, **override}
    for name, value in override.items():
        if value == "":
            del env[name]
    result = loket_cli("check", **env)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_check_refuses_wildcard_hosts_in_production(loket_cli):
    result = loket_cli("check", **{**PRODUCTION, "ALLOWED_HOSTS": "*"})
    assert result.returncode == 1
    assert "loket.E003" in result.stderr


def test_invalid_value_gets_a_clear_message(loket_cli):
    result = loket_cli("check", LOKET_TASK_BACKEND="celery")
    assert result.returncode == 1
    assert "LOKET_TASK_BACKEND" in result.stderr
    assert "database, rq, immediate" in result.stderr


def test_env_docs_are_generated_from_the_settings(loket_cli):
    result = loket_cli("envdocs", "--output", "-")
    assert result.returncode == 0, result.stderr
    committed = (REPO / "docs" / "env.md").read_text(encoding="utf-8")
    assert result.stdout.strip() == committed.strip(), "run `loket envdocs` and commit docs/env.md"
    for name in ("DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "LOKET_TASK_BACKEND", "REDIS_URL"):
        assert f"`{name}`" in committed


@pytest.mark.parametrize(
    "text",
    ["lookup 85073003328 failed", "user 85.07.30-033.28 logged in", "nn=85 07 30 033 28"],
)
def test_national_numbers_are_redacted_from_logs(text, caplog):
    assert "033" not in redact(text)
    logger = logging.getLogger("loket.test")
    logger.addFilter(RedactPersonalNumbers())
    with caplog.at_level(logging.INFO, logger="loket.test"):
        logger.info("%s", text)
    assert "85" not in caplog.records[0].getMessage()
    assert "[rijksregisternummer]" in caplog.records[0].getMessage()


def test_ordinary_numbers_are_left_alone():
    assert redact("order 2026-000123 costs 12 euro") == "order 2026-000123 costs 12 euro"


def test_health_check_answers_load_balancers_in_production(loket_cli, tmp_path):
    """A probe over plain HTTP, by IP address, must not get a redirect or a 400."""
    script = (
        "import django, json; django.setup();"
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "from django.test import Client;"
        "r = Client().get('/healthz', HTTP_HOST='10.0.0.7');"
        "print(r.status_code, json.loads(r.content)['status'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=clean_environment(
            tmp_path, DJANGO_SETTINGS_MODULE="loket.config.settings", **PRODUCTION
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.split() == ["200", "ok"], result.stderr[-2000:]


def test_the_demo_is_never_seeded_in_production(loket_cli):
    migrated = loket_cli("migrate", "--noinput", **PRODUCTION)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    result = loket_cli("seed", "--residents", "10", **PRODUCTION)
    assert result.returncode == 1
    assert "never seeded in production" in result.stderr
    users = loket_cli(
        "shell",
        "-c",
        "from loket.core.models import User; print(User.objects.count())",
        **PRODUCTION,
    )
    assert users.stdout.strip().splitlines()[-1] == "0", users.stderr[-2000:]


def test_the_site_hashes_passwords_with_argon2():
    """The test run hashes with MD5 (the root conftest); the site's own setting does not."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    import loket.config.settings as site_settings

    assert site_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    hashed = Argon2PasswordHasher().encode("correct-horse-battery-staple", "somesaltvalue123")
    assert hashed.startswith("argon2$argon2id$")
