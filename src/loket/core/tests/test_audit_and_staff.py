from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from loket.core.constants import AuditAction, RoleSlug
from loket.core.models import AuditEvent, DepartmentMembership
from loket.core.selectors import audit_events_for_person
from loket.core.services import (
    DomainError,
    audit_record,
    department_add_member,
    department_set_liaison,
)
from loket.core.tests.factories import DepartmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_audit_record_keeps_who_what_why_and_redacts_national_numbers():
    actor = UserFactory(username="baliemedewerker")
    department = DepartmentFactory(name="Burgerzaken")
    event = audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        target=department,
        subject_person_id=42,
        reason="Vraag van inwoner 85.07.30-033.28 aan de balie",
    )
    event.refresh_from_db()
    assert event.actor_label == "baliemedewerker"
    assert event.object_type == "core.department"
    assert event.object_label == "Burgerzaken"
    assert "033" not in event.reason
    assert list(audit_events_for_person(person_id=42)) == [event]
    assert list(audit_events_for_person(person_id=43)) == []


def test_audit_log_refuses_changes_through_the_model():
    event = audit_record(actor=None, action=AuditAction.CREATE, object_type="x", object_id="1")
    event.reason = "rewritten history"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    event.refresh_from_db()
    assert event.reason == ""


def test_audit_log_refuses_changes_in_the_database_itself():
    event = audit_record(actor=None, action=AuditAction.CREATE, object_type="x", object_id="1")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten history")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_adding_a_member_makes_them_staff_and_is_audited():
    admin = UserFactory(username="beheerder")
    user = UserFactory(is_staff=False)
    department = DepartmentFactory()
    department_add_member(actor=admin, department=department, user=user, role=RoleSlug.HANDLER)
    user.refresh_from_db()
    assert user.is_staff
    assert AuditEvent.objects.filter(actor=admin, object_type="core.departmentmembership").exists()


def test_liaison_must_work_in_the_department_and_nothing_changes_when_refused():
    department = DepartmentFactory(name="Vrije tijd")
    outsider = UserFactory(first_name="Jan", last_name="Claes")
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError, match="werkt niet bij Vrije tijd"):
        department_set_liaison(actor=None, department=department, user=outsider)
    department.refresh_from_db()
    assert department.communication_liaison is None
    assert AuditEvent.objects.count() == before


def test_member_becomes_liaison_with_an_audit_line():
    membership = MembershipFactory(role=RoleSlug.HANDLER)
    department = membership.department
    department_set_liaison(actor=None, department=department, user=membership.user)
    department.refresh_from_db()
    assert department.communication_liaison == membership.user
    assert DepartmentMembership.objects.filter(
        user=membership.user, department=department, role__slug=RoleSlug.COMMUNICATION
    ).exists()
    assert AuditEvent.objects.filter(object_type="core.department", action="update").count() == 1
