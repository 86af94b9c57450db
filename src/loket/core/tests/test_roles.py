"""Roles as data and the permission API."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from loket.core.constants import SYSTEM_ROLE_PERMISSIONS, Permission, RoleSlug
from loket.core.models import AuditEvent, DepartmentMembership, Role, User
from loket.core.permissions import access_in_department, departments_with, require_permission
from loket.core.selectors import (
    staff_department_ids,
    staff_has_permission,
    staff_permissions,
)
from loket.core.services import DomainError, membership_add, membership_remove
from loket.core.tests.factories import DepartmentFactory, MembershipFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_the_migration_seeds_the_ten_system_roles_with_their_permissions():
    roles = {role.slug: role for role in Role.objects.all()}
    assert set(roles) == set(RoleSlug.values)
    for slug, permissions in SYSTEM_ROLE_PERMISSIONS.items():
        assert roles[slug].is_system
        assert sorted(roles[slug].permissions) == sorted(permissions), slug


def test_only_social_workers_see_social_files():
    holders = {
        role.slug for role in Role.objects.all() if Permission.SOCIAL_FILE_VIEW in role.permissions
    }
    assert holders == {RoleSlug.SOCIAL_WORKER}


def test_a_role_refuses_unknown_or_repeated_permission_codes():
    role = Role(slug="test", name="Test", permissions=["people.view", "people.fly"])
    with pytest.raises(ValidationError, match=r"people\.fly"):
        role.full_clean()
    role.permissions = ["people.view", "people.view"]
    with pytest.raises(ValidationError):
        role.full_clean()
    role.permissions = "people.view"
    with pytest.raises(ValidationError):
        role.full_clean()


def test_permissions_hold_per_department():
    membership = MembershipFactory(role=RoleSlug.HANDLER)
    other = DepartmentFactory()
    user = membership.user
    assert staff_has_permission(user=user, permission=Permission.CASES_HANDLE)
    assert staff_has_permission(
        user=user, permission=Permission.CASES_HANDLE, department_id=membership.department_id
    )
    assert not staff_has_permission(
        user=user, permission=Permission.CASES_HANDLE, department_id=other.pk
    )
    assert not staff_has_permission(user=user, permission=Permission.CASES_ASSIGN)
    assert staff_department_ids(user=user, permission=Permission.CASES_VIEW) == {
        membership.department_id
    }
    assert staff_department_ids(user=user, permission=Permission.STAFF_MANAGE) == frozenset()
    assert Permission.PEOPLE_VIEW in staff_permissions(user=user)


def test_permissions_cost_one_query_per_user_object(django_assert_num_queries):
    user = MembershipFactory(role=RoleSlug.HEAD).user
    with django_assert_num_queries(1):
        for permission in Permission:
            staff_has_permission(user=user, permission=permission)
            staff_department_ids(user=user, permission=permission)


def test_superusers_may_everything_and_inactive_or_anonymous_users_nothing():
    from django.contrib.auth.models import AnonymousUser

    department = DepartmentFactory()
    boss = StaffFactory(is_superuser=True)
    assert staff_has_permission(user=boss, permission=Permission.SOCIAL_FILE_VIEW)
    assert department.pk in staff_department_ids(user=boss, permission=Permission.CASES_VIEW)
    assert staff_permissions(user=boss) == frozenset(Permission.values)
    inactive = MembershipFactory(user=StaffFactory(is_active=False)).user
    assert not staff_has_permission(user=inactive, permission=Permission.BACKOFFICE)
    assert not staff_has_permission(user=AnonymousUser(), permission=Permission.BACKOFFICE)
    assert staff_permissions(user=AnonymousUser()) == frozenset()


def test_generic_helpers_answer_403_and_404():
    membership = MembershipFactory(role=RoleSlug.COUNTER_CLERK)
    user = membership.user
    require_permission(user, Permission.COUNTER_SERVE)
    with pytest.raises(PermissionDenied):
        require_permission(user, Permission.CASES_HANDLE)
    access_in_department(user, Permission.PEOPLE_VIEW, department_id=membership.department_id)
    with pytest.raises(Http404):
        access_in_department(user, Permission.PEOPLE_VIEW, department_id=DepartmentFactory().pk)
    assert departments_with(user, Permission.PEOPLE_VIEW) == {membership.department_id}


def test_administrator_adds_and_removes_a_membership_with_audit_lines():
    admin = MembershipFactory(role=RoleSlug.ADMINISTRATOR).user
    colleague = StaffFactory()
    department = DepartmentFactory()
    membership = membership_add(
        actor=admin, user_id=colleague.pk, department_id=department.pk, role=RoleSlug.SOCIAL_WORKER
    )
    assert staff_has_permission(user=colleague, permission=Permission.SOCIAL_FILE_VIEW)
    assert AuditEvent.objects.filter(
        actor=admin, action="create", object_type="core.departmentmembership"
    ).exists()
    with pytest.raises(DomainError, match="heeft de rol"):
        membership_add(
            actor=admin,
            user_id=colleague.pk,
            department_id=department.pk,
            role=RoleSlug.SOCIAL_WORKER,
        )
    membership_remove(actor=admin, membership_id=membership.pk)
    assert not DepartmentMembership.objects.filter(pk=membership.pk).exists()
    # Permissions are cached per user object, that is per request.
    assert not staff_has_permission(
        user=User.objects.get(pk=colleague.pk), permission=Permission.SOCIAL_FILE_VIEW
    )
    assert AuditEvent.objects.filter(
        actor=admin, action="delete", object_id=str(membership.pk)
    ).exists()


def test_refused_membership_changes_leave_nothing_changed():
    handler = MembershipFactory(role=RoleSlug.HANDLER)
    colleague = StaffFactory()
    memberships, audit = DepartmentMembership.objects.count(), AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        membership_add(
            actor=handler.user,
            user_id=colleague.pk,
            department_id=handler.department_id,
            role=RoleSlug.ADMINISTRATOR,
        )
    with pytest.raises(PermissionDenied):
        membership_remove(actor=handler.user, membership_id=handler.pk)
    with pytest.raises(DomainError, match="Onbekende rol"):
        membership_add(
            actor=MembershipFactory(role=RoleSlug.ADMINISTRATOR).user,
            user_id=colleague.pk,
            department_id=handler.department_id,
            role="astronaut",
        )
    assert DepartmentMembership.objects.count() == memberships + 1  # the new administrator
    assert AuditEvent.objects.count() == audit


def test_an_administrator_cannot_remove_their_own_last_staff_management_role():
    membership = MembershipFactory(role=RoleSlug.ADMINISTRATOR)
    with pytest.raises(DomainError, match="laatste rol"):
        membership_remove(actor=membership.user, membership_id=membership.pk)
    assert DepartmentMembership.objects.filter(pk=membership.pk).exists()
