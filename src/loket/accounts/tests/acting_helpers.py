"""Helpers of the acting-on-behalf tests: a resident session as the resident login
leaves it (for the second person of a test; the first logs in for real)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from django.contrib.auth import get_user_model

from loket.accounts.constants import SESSION_LOGIN
from loket.accounts.models import ResidentAccount


def resident_user(person: Any) -> Any:
    user = get_user_model().objects.create(
        username=f"resident-{uuid.uuid4().hex[:12]}",
        first_name=person.first_name,
        last_name=person.last_name,
    )
    ResidentAccount.objects.create(
        user=user, person=person, national_number_digest=uuid.uuid4().hex, dialect="fas"
    )
    return user


def log_in_resident(client: Any, person: Any, level: int = 500) -> Any:
    """What a completed eID login leaves in the session."""
    user = resident_user(person)
    client.force_login(user)
    session = client.session
    now = time.time()
    session[SESSION_LOGIN] = {
        "dialect": "fas",
        "acr": f"urn:be:fedict:iam:fas:Level{level}",
        "level": level,
        "auth_time": None,
        "sid": "",
        "started_at": now,
        "last_seen": now,
    }
    session.save()
    return user
