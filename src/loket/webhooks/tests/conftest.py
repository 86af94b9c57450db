from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _loopback_receivers(settings: Any) -> None:
    """The tests' receivers listen on 127.0.0.1, as in development."""
    settings.LOKET_WEBHOOK_ALLOW_LOOPBACK = True
