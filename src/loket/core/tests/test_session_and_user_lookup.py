"""The baked session and user look-ups keep Django's rules: an expired or unknown
session is empty, an inactive user is logged out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from loket.core.sessions import SessionStore
from loket.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_session_is_read_back_until_it_expires() -> None:
    store = SessionStore()
    store["colour"] = "blue"
    store.create()
    key = store.session_key
    assert SessionStore(session_key=key)["colour"] == "blue"

    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    expired = SessionStore(session_key=key)
    assert expired.get("colour") is None
    assert expired.session_key is None  # a new one is made on save, never the old key
    assert SessionStore(session_key="x" * 32).get("colour") is None


def test_the_settings_use_the_baked_engine_and_backend() -> None:
    assert settings.SESSION_ENGINE == "loket.core.sessions"
    assert settings.AUTHENTICATION_BACKENDS == ["loket.core.auth.ModelBackend"]


def test_a_logged_in_user_is_found_and_an_inactive_one_is_not(client: Client) -> None:
    user: Any = UserFactory(username="an")
    client.force_login(user)
    assert client.get("/").wsgi_request.user == user

    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not client.get("/").wsgi_request.user.is_authenticated
