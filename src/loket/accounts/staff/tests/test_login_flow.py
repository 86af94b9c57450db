"""The staff login end to end through the real views: password, then the app code."""

from __future__ import annotations

import pyotp
import pytest

from loket.accounts.staff import services
from loket.accounts.staff.constants import LOCKED_MESSAGE
from loket.accounts.staff.models import LoginThrottle, RecoveryCode, TotpDevice
from loket.accounts.staff.tests.helpers import PASSWORD
from loket.core.models import AuditEvent
from loket.core.tests.factories import MembershipFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

HOME = "/backoffice/"
LOGIN = "/backoffice/aanmelden/"
VERIFY = "/backoffice/aanmelden/tweede-stap/"
ENROL = "/backoffice/aanmelden/instellen/"
SECRET = pyotp.random_base32()


@pytest.fixture
def clerk():
    user = StaffFactory(username="baliemedewerker")
    MembershipFactory(user=user)  # a role that may use the back office
    TotpDevice.objects.create(user=user, secret=SECRET)
    return user


def _password(client, username="baliemedewerker", password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def _code(offset_steps: int = 0) -> str:
    totp = pyotp.TOTP(SECRET)
    return totp.at(int(services._clock()) + 30 * offset_steps)


def _wrong(code: str) -> str:
    return f"{(int(code) + 500000) % 1000000:06d}"


def _audit_text() -> str:
    return " ".join(
        f"{e.action} {e.object_label} {e.reason} {e.changes}" for e in AuditEvent.objects.all()
    )


def test_password_then_code_lets_staff_in_and_returns_to_next(client, clerk):
    response = _password(client, next="/backoffice/?tab=1")
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    # Password alone: not logged in, the back office refuses.
    assert "_auth_user_id" not in client.session
    assert client.get(HOME).status_code == 302

    assert 'name="code"' in client.get(VERIFY).content.decode()

    response = client.post(VERIFY, {"code": _code()})
    assert response.status_code == 302
    assert response["Location"] == "/backoffice/?tab=1"
    assert client.session["loket_auth_kind"] == "staff"
    assert client.session["loket_staff_factor"] == "totp"
    assert client.get(HOME).status_code == 200


def test_code_one_step_off_is_accepted_two_steps_is_not(client, clerk):
    _password(client)
    assert client.post(VERIFY, {"code": _code(-2)}).status_code == 200
    assert client.post(VERIFY, {"code": _code(-1)}).status_code == 302


def test_wrong_password_gives_no_second_step(client, clerk):
    response = _password(client, password="wrong")
    assert response.status_code == 200
    assert "Uw gebruikersnaam of wachtwoord klopt niet." in response.content.decode()
    assert client.get(VERIFY)["Location"] == LOGIN
    assert "loket_staff_pending" not in client.session


def test_wrong_code_is_refused_and_keeps_the_user_out(client, clerk):
    _password(client)
    response = client.post(VERIFY, {"code": _wrong(_code())})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(HOME).status_code == 302


def test_a_code_works_only_once(client, clerk):
    code = _code()
    _password(client)
    assert client.post(VERIFY, {"code": code})["Location"] == HOME
    client.post("/backoffice/afmelden/")

    _password(client)
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200  # replay refused
    assert "_auth_user_id" not in client.session
    # An earlier code is refused too once a later one was used.
    assert client.post(VERIFY, {"code": _code(-1)}).status_code == 200


def test_recovery_code_works_once(client, clerk):
    codes = services._recovery_codes_create(user=clerk)
    _password(client)
    response = client.post(VERIFY + "?method=recovery", {"code": codes[0].upper()})
    assert response["Location"] == HOME
    assert client.session["loket_staff_factor"] == "recovery"
    client.post("/backoffice/afmelden/")

    _password(client)
    assert client.post(VERIFY + "?method=recovery", {"code": codes[0]}).status_code == 200
    assert "_auth_user_id" not in client.session
    assert RecoveryCode.objects.filter(user=clerk, used_at__isnull=True).count() == 9


def test_five_wrong_passwords_lock_the_user_name_with_the_same_message_as_unknown(client, clerk):
    for _ in range(5):
        _password(client, password="wrong")
    response = _password(client)  # even the right password now
    assert str(LOCKED_MESSAGE) in response.content.decode()
    assert "loket_staff_pending" not in client.session

    for _ in range(5):
        _password(client, username="niemand", password="wrong")
    unknown = _password(client, username="niemand", password="wrong").content.decode()
    assert str(LOCKED_MESSAGE) in unknown
    assert LoginThrottle.objects.filter(key="user:niemand", locked_until__isnull=False).exists()


def test_an_unknown_name_spray_from_one_address_locks_the_address(client, clerk):
    for n in range(20):
        _password(client, username=f"gok{n}", password="wrong")
    response = _password(client, username="nog-een-gok", password="wrong")
    assert str(LOCKED_MESSAGE) in response.content.decode()
    # A known user name with a wrong password gets the same answer (no enumeration).
    response = _password(client, password="wrong")
    assert str(LOCKED_MESSAGE) in response.content.decode()
    assert "loket_staff_pending" not in client.session
    other = client.post(
        LOGIN,
        {"username": "nog-een-gok", "password": "wrong"},
        REMOTE_ADDR="192.0.2.9",
    )
    assert str(LOCKED_MESSAGE) not in other.content.decode()


def test_failures_from_a_shared_address_do_not_lock_out_a_user_with_the_right_password(
    client, clerk, settings
):
    settings.LOKET_LOGIN_RATE_LIMIT = 0  # the lock-out alone, not the rate limit
    # Behind a proxy every client has the same address: colleagues mistyping their
    # passwords, and someone spraying unknown names.
    colleagues = [StaffFactory(username=f"collega{n}") for n in range(6)]
    for colleague in colleagues:
        for _ in range(4):
            _password(client, username=colleague.username, password="wrong")
    for n in range(19):
        _password(client, username=f"gok{n}", password="wrong")
    assert _password(client)["Location"] == VERIFY
    response = client.post(VERIFY, {"code": _code()})
    assert response["Location"] == HOME
    assert client.get(HOME).status_code == 200
    client.post("/backoffice/afmelden/")

    # Even once the address is locked for unknown names, the right password and
    # code still work for a known user.
    for n in range(19, 25):
        _password(client, username=f"gok{n}", password="wrong")
    assert str(LOCKED_MESSAGE) in _password(client, username="gok99").content.decode()
    assert _password(client)["Location"] == VERIFY
    assert client.post(VERIFY, {"code": _code(1)})["Location"] == HOME


def test_five_wrong_codes_send_back_to_the_password_step(client, clerk):
    _password(client)
    for _ in range(4):
        assert client.post(VERIFY, {"code": _wrong(_code())}).status_code == 200
    response = client.post(VERIFY, {"code": _wrong(_code())})
    assert response["Location"] == LOGIN
    assert "loket_staff_pending" not in client.session
    # And the user name is locked: the right password does not help for now.
    assert str(LOCKED_MESSAGE) in _password(client).content.decode()


def test_disabled_account_gets_a_clear_message_and_no_session(client, clerk):
    clerk.is_active = False
    clerk.save()
    response = _password(client)
    assert "Dit account is geblokkeerd." in response.content.decode()
    assert "loket_staff_pending" not in client.session
    assert "_auth_user_id" not in client.session
    # With a wrong password a disabled account looks like any wrong password.
    assert (
        "Uw gebruikersnaam of wachtwoord klopt niet."
        in _password(client, password="wrong").content.decode()
    )


def test_resident_session_is_refused_by_the_back_office(client):
    staff = StaffFactory()
    client.force_login(staff)
    session = client.session
    session["loket_auth_kind"] = "resident"
    session["loket_staff_factor"] = "totp"
    session.save()
    assert client.get(HOME).status_code == 302
    assert client.get("/admin/").status_code == 302


def test_password_only_session_is_refused_by_the_configuration(client, clerk):
    clerk.is_superuser = True
    clerk.save()
    _password(client)
    response = client.get("/admin/")
    assert response.status_code == 302
    admin_login = client.get(response["Location"])
    assert admin_login["Location"].startswith(LOGIN)


def test_staff_without_factor_is_sent_to_set_up_the_app(client):
    user = StaffFactory(username="nieuw")
    MembershipFactory(user=user)
    response = _password(client, username="nieuw")
    assert response["Location"] == ENROL
    assert client.get(HOME).status_code == 302

    html = client.get(ENROL).content.decode()
    assert "<svg" in html
    assert 'role="img"' in html
    secret = client.session["loket_staff_totp_setup"]
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html

    assert (
        client.post(
            ENROL, {"code": "123456" if pyotp.TOTP(secret).now() != "123456" else "654321"}
        ).status_code
        == 200
    )
    response = client.post(ENROL, {"code": pyotp.TOTP(secret).now()})
    assert response["Location"] == "/backoffice/beveiliging/herstelcodes/"
    page = client.get(response["Location"]).content.decode()
    codes = RecoveryCode.objects.filter(user=user)
    assert codes.count() == 10
    assert page.count("<code>") == 10
    # Shown once.
    assert (
        client.get("/backoffice/beveiliging/herstelcodes/")["Location"]
        == "/backoffice/beveiliging/"
    )
    assert client.session["loket_staff_factor"] == "totp"
    assert client.get(HOME).status_code == 200


def test_pending_user_with_a_factor_cannot_add_another_one(client, clerk):
    _password(client)
    assert client.get(ENROL)["Location"] == VERIFY
    assert client.post(ENROL, {"code": "123456"})["Location"] == VERIFY
    assert TotpDevice.objects.get(user=clerk).secret == SECRET


def test_without_required_2fa_staff_without_factor_log_in_with_password(client, settings):
    settings.LOKET_STAFF_2FA_REQUIRED = False
    MembershipFactory(user=StaffFactory(username="zonder"))
    assert _password(client, username="zonder")["Location"] == HOME
    assert client.session["loket_staff_factor"] == "none"
    assert client.get(HOME).status_code == 200
    settings.LOKET_STAFF_2FA_REQUIRED = True
    assert client.get(HOME).status_code == 302  # the session no longer qualifies


def test_resident_account_is_refused_at_the_password_step(client):
    UserFactory(username="inwoner")
    response = _password(client, username="inwoner")
    assert "Dit account heeft geen toegang tot de back office." in response.content.decode()
    assert "loket_staff_pending" not in client.session


def test_audit_lines_for_login_failure_and_lockout_hold_no_secrets(client, clerk):
    code = _code()
    _password(client, password="wrong-secret-password")
    _password(client)
    client.post(VERIFY, {"code": _wrong(code)})
    client.post(VERIFY, {"code": code})
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["login_failed", "login_password", "login_failed", "login"]
    for _ in range(5):
        _password(client, username="onbekend", password="wrong-secret-password")
    assert AuditEvent.objects.filter(action="login_locked").count() == 1
    text = _audit_text()
    assert "wrong-secret-password" not in text
    assert PASSWORD not in text
    assert code not in text
    assert _wrong(code) not in text
    assert SECRET not in text
    assert "onbekend" not in text  # unknown names are not written down
