"""Shared by every test of the repository (src/ and tests/)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: rate-limit counters, throttles and cached
    pages of one test never decide the outcome of another."""
    from django.core.cache import cache

    cache.clear()
