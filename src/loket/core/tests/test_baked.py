"""Baked reads give what the query set they were built from gives, on both databases."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, models
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from loket.core.baked import BakedQuery
from loket.core.models import Department, Role, User
from loket.core.tests.factories import DepartmentFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fields(obj: Model) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_instances_with_select_related_equal_the_query_set() -> None:
    organisation = OrganisationFactory()
    DepartmentFactory(organisation=organisation, slug="burgerzaken", name="Burgerzaken")
    DepartmentFactory(organisation=organisation, slug="omgeving", name="Omgeving")
    DepartmentFactory(slug="burgerzaken", name="Burgerzaken (OCMW)")

    def build(shape: Any, slug: str) -> Any:
        return Department.objects.filter(slug=slug).select_related("organisation").order_by("pk")

    baked = BakedQuery(build, name="departments by slug")
    for slug in ("burgerzaken", "omgeving", "onbekend"):
        expected = list(build((), slug))
        got = baked.all(slug)
        assert [_fields(d) for d in got] == [_fields(d) for d in expected]
        assert [_fields(d.organisation) for d in got] == [_fields(d.organisation) for d in expected]
    got = baked.all("burgerzaken")
    with CaptureQueriesContext(connection) as queries:
        names = [d.organisation.name for d in got]  # select_related: no further query
    assert len(queries) == 0
    assert len(names) == 2
    assert got[0]._state.db == "default"
    assert not got[0]._state.adding


def test_converters_run_for_json_and_datetimes() -> None:
    role = Role.objects.create(slug="proef", name="Proef", permissions=["cases.view", "x"])
    user = UserFactory(username="jan")

    role_query = BakedQuery(lambda shape, slug: Role.objects.filter(slug=slug), name="role")
    assert role_query.first("proef").permissions == ["cases.view", "x"]
    assert role_query.first("proef").pk == role.pk

    user_query = BakedQuery(lambda shape, pk: User.objects.filter(pk=pk)[:1], name="user")
    loaded = user_query.first(user.pk)
    assert loaded == user
    assert loaded.date_joined == User.objects.get(pk=user.pk).date_joined
    assert loaded.date_joined.tzinfo is not None
    assert user_query.first(user.pk + 1000) is None


def test_values_give_dictionaries() -> None:
    UserFactory(username="an", first_name="An")
    UserFactory(username="bo", first_name="Bo")

    def build(shape: Any, first: str, second: str) -> Any:
        return (
            User.objects.filter(username__in=[first, second])
            .order_by("username")
            .values("username", "first_name", "date_joined")
        )

    baked = BakedQuery(build, name="users")
    assert baked.all("an", "bo") == list(build((), "an", "bo"))
    assert [row["first_name"] for row in baked.all("bo", "zz")] == ["Bo"]


def test_shapes_are_built_separately() -> None:
    users = [UserFactory(username=f"u{i}") for i in range(4)]

    def build(shape: int, *pks: int) -> Any:
        return User.objects.filter(pk__in=pks).order_by("pk")

    baked = BakedQuery(build, name="users by pk")
    assert baked.all(users[0].pk, shape=1) == [users[0]]
    assert baked.all(users[1].pk, users[3].pk, shape=2) == [users[1], users[3]]
    assert baked.all(users[2].pk, shape=1) == [users[2]]


def test_empty_filter_makes_no_query() -> None:
    UserFactory()
    nothing = BakedQuery(
        lambda shape, pk: User.objects.filter(pk__in=[]).exclude(pk=pk), name="nothing"
    )
    with CaptureQueriesContext(connection) as queries:
        assert nothing.all(1) == []
        assert nothing.all(2) == []
    assert len(queries) == 0


@pytest.mark.parametrize(
    "build",
    [
        lambda shape, name: User.objects.filter(username__icontains=name),
        lambda shape, name: User.objects.filter(username=name).prefetch_related("groups"),
        lambda shape, name: User.objects.filter(username=name).values_list("pk", flat=True),
        lambda shape, name: User.objects.filter(username=name) if len(name) > 12 else [],
    ],
    ids=["changed value", "prefetch", "values_list", "not a query set"],
)
def test_what_cannot_be_baked_fails_loudly(build: Any) -> None:
    with pytest.raises(TypeError):
        BakedQuery(build, name="refused").all("someone")


def test_only_int_and_str_values() -> None:
    baked = BakedQuery(lambda shape, active: User.objects.filter(is_active=active), name="b")
    with pytest.raises(TypeError):
        baked.all(True)


def test_values_are_bound_not_pasted() -> None:
    UserFactory(username="a")
    baked = BakedQuery(lambda shape, name: User.objects.filter(username=name), name="by name")
    assert baked.all("a' OR '1'='1") == []
    assert len(baked.all("a")) == 1


def test_values_with_expressions_keep_their_names() -> None:
    from django.db.models.functions import Upper

    UserFactory(username="an", first_name="An")

    def build(shape: Any, name: str) -> Any:
        return User.objects.filter(username=name).values(
            "first_name", loud=Upper("username"), id_alias=models.F("pk")
        )

    baked = BakedQuery(build, name="values with expressions")
    assert baked.all("an") == list(build((), "an"))
    assert baked.all("an")[0]["loud"] == "AN"


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepares on PostgreSQL only")
def test_postgresql_prepares_a_baked_read_at_its_second_use() -> None:
    """The server plans a baked read once per connection (DATABASE_PREPARED_READS); a
    query set's own SQL is not prepared."""
    if connection.features.uses_server_side_binding:
        pytest.skip("DATABASE_PREPARED_STATEMENTS: every query prepares at its fifth use")
    organisation = OrganisationFactory()
    DepartmentFactory(organisation=organisation, slug="burgerzaken", name="Burgerzaken")
    baked = BakedQuery(
        lambda shape, slug: Department.objects.filter(slug=slug).order_by("pk"),
        name="prepared department",
    )
    # This statement's text, and no other query's: it orders by the primary key.
    own = 'ORDER BY "core_department"."id" ASC'
    assert connection.settings_dict["OPTIONS"].get("prepare_threshold") == 2
    assert [d.name for d in baked.all("burgerzaken")] == ["Burgerzaken"]
    assert not any(own in s for s in _prepared_statements())
    list(Department.objects.filter(slug="burgerzaken").order_by("pk"))
    list(Department.objects.filter(slug="burgerzaken").order_by("pk"))
    assert not any(own in s for s in _prepared_statements())  # a query set's SQL is not
    assert [d.name for d in baked.all("omgeving")] == []
    assert [d.name for d in baked.all("burgerzaken")] == ["Burgerzaken"]
    prepared = [s for s in _prepared_statements() if own in s]
    assert len(prepared) == 1
    assert "$1" in prepared[0]
    # While queries are logged, a baked read is logged with its values, as any other.
    with CaptureQueriesContext(connection) as queries:
        assert [d.name for d in baked.all("burgerzaken")] == ["Burgerzaken"]
    assert len(queries) == 1
    assert "'burgerzaken'" in queries[0]["sql"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepares on PostgreSQL only")
def test_without_prepared_reads_nothing_is_prepared() -> None:
    DepartmentFactory(slug="omgeving", name="Omgeving")
    baked = BakedQuery(
        lambda shape, slug: Department.objects.filter(slug=slug).order_by("-slug"),
        name="unprepared department",
    )
    options = connection.settings_dict["OPTIONS"]
    threshold = options.pop("prepare_threshold", None)
    try:
        for _ in range(3):
            assert [d.name for d in baked.all("omgeving")] == ["Omgeving"]
    finally:
        if threshold is not None:
            options["prepare_threshold"] = threshold
    assert not any('"core_department"."slug" DESC' in s for s in _prepared_statements())
