"""Shared by every test of the repository (src/ and tests/)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: rate-limit counters, throttles, cached
    pages and remembered page parts of one test never decide the outcome of another."""
    from django.core.cache import cache

    from loket.portal.templatetags.loket_memo import memo_clear

    cache.clear()
    memo_clear()
