"""Staff and roles: administrators add and take away roles; others are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from loket.accounts.staff.tests.helpers import log_in_staff
from loket.core.constants import RoleSlug
from loket.core.models import AuditEvent, DepartmentMembership, Role
from loket.core.tests.factories import DepartmentFactory, MembershipFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def admin(client):
    user = MembershipFactory(role=RoleSlug.ADMINISTRATOR).user
    log_in_staff(client, user)
    return user


def test_staff_list_shows_roles_and_pages(client, admin, django_assert_max_num_queries):
    colleague = MembershipFactory(
        user=StaffFactory(first_name="Karen", last_name="Goethals"), role=RoleSlug.SOCIAL_WORKER
    )
    html = client.get(reverse("backoffice:staff")).content.decode()
    assert "Karen Goethals" in html
    assert f"{colleague.department.name}: Maatschappelijk werker" in html
    for _ in range(30):
        MembershipFactory()
    with django_assert_max_num_queries(10):
        response = client.get(reverse("backoffice:staff"))
    assert response.context["next_url"]
    assert client.get(reverse("backoffice:staff") + response.context["next_url"]).status_code == 200
    assert (
        "No staff member matches."
        in client.get(reverse("backoffice:staff"), {"q": "nobody-like-this"}).content.decode()
    )


def test_administrator_adds_and_takes_away_a_role(client, admin):
    colleague = StaffFactory()
    department = DepartmentFactory()
    add = reverse("backoffice:staff-membership-add", args=[colleague.pk])
    response = client.post(add, {"department": department.pk, "role": RoleSlug.COUNTER_CLERK})
    assert response.status_code == 302
    membership = DepartmentMembership.objects.get(user=colleague)
    assert membership.role.slug == RoleSlug.COUNTER_CLERK
    page = client.get(response["Location"]).content.decode()
    assert "The role has been added." in page

    again = client.post(add, {"department": department.pk, "role": RoleSlug.COUNTER_CLERK})
    assert again.status_code == 409
    assert "al bij" in again.content.decode()

    remove = reverse("backoffice:staff-membership-remove", args=[colleague.pk, membership.pk])
    assert client.post(remove).status_code == 302
    assert not DepartmentMembership.objects.filter(user=colleague).exists()
    assert (
        AuditEvent.objects.filter(actor=admin, object_type="core.departmentmembership").count() == 2
    )


def test_invalid_add_form_keeps_the_choice(client, admin):
    colleague = StaffFactory()
    department = DepartmentFactory()
    response = client.post(
        reverse("backoffice:staff-membership-add", args=[colleague.pk]),
        {"department": department.pk, "role": "astronaut"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose a role." in html
    assert f'value="{department.pk}" selected' in html
    assert not DepartmentMembership.objects.filter(user=colleague).exists()


def test_membership_of_another_user_is_404(client, admin):
    other = MembershipFactory()
    colleague = StaffFactory()
    url = reverse("backoffice:staff-membership-remove", args=[colleague.pk, other.pk])
    assert client.post(url).status_code == 404
    assert DepartmentMembership.objects.filter(pk=other.pk).exists()
    assert client.get(reverse("backoffice:staff-detail", args=[999999])).status_code == 404


def test_get_on_a_form_action_is_405(client, admin):
    url = reverse("backoffice:staff-membership-add", args=[admin.pk])
    assert client.get(url).status_code == 405


def test_non_administrators_are_refused_and_nothing_changes(client):
    head = MembershipFactory(role=RoleSlug.HEAD)
    log_in_staff(client, head.user)
    colleague = StaffFactory()
    before = DepartmentMembership.objects.count(), AuditEvent.objects.count()
    for url in (reverse("backoffice:staff"), reverse("backoffice:roles")):
        assert client.get(url).status_code == 403
    response = client.post(
        reverse("backoffice:staff-membership-add", args=[colleague.pk]),
        {"department": head.department_id, "role": RoleSlug.ADMINISTRATOR},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("backoffice:staff-membership-remove", args=[head.user_id, head.pk])
    )
    assert response.status_code == 403
    assert (DepartmentMembership.objects.count(), AuditEvent.objects.count()) == before


def test_roles_page_shows_the_matrix(client, admin):
    html = client.get(reverse("backoffice:roles")).content.decode()
    for role in Role.objects.all():
        assert role.name in html
    assert "See social files (OCMW)" in html


def test_menu_shows_only_what_the_role_may_open(client, admin):
    html = client.get(reverse("backoffice:home")).content.decode()
    assert 'href="/backoffice/medewerkers/"' in html
    assert 'href="/backoffice/inwoners/"' in html
    client.logout()
    log_in_staff(client, MembershipFactory(role=RoleSlug.COUNCIL_MEMBER).user)
    html = client.get(reverse("backoffice:home")).content.decode()
    assert 'href="/backoffice/medewerkers/"' not in html
    assert 'href="/backoffice/inwoners/"' not in html


def test_the_configuration_edits_a_role_with_checkboxes_and_audits_it(client):
    boss = StaffFactory(is_superuser=True)
    log_in_staff(client, boss)
    role = Role.objects.get(slug=RoleSlug.VOLUNTEER)
    url = f"/admin/core/role/{role.pk}/change/"
    page = client.get(url).content.decode()
    assert 'type="checkbox" name="permissions" value="mandates.assist"' in page
    response = client.post(
        url,
        {
            "name": "Vrijwilliger",
            "description": "",
            "permissions": ["mandates.assist", "backoffice.enter"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    role.refresh_from_db()
    assert role.slug == RoleSlug.VOLUNTEER
    assert role.permissions == ["backoffice.enter", "mandates.assist"]
    assert AuditEvent.objects.filter(object_type="core.role", actor=boss).exists()
    assert client.post(f"/admin/core/role/{role.pk}/delete/", {"post": "yes"}).status_code == 403


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (
            RoleSlug.HANDLER,
            ["/backoffice/dossiers/", "/backoffice/documenten/"],
            ["/backoffice/diensten/", "/backoffice/koppelingen/"],
        ),
        (
            RoleSlug.COUNCIL_MEMBER,
            ["/backoffice/dossiers/"],
            ["/backoffice/documenten/", "/backoffice/berichten/"],
        ),
        (
            RoleSlug.COMMUNICATION,
            ["/backoffice/berichten/", "/backoffice/documenten/"],
            ["/backoffice/dossiers/", "/backoffice/inwoners/"],
        ),
        (
            RoleSlug.ADMINISTRATOR,
            ["/backoffice/diensten/", "/backoffice/koppelingen/", "/backoffice/medewerkers/"],
            [],
        ),
        (
            RoleSlug.COUNTER_CLERK,
            ["/backoffice/balie/", "/backoffice/inwoners/", "/backoffice/documenten/"],
            ["/backoffice/berichten/"],
        ),
    ],
)
def test_menu_links_follow_the_role(client, role, shown, hidden):
    log_in_staff(client, MembershipFactory(role=role).user)
    html = client.get(reverse("backoffice:home")).content.decode()
    menu = html.split('class="site-nav"')[1].split("</nav>")[0]
    for href in shown:
        assert f'href="{href}"' in menu, href
    for href in hidden:
        assert f'href="{href}"' not in menu, href
