"""Shared by every test of the repository (src/ and tests/)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: rate-limit counters, throttles, cached
    pages and remembered page parts of one test never decide the outcome of another."""
    from django.core.cache import cache

    from loket.portal.templatetags.loket_memo import memo_clear

    cache.clear()
    memo_clear()


@pytest.fixture(autouse=True, scope="session")
def _quick_password_hashing() -> Iterator[None]:
    """Tests hash passwords with MD5: Argon2, what the site uses, is slow on purpose, and
    the factories set a password on every user they make. `tests/test_settings.py`
    checks that the site itself still hashes with Argon2."""
    from django.test import override_settings

    quick = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    quick.enable()
    try:
        yield
    finally:
        quick.disable()
