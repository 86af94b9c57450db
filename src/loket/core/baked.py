"""Reads whose SQL is built once per process and then run with new values.

Building the SQL of a query set (Django's compiler) costs 0.2–0.5 ms of CPU per query,
more than the database needs to answer the small look-ups that every page makes: the
session, the user, the case, its timeline. A :class:`BakedQuery` builds a query's SQL
the first time it runs in a process, with placeholder values, and afterwards only puts
the new values into the same parameter list. The values are still sent as bound
parameters, never pasted into the SQL.

A query can be baked when its SQL does not depend on its values: equality and ``in``
look-ups (a fixed number of values per ``shape``), fixed ordering and slicing, and
``select_related``. The builder is called twice, with two different sets of
placeholders; when the SQL differs between them, or a placeholder comes out changed
(``icontains`` wraps it in ``%``), or the query needs what a baked read does not do
(``prefetch_related``, ``distinct`` with extra ordering columns), building fails at once
with a ``TypeError``, so tests find it. Values must be ``int`` or ``str``; fix booleans
and constants in the builder instead.

The rows become model instances (or dictionaries for ``values()``) exactly as Django
makes them: the same converters, ``from_db`` and ``select_related`` population.
Each baked query has a test comparing it with the query set it was built from (ADR 0020).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]
    ModelIterable,
    ValuesIterable,
    get_related_populators,
)

M = TypeVar("M", bound=Model)

# Shapes kept per query: more (an unbounded shape) are built each time, not kept.
MAX_PLANS = 256
# Two sets of placeholder values: a parameter that follows the set is a value's slot.
_INT_BASES = (1_900_000_000, 1_950_000_000)


def _placeholder(kind: type, index: int, round_: int) -> int | str:
    if kind is int:
        return _INT_BASES[round_] + index
    return f"\x1fbaked-{index}-{'ab'[round_]}\x1f"


@dataclass(frozen=True)
class _Plan:
    """The SQL of one query shape on one database, and how to turn its rows into
    objects."""

    empty: bool
    sql: str
    params: tuple[Any, ...]
    # (position in params, index of the value, the type the backend wraps it in)
    slots: tuple[tuple[int, int, Callable[[Any], Any] | None], ...]
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]
    values_names: tuple[str, ...] | None  # values(): the keys; None: model instances
    model: type[Model] | None
    init_list: tuple[str, ...]
    model_start: int
    model_end: int
    populators: tuple[Any, ...]
    annotations: tuple[tuple[str, int], ...]


def _prepares(connection: Any) -> bool:
    """Whether baked reads are prepared on this connection: PostgreSQL with a
    ``prepare_threshold`` (DATABASE_PREPARED_READS) whose own cursors bind on the client
    (with DATABASE_PREPARED_STATEMENTS every cursor already prepares)."""
    return (
        connection.vendor == "postgresql"
        and connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None
        and not connection.features.uses_server_side_binding
    )


def _cursor(connection: Any) -> Any:
    """A cursor of ``connection`` for a baked read.

    On PostgreSQL with prepared reads: a server-side binding cursor, which psycopg
    prepares at the statement's ``prepare_threshold``-th use on the connection. A baked
    read's SQL is the same text every time, so the server plans it once per connection.
    It is wrapped as Django wraps its own cursors: the same error translation and
    execute wrappers. While queries are logged (DEBUG, query-count tests) a baked read
    runs unprepared, as any other query, so the log shows its SQL with the values."""
    if not _prepares(connection) or connection.queries_logged:
        return connection.cursor()
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        ServerBindingCursor,
    )

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(connection.connection)
    return connection.make_cursor(raw)


class BakedQuery(Generic[M]):
    """A read whose SQL is built once per process, database and shape.

    ``build(shape, *values)`` returns the query set; it must use ``values`` only as
    the right-hand side of look-ups, never look at them (the SQL must not depend on
    them). ``shape`` is whatever else the query depends on
    (a number of ``in`` values, which filters apply), passed as given to :meth:`all`.
    """

    def __init__(self, build: Callable[..., QuerySet[M]], *, name: str) -> None:
        self._build = build
        self.name = name
        self._plans: dict[tuple[str, Hashable, tuple[type, ...]], _Plan] = {}
        self._lock = threading.Lock()

    # -- running ------------------------------------------------------------------

    def all(
        self, *values: int | str, shape: Hashable = (), using: str = DEFAULT_DB_ALIAS
    ) -> list[Any]:
        """The rows, as the query set would give them (a list)."""
        kinds = tuple(type(value) for value in values)
        for kind in kinds:
            if kind is not int and kind is not str:
                raise TypeError(f"{self.name}: baked values are int or str, not {kind.__name__}")
        key = (using, shape, kinds)
        plan = self._plans.get(key)
        if plan is None:
            with self._lock:
                plan = self._plans.get(key) or self._plan(using, shape, kinds)
                if len(self._plans) < MAX_PLANS:
                    self._plans[key] = plan
        if plan.empty:
            return []
        params = list(plan.params)
        for position, index, wrap in plan.slots:
            params[position] = values[index] if wrap is None else wrap(values[index])
        connection = connections[using]
        with _cursor(connection) as cursor:
            cursor.execute(plan.sql, params)
            rows: Sequence[Any] = cursor.fetchall()
        if plan.converters:
            rows = [self._convert(list(row), plan, connection) for row in rows]
        if plan.values_names is not None:
            names = plan.values_names
            return [dict(zip(names, row, strict=False)) for row in rows]
        return [self._instance(row, plan, using) for row in rows]

    def first(
        self, *values: int | str, shape: Hashable = (), using: str = DEFAULT_DB_ALIAS
    ) -> Any | None:
        """The first row, or None (slice the query set to ``[:1]`` in ``build``)."""
        rows = self.all(*values, shape=shape, using=using)
        return rows[0] if rows else None

    @staticmethod
    def _convert(row: list[Any], plan: _Plan, connection: Any) -> list[Any]:
        for position, converters, expression in plan.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        return row

    @staticmethod
    def _instance(row: Sequence[Any], plan: _Plan, using: str) -> Model:
        assert plan.model is not None
        fields = row[plan.model_start : plan.model_end]
        obj = plan.model.from_db(using, list(plan.init_list), fields)
        for populator in plan.populators:
            populator.populate(row, obj)
        for attribute, position in plan.annotations:
            setattr(obj, attribute, row[position])
        return obj

    # -- building -----------------------------------------------------------------

    def _compile(self, using: str, shape: Hashable, kinds: tuple[type, ...], round_: int) -> Any:
        placeholders = [_placeholder(kind, i, round_) for i, kind in enumerate(kinds)]
        queryset = self._build(shape, *placeholders)
        if not isinstance(queryset, QuerySet):
            raise TypeError(f"{self.name}: build() must return a query set")
        state: Any = queryset  # Django's own attributes, not in the type stubs
        if state._prefetch_related_lookups or state._known_related_objects:
            raise TypeError(f"{self.name}: prefetch_related cannot be baked")
        if queryset._iterable_class not in (ModelIterable, ValuesIterable):
            raise TypeError(f"{self.name}: only model instances and values() can be baked")
        compiler = queryset.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return queryset, compiler, None, (), placeholders
        if compiler.has_extra_select:
            raise TypeError(f"{self.name}: extra ordering columns cannot be baked")
        return queryset, compiler, sql, tuple(params), placeholders

    def _plan(self, using: str, shape: Hashable, kinds: tuple[type, ...]) -> _Plan:
        first = self._compile(using, shape, kinds, 0)
        second = self._compile(using, shape, kinds, 1)
        queryset, compiler, sql, params, placeholders = first
        _, _, sql_b, params_b, placeholders_b = second
        if sql != sql_b or len(params) != len(params_b):
            raise TypeError(f"{self.name}: the SQL depends on the values; give it a shape")
        if sql is None:
            return _Plan(True, "", (), (), (), None, None, (), 0, 0, (), ())
        # A value may not reach the SQL at all (an empty ``in`` the ORM left out): the
        # query set built with it would not use it either.
        slots = []
        for position, (a, b) in enumerate(zip(params, params_b, strict=True)):
            if a == b and type(a) is type(b):
                continue
            index = next(
                (
                    i
                    for i, (pa, pb) in enumerate(zip(placeholders, placeholders_b, strict=True))
                    if isinstance(a, type(pa)) and a == pa and isinstance(b, type(pb)) and b == pb
                ),
                None,
            )
            if index is None or type(a) is not type(b):
                raise TypeError(f"{self.name}: a value is changed before it reaches the SQL")
            # PostgreSQL's backend sends integers as a sized type (psycopg's Int8): so do we.
            wrap = None if type(a) is type(placeholders[index]) else type(a)
            slots.append((position, index, wrap))
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise TypeError(f"{self.name}: composite fields cannot be baked")
        converters = tuple(
            (position, tuple(convs), expression)
            for position, (convs, expression) in compiler.get_converters(fields).items()
        )
        query = queryset.query
        if queryset._iterable_class is ValuesIterable:
            # As Django's ValuesIterable names the columns.
            selected: Any = getattr(query, "selected", None)
            if selected:
                names = tuple(selected)
            else:
                names = (*query.extra_select, *query.values_select, *query.annotation_select)
            return _Plan(
                False, sql, params, tuple(slots), converters, tuple(names), None, (), 0, 0, (), ()
            )
        klass_info = compiler.klass_info
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return _Plan(
            empty=False,
            sql=sql,
            params=params,
            slots=tuple(slots),
            converters=converters,
            values_names=None,
            model=klass_info["model"],
            init_list=tuple(column[0].target.attname for column in compiler.select[start:end]),
            model_start=start,
            model_end=end,
            populators=tuple(get_related_populators(klass_info, compiler.select, using)),
            annotations=tuple(compiler.annotation_col_map.items()),
        )
