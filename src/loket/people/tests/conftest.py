from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def staff_user(db: Any) -> Any:
    return get_user_model().objects.create_user(
        username="baliemedewerker", password="x-not-used-x", is_staff=True
    )
