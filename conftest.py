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


def _empties_the_database(item: pytest.Item) -> bool:
    """Whether the test ran as a transactional test, whose end empties every table (as
    pytest-django decides it)."""
    from pytest_django.fixtures import validate_django_db

    names = getattr(item, "fixturenames", ())
    if {"transactional_db", "live_server", "django_db_reset_sequences"} & set(names):
        return True
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False
    transaction, reset_sequences, *_ = validate_django_db(marker)
    return bool(transaction or reset_sequences)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After a transactional test, write the migrations' data rows again.

    pytest-django runs transactional tests last, so in one process the tests after them
    never missed these rows; with the suite split over processes any test may follow
    one. Restoring them keeps every test independent of the order."""
    result = yield
    # With no next test the session's fixtures, the test database among them, are gone.
    if nextitem is not None and _empties_the_database(item):
        from pytest_django.plugin import blocking_manager_key

        from loket.core.tests.migration_data import restore_migration_data

        with item.config.stash[blocking_manager_key].unblock():
            restore_migration_data()
    return result
