"""Codes that are not plain ASCII digits (or, for recovery codes, not ASCII) are wrong
codes: refused with the usual message and counted as a failure, never a server error."""

from __future__ import annotations

import pytest

from loket.accounts.staff.constants import CODE_REFUSED_MESSAGE
from loket.accounts.staff.models import LoginThrottle, Passkey, RecoveryCode, TotpDevice
from loket.accounts.staff.tests.helpers import PASSWORD, log_in_staff, with_authenticator_app
from loket.core.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

LOGIN = "/backoffice/aanmelden/"
VERIFY = "/backoffice/aanmelden/tweede-stap/"
SECURITY = "/backoffice/beveiliging/"
REMOVE = "/backoffice/beveiliging/verwijderen/"
RENEW = "/backoffice/beveiliging/herstelcodes/vernieuwen/"

# isdigit() is true for all of these, but they are not the digits an app shows.
NON_ASCII_CODES = ["١٢٣٤٥٦", "１２３４５６", "۱۲۳۴۵۶", "²³⁴⁵⁶⁷"]


@pytest.fixture
def clerk():
    user = StaffFactory(username="baliemedewerker")
    with_authenticator_app(user)
    return user


def _failures(user) -> int:
    row = LoginThrottle.objects.filter(key=f"user:{user.username}").first()
    return row.failures if row else 0


@pytest.mark.parametrize("code", NON_ASCII_CODES)
def test_non_ascii_digits_at_the_second_step_are_a_wrong_code(client, clerk, code):
    client.post(LOGIN, {"username": clerk.username, "password": PASSWORD})
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert str(CODE_REFUSED_MESSAGE) in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert _failures(clerk) == 1


@pytest.mark.parametrize("code", ["١٢٣٤-٥٦٧٨-abcd", "ábcd-éfgh-íjkl"])
def test_non_ascii_recovery_code_is_a_wrong_code(client, clerk, code):
    client.post(LOGIN, {"username": clerk.username, "password": PASSWORD})
    response = client.post(VERIFY + "?method=recovery", {"code": code})
    assert response.status_code == 200
    assert str(CODE_REFUSED_MESSAGE) in response.content.decode()
    assert _failures(clerk) == 1


@pytest.mark.parametrize("code", NON_ASCII_CODES)
def test_non_ascii_digits_when_removing_a_factor_are_a_wrong_code(client, clerk, code):
    passkey = Passkey.objects.create(
        user=clerk, name="sleutel", credential_id="id-sleutel", public_key=b"k"
    )
    log_in_staff(client, clerk)
    response = client.post(REMOVE, {"factor": "passkey", "passkey": passkey.pk, "code": code})
    assert response["Location"] == SECURITY
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    assert TotpDevice.objects.filter(user=clerk).exists()
    assert str(CODE_REFUSED_MESSAGE) in client.get(SECURITY).content.decode()
    assert _failures(clerk) == 1


def test_non_ascii_passkey_id_when_removing_is_ignored(client, clerk):
    log_in_staff(client, clerk)
    response = client.post(REMOVE, {"factor": "passkey", "passkey": "²", "code": "123456"})
    assert response["Location"] == SECURITY


@pytest.mark.parametrize("code", NON_ASCII_CODES)
def test_non_ascii_digits_when_renewing_recovery_codes_are_a_wrong_code(client, clerk, code):
    log_in_staff(client, clerk)
    response = client.post(RENEW, {"code": code})
    assert response["Location"] == SECURITY
    assert str(CODE_REFUSED_MESSAGE) in client.get(SECURITY).content.decode()
    assert not RecoveryCode.objects.filter(user=clerk).exists()
    assert _failures(clerk) == 1


@pytest.mark.parametrize("code", NON_ASCII_CODES)
def test_non_ascii_digits_when_setting_up_the_app_are_a_wrong_code(client, code):
    user = StaffFactory(username="nieuw")
    client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    client.get("/backoffice/aanmelden/instellen/")
    response = client.post("/backoffice/aanmelden/instellen/", {"code": code})
    assert response.status_code == 200
    assert str(CODE_REFUSED_MESSAGE) in response.content.decode()
