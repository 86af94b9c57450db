"""The session engine (``SESSION_ENGINE``): Django's database sessions, with the
session look-up that starts every logged-in request baked (``loket.core.baked``)."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from loket.core.baked import BakedQuery

_SESSION: BakedQuery[Session] = BakedQuery(
    lambda shape, key: Session.objects.filter(session_key=key)[:1], name="session"
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        key = self.session_key
        session = _SESSION.first(key) if isinstance(key, str) else None
        # The expiry is checked here, not in SQL: the same rule as Django's.
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        return session
