from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """The municipality's name and colours are cached; every test starts without them."""
    cache.clear()
    yield
    cache.clear()
