"""Per-address rate limits on the login steps: a friendly 429 page and one audit line."""

from __future__ import annotations

import pytest

from loket.accounts.staff.constants import StaffAuthAudit
from loket.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_limit(settings, monkeypatch):
    settings.LANGUAGE_CODE = "en"
    settings.LOKET_LOGIN_RATE_LIMIT = 3
    # The middle of one fixed one-minute window: a test never straddles two windows.
    from types import SimpleNamespace

    from loket.accounts.staff import ratelimit

    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))


def test_the_staff_password_step_is_limited_per_address(client):
    for _ in range(3):
        response = client.post("/backoffice/aanmelden/", {"username": "x", "password": "y"})
        assert response.status_code == 200
    response = client.post("/backoffice/aanmelden/", {"username": "x", "password": "y"})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    page = response.content.decode()
    assert "Too many attempts" in page
    assert "Back to the staff login" in page
    client.post("/backoffice/aanmelden/", {"username": "x", "password": "y"})
    assert AuditEvent.objects.filter(action=StaffAuthAudit.RATE_LIMITED).count() == 1
    # Reading the page is not limited; another address is not affected.
    assert client.get("/backoffice/aanmelden/").status_code == 200
    other = client.post(
        "/backoffice/aanmelden/", {"username": "x", "password": "y"}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 200


def test_the_resident_login_start_and_return_are_limited(client):
    for _ in range(3):
        assert client.get("/aanmelden/terug/").status_code != 429
    response = client.get("/aanmelden/terug/")
    assert response.status_code == 429
    assert "Back to logging in" in response.content.decode()
    assert client.post("/aanmelden/start/", {"method": "itsme"}).status_code == 429


def test_the_second_step_answers_json_to_the_passkey_script(client):
    for _ in range(3):
        client.post("/backoffice/aanmelden/passkey/opties/", content_type="application/json")
    response = client.post("/backoffice/aanmelden/passkey/opties/", content_type="application/json")
    assert response.status_code == 429
    assert "error" in response.json()


def test_zero_turns_the_limit_off(client, settings):
    settings.LOKET_LOGIN_RATE_LIMIT = 0
    for _ in range(5):
        assert client.get("/aanmelden/terug/").status_code != 429
