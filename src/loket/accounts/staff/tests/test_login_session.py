"""A new staff login starts from a clean session: nothing of an earlier, half-finished
login (or set-up) in the same browser carries over to the next user."""

from __future__ import annotations

import pytest

from loket.accounts.staff.constants import (
    SESSION_PENDING,
    SESSION_TOTP_SETUP,
    SESSION_WEBAUTHN_CHALLENGE,
)
from loket.accounts.staff.tests.helpers import PASSWORD, log_in_staff
from loket.core.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

LOGIN = "/backoffice/aanmelden/"
ENROL = "/backoffice/aanmelden/instellen/"


def test_pending_set_up_secret_of_one_user_is_gone_when_the_next_user_logs_in(client):
    first = StaffFactory(username="eerste")
    second = StaffFactory(username="tweede")

    client.post(LOGIN, {"username": first.username, "password": PASSWORD})
    assert client.get(ENROL).status_code == 200
    secret_of_first = client.session[SESSION_TOTP_SETUP]
    session = client.session
    session[SESSION_WEBAUTHN_CHALLENGE] = {"purpose": "register", "challenge": "AAAA"}
    session["something_else"] = "from the first user"
    session.save()
    old_key = client.session.session_key

    response = client.post(LOGIN, {"username": second.username, "password": PASSWORD})
    assert response["Location"] == ENROL
    session = client.session
    assert session.session_key != old_key
    assert SESSION_TOTP_SETUP not in session
    assert SESSION_WEBAUTHN_CHALLENGE not in session
    assert "something_else" not in session
    assert session[SESSION_PENDING]["user_id"] == second.pk

    assert client.get(ENROL).status_code == 200
    assert client.session[SESSION_TOTP_SETUP] != secret_of_first


def test_a_new_login_ends_the_earlier_session(client):
    first = StaffFactory(username="eerste")
    second = StaffFactory(username="tweede")
    log_in_staff(client, first)
    client.post(LOGIN, {"username": second.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "loket_staff_factor" not in client.session
