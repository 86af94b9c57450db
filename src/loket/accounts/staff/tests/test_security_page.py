"""'My security': list, add, remove factors and renew recovery codes."""

from __future__ import annotations

import pyotp
import pytest

from loket.accounts.staff import services
from loket.accounts.staff.models import Passkey, RecoveryCode, TotpDevice
from loket.accounts.staff.tests.helpers import log_in_staff, with_authenticator_app
from loket.core.models import AuditEvent
from loket.core.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

SECURITY = "/backoffice/beveiliging/"
REMOVE = "/backoffice/beveiliging/verwijderen/"
RENEW = "/backoffice/beveiliging/herstelcodes/vernieuwen/"


@pytest.fixture
def clerk():
    return StaffFactory(username="baliemedewerker")


def _passkey(user, name="sleutel"):
    return Passkey.objects.create(
        user=user, name=name, credential_id=f"id-{name}", public_key=b"k", sign_count=0
    )


def test_page_lists_factors_and_needs_a_verified_session(client, clerk):
    with_authenticator_app(clerk)
    _passkey(clerk, "laptop aan de balie")
    client.force_login(clerk)
    assert client.get(SECURITY).status_code == 302  # password only

    log_in_staff(client, clerk)
    html = client.get(SECURITY).content.decode()
    assert "laptop aan de balie" in html
    assert 'action="/backoffice/beveiliging/verwijderen/"' in html
    assert 'src="/static/loket/js/passkeys.js"' in html


def test_removing_a_factor_needs_a_current_code(client, clerk):
    secret = with_authenticator_app(clerk)
    passkey = _passkey(clerk)
    log_in_staff(client, clerk)

    client.post(REMOVE, {"factor": "passkey", "passkey": passkey.pk, "code": "000000"})
    assert Passkey.objects.filter(pk=passkey.pk).exists()  # refused, nothing changed

    code = pyotp.TOTP(secret).now()
    client.post(REMOVE, {"factor": "passkey", "passkey": passkey.pk, "code": code})
    assert not Passkey.objects.filter(pk=passkey.pk).exists()
    assert AuditEvent.objects.filter(action="factor_removed", reason="passkey removed").exists()
    assert code not in str(list(AuditEvent.objects.values_list("changes", "reason")))


def test_the_last_factor_cannot_be_removed_while_required(client, clerk):
    secret = with_authenticator_app(clerk)
    log_in_staff(client, clerk)
    client.post(REMOVE, {"factor": "totp", "code": pyotp.TOTP(secret).now()})
    assert TotpDevice.objects.filter(user=clerk).exists()


def test_another_users_passkey_cannot_be_removed(client, clerk):
    secret = with_authenticator_app(clerk)
    _passkey(clerk)
    other = _passkey(StaffFactory(username="ander"), "van-een-ander")
    log_in_staff(client, clerk)
    client.post(
        REMOVE, {"factor": "passkey", "passkey": other.pk, "code": pyotp.TOTP(secret).now()}
    )
    assert Passkey.objects.filter(pk=other.pk).exists()


def test_renewing_recovery_codes_replaces_the_old_ones_and_shows_them_once(client, clerk):
    secret = with_authenticator_app(clerk)
    old = services._recovery_codes_create(user=clerk)
    log_in_staff(client, clerk)

    assert client.post(RENEW, {"code": "nope"})["Location"] == SECURITY
    assert RecoveryCode.objects.filter(user=clerk).count() == 10

    response = client.post(RENEW, {"code": old[0]})  # a recovery code confirms too
    assert response["Location"] == "/backoffice/beveiliging/herstelcodes/"
    html = client.get(response["Location"]).content.decode()
    assert html.count("<code>") == 10
    assert old[1] not in html
    assert client.get(response["Location"])["Location"] == SECURITY
    assert RecoveryCode.objects.filter(user=clerk, used_at__isnull=True).count() == 10
    assert not RecoveryCode.objects.filter(
        code_hash=services._recovery_hash(user=clerk, code=old[1])
    ).exists()
    assert pyotp.TOTP(secret).now()  # the app is untouched
    assert TotpDevice.objects.filter(user=clerk).exists()


def test_adding_an_app_from_the_page_when_the_user_has_only_a_passkey(client, clerk):
    _passkey(clerk)
    log_in_staff(client, clerk, factor="passkey")
    html = client.get("/backoffice/aanmelden/instellen/").content.decode()
    assert "<svg" in html
    secret = client.session["loket_staff_totp_setup"]
    response = client.post("/backoffice/aanmelden/instellen/", {"code": pyotp.TOTP(secret).now()})
    assert response["Location"] == "/backoffice/beveiliging/herstelcodes/"
    assert TotpDevice.objects.get(user=clerk).secret == secret
