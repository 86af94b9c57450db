"""Who gets into the back office: staff only; anonymous visitors and residents do not."""

from __future__ import annotations

import pyotp
import pytest
from django.urls import reverse

from loket.accounts.staff.services import demo_totp_device_create
from loket.accounts.staff.tests.helpers import log_in_staff
from loket.core.tests.factories import MembershipFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

HOME = "/backoffice/"
LOGIN = "/backoffice/aanmelden/"
PASSWORD = "correct-horse-battery-staple"


def test_urls_are_where_staff_expect_them():
    assert reverse("backoffice:home") == HOME
    assert reverse("backoffice:login") == LOGIN


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={HOME}"


def test_logged_in_resident_who_is_not_staff_is_refused(client):
    resident = UserFactory(username="resident")
    client.force_login(resident)

    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)

    login_page = client.get(response["Location"]).content.decode()
    assert "maar dit account heeft geen toegang tot de back office" in login_page


def test_inactive_staff_member_is_refused(client):
    staff = StaffFactory(is_active=False)
    log_in_staff(client, staff)
    assert client.get(HOME).status_code == 302


def test_password_only_is_not_enough(client):
    client.force_login(StaffFactory())
    assert client.get(HOME).status_code == 302


def test_staff_member_sees_the_overview(client):
    log_in_staff(client, MembershipFactory(user=StaffFactory(first_name="Els")).user)

    response = client.get(HOME)
    assert response.status_code == 200
    assert "Werkoverzicht" in response.content.decode()


def _with_app(username: str) -> str:
    secret = pyotp.random_base32()
    user = StaffFactory(username=username)
    MembershipFactory(user=user)
    demo_totp_device_create(user=user, secret=secret)
    return secret


def test_login_form_lets_staff_in_and_returns_to_the_overview(client):
    secret = _with_app("baliemedewerker")

    response = client.post(
        LOGIN, {"username": "baliemedewerker", "password": PASSWORD, "next": HOME}
    )
    assert response.status_code == 302
    assert response["Location"] == "/backoffice/aanmelden/tweede-stap/"
    assert client.get(HOME).status_code == 302
    response = client.post(response["Location"], {"code": pyotp.TOTP(secret).now()})
    assert response["Location"] == HOME
    assert client.get(HOME).status_code == 200


def test_login_without_next_goes_to_the_overview(client):
    secret = _with_app("baliemedewerker")

    client.post(LOGIN, {"username": "baliemedewerker", "password": PASSWORD})
    response = client.post("/backoffice/aanmelden/tweede-stap/", {"code": pyotp.TOTP(secret).now()})
    assert response["Location"] == HOME


def test_wrong_password_shows_a_clear_error_and_keeps_the_user_name(client):
    StaffFactory(username="baliemedewerker")

    response = client.post(LOGIN, {"username": "baliemedewerker", "password": "wrong"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Fout: Aanmelden voor medewerkers" in html
    assert "Uw gebruikersnaam of wachtwoord klopt niet." in html
    assert 'value="baliemedewerker"' in html
    assert client.get(HOME).status_code == 302


def test_missing_fields_are_tied_to_their_inputs(client):
    html = client.post(LOGIN, {"username": "", "password": ""}).content.decode()

    assert 'aria-describedby="id_username_error"' in html
    assert 'id="id_username_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'href="#id_username"' in html


def test_resident_credentials_are_refused_at_the_login_form(client):
    UserFactory(username="resident")

    response = client.post(LOGIN, {"username": "resident", "password": PASSWORD})

    assert response.status_code == 200
    assert "Dit account heeft geen toegang tot de back office." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_a_post_that_ends_the_session(client):
    log_in_staff(client, StaffFactory())

    assert client.get("/backoffice/afmelden/").status_code == 405
    response = client.post("/backoffice/afmelden/", follow=True)

    assert response.redirect_chain[0][0] == LOGIN
    assert "U bent afgemeld." in response.content.decode()
    assert client.get(HOME).status_code == 302


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("nl-be", "Aanmelden voor medewerkers"),
        ("fr", "Connexion pour les collaborateurs"),
        ("en", "Log in for staff"),
        ("de", "Anmeldung für Mitarbeiter"),
    ],
)
def test_login_page_renders_in_every_language(client, language, title):
    client.cookies["django_language"] = language
    response = client.get(LOGIN)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{title}</h1>" in html
    assert '<a class="skip-link" href="#main">' in html


def test_staff_member_without_a_role_is_refused_with_403(client):
    log_in_staff(client, StaffFactory())
    assert client.get(HOME).status_code == 403


def test_configuration_link_follows_djangos_own_permissions(client, django_assert_max_num_queries):
    from django.contrib.auth.models import Permission

    config = '<a href="/admin/">'
    staff = MembershipFactory(user=StaffFactory()).user
    log_in_staff(client, staff)
    assert config not in client.get(HOME).content.decode()

    staff.user_permissions.add(Permission.objects.get(codename="view_organisation"))
    client.get(HOME)
    # Kept for a minute per user: the next page asks nothing of the permission tables.
    from django.core.cache import cache

    cache.clear()
    assert config in client.get(HOME).content.decode()
    with django_assert_max_num_queries(40) as counted:
        page = client.get(reverse("cases_staff:queue"))
    assert page.status_code == 200
    assert config in page.content.decode()
    assert not any("auth_permission" in q["sql"] for q in counted.captured_queries)

    boss = StaffFactory(is_superuser=True)
    log_in_staff(client, boss)
    assert config in client.get(HOME).content.decode()
