from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from loket.core.constants import OrganisationKind, RoleSlug
from loket.core.models import (
    Department,
    DepartmentMembership,
    OpeningHours,
    Organisation,
    Role,
    User,
)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Els"
    last_name = factory.Sequence(lambda n: f"Peeters{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.django.Password("correct-horse-battery-staple")


class StaffFactory(UserFactory):
    is_staff = True


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    kind = OrganisationKind.MUNICIPALITY
    name = factory.Sequence(lambda n: f"Gemeente Proefdorp {n}")
    slug = factory.Sequence(lambda n: f"gemeente-{n}")
    nis_code = "36007"
    street = "Marktplein 1"
    postcode = "8770"
    municipality = "Proefdorp"
    email = "info@example.invalid"
    phone = "051 33 74 00"
    is_primary = False


class OpeningHoursFactory(factory.django.DjangoModelFactory[OpeningHours]):
    class Meta:
        model = OpeningHours

    organisation = factory.SubFactory(OrganisationFactory)
    weekday = 0
    opens = dt.time(9, 0)
    closes = dt.time(12, 0)


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Dienst {n}")
    slug = factory.Sequence(lambda n: f"dienst-{n}")


class MembershipFactory(factory.django.DjangoModelFactory[DepartmentMembership]):
    class Meta:
        model = DepartmentMembership

    user = factory.SubFactory(StaffFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = factory.LazyFunction(lambda: Role.objects.get(slug=RoleSlug.HANDLER))

    @classmethod
    def _create(cls, model_class: Any, *args: Any, **kwargs: Any) -> DepartmentMembership:
        # role=RoleSlug.HEAD (or "head") picks one of the seeded roles.
        if isinstance(kwargs.get("role"), str):
            kwargs["role"] = Role.objects.get(slug=kwargs["role"])
        return super()._create(model_class, *args, **kwargs)


def system_roles_ensure() -> None:
    """Put back the roles the migrations seed: a transactional test database is flushed
    between tests, and the flush removes them too."""
    from loket.core.constants import SYSTEM_ROLE_PERMISSIONS

    for slug, permissions in SYSTEM_ROLE_PERMISSIONS.items():
        Role.objects.get_or_create(
            slug=slug,
            defaults={
                "name": str(RoleSlug(slug).label),
                "permissions": list(permissions),
                "is_system": True,
            },
        )
