"""The read-only configuration pages for resident accounts and login sessions."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from loket.accounts.models import LoginSession, ResidentAccount
from loket.accounts.staff.tests.helpers import log_in_staff
from loket.core.models import AuditEvent
from loket.core.tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, settings):
    settings.LANGUAGE_CODE = "en"
    log_in_staff(client, StaffFactory(username="beheerder", is_superuser=True))
    return client


@pytest.fixture
def resident_session():
    user = UserFactory(username="resident-1", first_name="Sarah", last_name="Peeters")
    ResidentAccount.objects.create(user=user, national_number_digest="d" * 64, dialect="fas")
    store = import_module(django_settings.SESSION_ENGINE).SessionStore()
    store["x"] = 1
    store.create()
    row = LoginSession.objects.create(
        user=user,
        session_key=store.session_key,
        dialect="fas",
        acr="urn:be:fedict:iam:fas:Level450",
        level=450,
        sid="provider-sid",
        started_at=timezone.now(),
    )
    return row


def test_the_pages_load_and_show_no_secrets(admin_client, resident_session):
    page = admin_client.get("/admin/accounts/residentaccount/").content.decode()
    assert "resident-1" in page
    assert "d" * 64 not in page
    page = admin_client.get("/admin/accounts/residentaccount/?q=resident").content.decode()
    assert "resident-1" in page
    account = ResidentAccount.objects.get()
    detail = admin_client.get(f"/admin/accounts/residentaccount/{account.pk}/change/")
    assert detail.status_code == 200
    assert "d" * 64 not in detail.content.decode()
    page = admin_client.get("/admin/accounts/loginsession/?q=resident-1").content.decode()
    assert "resident-1" in page
    assert resident_session.session_key not in page
    detail = admin_client.get(f"/admin/accounts/loginsession/{resident_session.pk}/change/")
    assert detail.status_code == 200
    assert resident_session.session_key not in detail.content.decode()
    assert "provider-sid" not in detail.content.decode()
    assert admin_client.get("/admin/accounts/loginsession/add/").status_code == 403


def test_end_these_sessions(admin_client, resident_session):
    response = admin_client.post(
        "/admin/accounts/loginsession/",
        {"action": "end_sessions", "_selected_action": [resident_session.pk]},
    )
    assert response.status_code == 302
    resident_session.refresh_from_db()
    assert resident_session.ended_at is not None
    assert resident_session.end_reason == "admin"
    store = import_module(django_settings.SESSION_ENGINE).SessionStore
    assert not store().exists(resident_session.session_key)
    assert AuditEvent.objects.filter(
        reason="session ended by an administrator", actor__username="beheerder"
    ).exists()
