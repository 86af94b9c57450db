"""Reads of the cases module: permission-filtered lists (keyset-paginated) and the
pieces of a case page."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Max, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from django.utils import timezone

from loket.cases.constants import (
    DEADLINE_WARNING_DAYS,
    PAGE_SIZE,
    PERM_HANDLE,
    PERM_SOCIAL,
    PERM_VIEW,
    PERM_VIEW_ALL,
    RESIDENT_PAGE_SIZE,
    AdviceStatus,
    Channel,
    Confidentiality,
    PartyKind,
    Queue,
    WaitsFor,
)
from loket.cases.models import (
    AdviceRequest,
    Case,
    CaseData,
    CaseMessage,
    CaseType,
    InternalNote,
    TimelineEvent,
)
from loket.cases.types import CasePage, CaseRow, PartyRef, ResidentScope
from loket.core.selectors import BakedQuery, staff_department_ids, staff_has_permission

__all__ = [
    "advice_for_case",
    "assignable_staff_in",
    "case_data_latest",
    "case_get",
    "case_get_by_tracking_code",
    "case_get_by_tracking_hash",
    "case_messages",
    "case_notes",
    "case_page_for_client",
    "case_page_for_resident",
    "case_queue_page",
    "case_timeline",
    "case_type_choices",
    "case_type_get",
    "case_type_list",
    "party_for_request",
    "resident_scope_for",
]


# --- Case types --------------------------------------------------------------------


_CASE_TYPE_CHOICES: BakedQuery[Any] = BakedQuery(
    lambda shape: CaseType.objects.filter(is_active=True).order_by("name").values("slug", "name"),
    name="case type choices",
)


def case_type_choices() -> list[tuple[str, str]]:
    """(slug, name) of the active case types, by name: for a select list."""
    return [(row["slug"], row["name"]) for row in _CASE_TYPE_CHOICES.all()]


def case_type_list(*, anonymous: bool | None = None) -> QuerySet[CaseType]:
    types = CaseType.objects.filter(is_active=True).select_related("department")
    if anonymous is not None:
        types = types.filter(anonymous_allowed=anonymous)
    return types.order_by("name")


def case_type_get(*, slug: str) -> CaseType | None:
    return case_type_list().filter(slug=slug).first()


def case_type_for_request(*, slug: str) -> CaseType | None:
    """The case type behind ``/aanvragen/<slug>/``: by its catalogue service's slug,
    else by its own slug."""
    found: CaseType | None = _TYPE_BY_SERVICE_SLUG.first(slug) or _TYPE_BY_SLUG.first(slug)
    return found


# Every step of a request form starts here (ADR 0020).
_TYPE_BY_SERVICE_SLUG: BakedQuery[CaseType] = BakedQuery(
    lambda shape, slug: case_type_list().select_related("service").filter(service__slug=slug)[:1],
    name="case type by service slug",
)
_TYPE_BY_SLUG: BakedQuery[CaseType] = BakedQuery(
    lambda shape, slug: case_type_list().select_related("service").filter(slug=slug)[:1],
    name="case type by slug",
)


# --- Who is the portal visitor ----------------------------------------------------


def party_for_request(request: HttpRequest) -> PartyRef | None:
    """On whose behalf this portal request acts (the mandates module decides), else
    the logged-in resident themselves."""
    from loket.accounts import selectors as accounts

    acting = getattr(accounts, "acting_party", None)
    if acting is not None:
        party = acting(request)
        if party is not None:
            person_id = party.id if party.kind == PartyKind.PERSON else None
            if person_id is None:
                own = accounts.resident_account_get(user=request.user)  # type: ignore[arg-type]
                person_id = own.person_id if own else None
            return PartyRef(
                kind=party.kind,
                id=party.id,
                label=party.label,
                person_id=person_id,
                via=party.via,
                mandate_id=party.mandate_id,
                services=party.services,
            )
    if not request.user.is_authenticated:
        return None
    account = accounts.resident_account_get(user=request.user)
    if account is None:
        return None
    label = request.user.get_full_name() or request.user.get_username()
    return PartyRef(
        kind=PartyKind.PERSON, id=account.person_id, label=label, person_id=account.person_id
    )


def resident_scope_for(request: HttpRequest) -> ResidentScope:
    """The cases a logged-in resident may see: those they filed for themselves, and
    those of the party they may act for today (a mandate limited to some services:
    only those). A mandate revoked or expired meanwhile gives nothing any more."""
    from loket.accounts import selectors as accounts

    ids: dict[str, set[int]] = {}
    party = party_for_request(request)
    if party is not None and party.id is not None:
        ids.setdefault(party.kind, set()).add(party.id)
    if party is not None and party.person_id is not None and party.kind == PartyKind.PERSON:
        ids.setdefault(PartyKind.PERSON, set()).add(party.person_id)
    own_person_id = None
    if party is not None and party.via == "self" and party.kind == PartyKind.PERSON:
        own_person_id = party.id
    elif request.user.is_authenticated and not request.user.is_staff:
        account = accounts.resident_account_get(user=request.user)
        own_person_id = account.person_id if account is not None else None
    return ResidentScope(
        user_id=request.user.pk if request.user.is_authenticated else None,
        party_ids={kind: frozenset(values) for kind, values in ids.items()},
        own_person_id=own_person_id,
        services=tuple(party.services)
        if party is not None and party.services is not None
        else None,
    )


def _resident_filter(scope: ResidentScope) -> Q:
    condition = Q(pk__in=[])
    if scope.user_id is not None and scope.own_person_id is not None:
        # Filed for themselves: theirs, whoever they act for now.
        condition |= Q(
            initiator_id=scope.user_id,
            party_kind=PartyKind.PERSON,
            party_id=scope.own_person_id,
        )
    party = Q(pk__in=[])
    for kind, ids in scope.party_ids.items():
        if ids:
            party |= Q(party_kind=kind, party_id__in=ids)
            if kind == PartyKind.PERSON:
                party |= Q(party_kind=PartyKind.PERSON, person_id__in=ids)
    if scope.services is not None:
        services = list(scope.services)
        party &= Q(case_type__slug__in=services) | Q(case_type__service__slug__in=services)
    return condition | party


# --- Rows --------------------------------------------------------------------------


_ROW_FIELDS = (
    "pk", "reference", "title", "waiting_for", "party_label", "channel", "submitted_at",
    "deadline", "is_open", "case_type__name", "status__name", "status__public_name",
    "status__next_step", "department__name", "assignee__first_name", "assignee__last_name",
    "assignee__username", "case_type__slug", "status__key", "department_id",
    "confidentiality", "person_id", "updated_at", "payment_status",
)  # fmt: skip
# "Mijn dossiers" shows less: no department or handler (two joins fewer to build).
_RESIDENT_ROW_FIELDS = (
    "pk", "reference", "title", "waiting_for", "party_label", "channel", "submitted_at",
    "deadline", "is_open", "status__public_name", "status__next_step", "status__key",
    "person_id", "updated_at", "payment_status",
)  # fmt: skip


def _rows(rows: list[dict[str, Any]], today: date) -> tuple[CaseRow, ...]:
    warn = today + timedelta(days=DEADLINE_WARNING_DAYS)
    channels = dict(Channel.choices)
    items = []
    for row in rows:
        deadline, is_open = row["deadline"], row["is_open"]
        assignee = ""
        if row.get("assignee__username") is not None:
            full = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
            assignee = full or row["assignee__username"]
        items.append(
            CaseRow(
                id=row["pk"],
                reference=row["reference"],
                title=row["title"],
                type_name=row.get("case_type__name", ""),
                status_name=row.get("status__name", ""),
                public_status=row["status__public_name"],
                next_step=row["status__next_step"],
                waiting_for=row["waiting_for"],
                department=row.get("department__name", ""),
                assignee=assignee,
                party_label=row["party_label"],
                channel=str(channels.get(row["channel"], row["channel"])),
                submitted_at=row["submitted_at"],
                deadline=deadline,
                is_open=is_open,
                overdue=bool(is_open and deadline and deadline < today),
                deadline_near=bool(is_open and deadline and today <= deadline <= warn),
                case_type_slug=row.get("case_type__slug", ""),
                status_key=row["status__key"],
                department_id=row.get("department_id", None),
                confidentiality=row.get("confidentiality", ""),
                person_id=row["person_id"],
                updated_at=row["updated_at"],
                payment_status=row["payment_status"],
            )
        )
    return tuple(items)


def _cursor(after: str | None) -> int | None:
    if not after:
        return None
    try:
        return int(after)
    except ValueError as error:
        raise ValueError("not a cursor of this list") from error


def _page(
    cases: QuerySet[Case], *, after: str | None, limit: int, fields: tuple[str, ...] = _ROW_FIELDS
) -> CasePage:
    """Keyset pagination on the id, newest first (one query, plain rows: no model
    instances for a list)."""
    cursor = _cursor(after)
    if cursor is not None:
        cases = cases.filter(pk__lt=cursor)
    return _page_of(list(cases.order_by("-pk").values(*fields)[: limit + 1]), limit)


def _page_of(rows: list[dict[str, Any]], limit: int) -> CasePage:
    next_cursor = str(rows[limit - 1]["pk"]) if len(rows) > limit else None
    return CasePage(items=_rows(rows[:limit], timezone.localdate()), next_cursor=next_cursor)


def _resident_page_query(shape: Any, values: tuple[Any, ...]) -> QuerySet[Case]:
    scope_shape, paged, limit = shape
    cursor = values[-1] if paged else None
    scope = _scope_from_values(scope_shape, values[:-1] if paged else values)
    cases = Case.objects.filter(_resident_filter(scope))
    if paged:
        cases = cases.filter(pk__lt=cursor)
    return cases.order_by("-pk").values(*_RESIDENT_ROW_FIELDS)[: limit + 1]


# "Mijn dossiers" is the resident's most visited page: its SQL is built once per shape.
_RESIDENT_PAGE: BakedQuery[Any] = BakedQuery(
    lambda shape, *values: _resident_page_query(shape, values), name="Mijn dossiers"
)


def case_page_for_resident(
    *, scope: ResidentScope, after: str | None = None, limit: int = RESIDENT_PAGE_SIZE
) -> CasePage:
    """ "Mijn dossiers": newest first, keyset-paginated (one query per page)."""
    cursor = _cursor(after)
    scope_shape, values = _scope_values(scope)
    if cursor is not None:
        values.append(cursor)
    shape = (scope_shape, cursor is not None, limit)
    return _page_of(_RESIDENT_PAGE.all(*values, shape=shape), limit)


def case_page_for_client(
    *,
    levels: Iterable[str],
    person_id: int | None = None,
    status: str | None = None,
    case_type: str | None = None,
    department_id: int | None = None,
    updated_since: datetime | None = None,
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> CasePage:
    """Cases for a system outside the town hall (an API client): only those whose
    confidentiality is one of ``levels`` (the client's clearance), newest first,
    keyset-paginated on the id (one query per page). Raises ``ValueError`` for a bad
    cursor.

    Paging on the id keeps every case in its place while dossiers change meanwhile, so
    a client that copies changes with ``updated_since`` (the moment its previous run
    began) and pages until the end misses none. ``updated_since`` uses the
    ``cases_updated`` index, ``person_id`` the ``cases_person`` index."""
    cases = Case.objects.filter(confidentiality__in=list(levels))
    if person_id is not None:
        cases = cases.filter(person_id=person_id)
    if status:
        cases = cases.filter(status__key=status)
    if case_type:
        cases = cases.filter(case_type__slug=case_type)
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    if updated_since is not None:
        cases = cases.filter(updated_at__gte=updated_since)
    return _page(cases, after=after, limit=limit)


# The reference is unique: no ORDER BY as ``.first()`` would add.
_CASE_BY_REFERENCE: BakedQuery[Case] = BakedQuery(
    lambda shape, reference: Case.objects.select_related(
        "case_type", "status", "department", "assignee"
    ).filter(reference=reference)[:1],
    name="case by reference",
)


def case_get(*, reference: str) -> Case | None:
    case: Case | None = _CASE_BY_REFERENCE.first(reference)
    return case


def _scope_values(scope: ResidentScope) -> tuple[Any, list[int | str]]:
    """A resident scope as a shape (what the filter looks like) and its values, for the
    baked look-up below; ``_scope_from_values`` turns them back into a scope."""
    own = scope.user_id is not None and scope.own_person_id is not None
    values: list[int | str] = [scope.user_id, scope.own_person_id] if own else []  # type: ignore[list-item]
    kinds = []
    for kind in sorted(scope.party_ids):
        ids = sorted(scope.party_ids[kind])
        if ids:
            kinds.append((str(kind), len(ids)))
            values.extend(ids)
    services = None if scope.services is None else len(scope.services)
    values.extend(scope.services or ())
    return (own, tuple(kinds), services), values


def _scope_from_values(shape: Any, values: tuple[Any, ...]) -> ResidentScope:
    own, kinds, services = shape
    rest = list(values)
    user_id = own_person_id = None
    if own:
        user_id, own_person_id, rest = rest[0], rest[1], rest[2:]
    party_ids = {}
    for kind, count in kinds:
        party_ids[kind], rest = frozenset(rest[:count]), rest[count:]
    return ResidentScope(
        user_id=user_id,
        party_ids=party_ids,
        own_person_id=own_person_id,
        services=None if services is None else tuple(rest[:services]),
    )


# The case page's look-up runs on every view of a case: its SQL is built once (the
# same ``_resident_filter`` as the lists, per shape of scope).
_CASE_FOR_RESIDENT: BakedQuery[Case] = BakedQuery(
    lambda shape, reference, *scope: Case.objects.filter(
        _resident_filter(_scope_from_values(shape, scope)), reference=reference
    ).select_related("case_type", "status", "department")[:1],
    name="case for resident",
)


def case_get_for_resident(*, scope: ResidentScope, reference: str) -> Case | None:
    shape, values = _scope_values(scope)
    case: Case | None = _CASE_FOR_RESIDENT.first(reference, *values, shape=shape)
    return case


def case_get_by_tracking_code(*, code: str) -> Case | None:
    from loket.cases.services import tracking_code_hash

    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(cleaned) != 12:
        return None
    return (
        Case.objects.filter(tracking_code_hash=tracking_code_hash(cleaned))
        .select_related("case_type", "status", "department")
        .first()
    )


def case_get_by_tracking_hash(*, code_hash: str) -> Case | None:
    """The case a tracking code kept (as its hash) in the session points to."""
    if not code_hash:
        return None
    return (
        Case.objects.filter(tracking_code_hash=code_hash)
        .select_related("case_type", "status", "department")
        .first()
    )


_TIMELINE: BakedQuery[TimelineEvent] = BakedQuery(
    lambda public_only, case_id: (
        TimelineEvent.objects.filter(case_id=case_id, public=True)
        if public_only
        else TimelineEvent.objects.filter(case_id=case_id)
    ).order_by("at", "pk"),
    name="case timeline",
)
_MESSAGES: BakedQuery[CaseMessage] = BakedQuery(
    lambda shape, case_id: CaseMessage.objects.filter(case_id=case_id).order_by("at", "pk"),
    name="case messages",
)
_DATA_LATEST: BakedQuery[CaseData] = BakedQuery(
    lambda shape, case_id: CaseData.objects.filter(case_id=case_id).order_by("-version")[:1],
    name="case data, latest",
)


def case_timeline(*, case: Case, public_only: bool) -> list[TimelineEvent]:
    return _TIMELINE.all(case.pk, shape=public_only)


def case_messages(*, case: Case) -> list[CaseMessage]:
    return _MESSAGES.all(case.pk)


_NOTES: BakedQuery[InternalNote] = BakedQuery(
    lambda shape, case_id: InternalNote.objects.filter(case_id=case_id).order_by("at", "pk"),
    name="case notes",
)


def case_notes(*, case: Case) -> list[InternalNote]:
    return _NOTES.all(case.pk)


def case_data_latest(*, case: Case) -> CaseData | None:
    data: CaseData | None = _DATA_LATEST.first(case.pk)
    return data


def display_value(value: Any) -> str:
    """A submitted answer as text: addresses by their label, lists joined."""
    if isinstance(value, dict):
        return str(
            value.get("label")
            or value.get("name")
            or ", ".join(str(v) for v in value.values() if v)
        )
    if isinstance(value, list):
        return ", ".join(display_value(item) for item in value)
    if isinstance(value, bool):
        return "✓" if value else "–"
    return str(value)


def _labels(case: Case, form_version: str) -> list[tuple[str, str]]:
    """(key, label) of the form the data was submitted with, in the form's order."""
    if form_version.startswith("catalog:") and case.case_type.service_id is not None:
        from loket.catalog.selectors import form_definition_get_by_service_id

        try:
            version = int(form_version.rsplit(":", 1)[1])
        except ValueError:
            version = None
        definition = form_definition_get_by_service_id(
            service_id=case.case_type.service_id, version=version
        )
        if definition is not None:
            return [(f.key, f.label) for f in definition.fields()]
    return [
        (str(spec.get("name")), str(spec.get("label") or spec.get("name")))
        for spec in case.case_type.fields or ()
    ]


def case_data_labelled(*, case: Case) -> list[tuple[str, str]]:
    """The latest data with the form's labels, in the form's order; keys the form does
    not know (any more) come last, under their own name."""
    latest = case_data_latest(case=case)
    if latest is None:
        return []
    data: Mapping[str, Any] = latest.data
    rows = []
    seen = set()
    for key, label in _labels(case, latest.form_version):
        if key in data and data[key] not in ("", None, [], {}):
            rows.append((label, display_value(data[key])))
            seen.add(key)
    for key, value in data.items():
        if key not in seen and value not in ("", None, [], {}):
            rows.append((key, display_value(value)))
    return rows


_ADVICE: BakedQuery[AdviceRequest] = BakedQuery(
    lambda shape, case_id: (
        AdviceRequest.objects.filter(case_id=case_id)
        .select_related("department__organisation", "answered_by")
        .order_by("requested_at", "pk")
    ),
    name="advice of a case",
)


def advice_for_case(*, case: Case) -> list[AdviceRequest]:
    return _ADVICE.all(case.pk)


_ADVICE_DEPARTMENTS: BakedQuery[Any] = BakedQuery(
    lambda shape, case_id: AdviceRequest.objects.filter(case_id=case_id).values("department_id"),
    name="departments asked advice on a case",
)


def advice_department_ids_for_case(*, case: Case) -> set[int]:
    return {row["department_id"] for row in _ADVICE_DEPARTMENTS.all(case.pk)}


# --- Back-office queues ------------------------------------------------------------


_Layout = tuple[tuple[str, int | None], ...]


def _flatten(parts: Iterable[tuple[str, Any]]) -> tuple[_Layout, list[Any]]:
    """Named values as one list and its layout (a name, and how many values for a list;
    ``None`` for one value): the layout is part of a baked query's shape."""
    layout: list[tuple[str, int | None]] = []
    values: list[Any] = []
    for name, value in parts:
        if isinstance(value, (list, tuple, set, frozenset)):
            items = sorted(value)
            layout.append((name, len(items)))
            values.extend(items)
        else:
            layout.append((name, None))
            values.append(value)
    return tuple(layout), values


def _unflatten(layout: _Layout, values: tuple[Any, ...]) -> dict[str, Any]:
    named: dict[str, Any] = {}
    position = 0
    for name, count in layout:
        if count is None:
            named[name] = values[position]
            position += 1
        else:
            named[name] = list(values[position : position + count])
            position += count
    return named


def _staff_reach(user: Any) -> list[tuple[str, Any]]:
    """The departments that decide which cases ``user`` sees in the queues."""
    handled = staff_department_ids(user=user, permission=PERM_HANDLE)
    viewed = set(staff_department_ids(user=user, permission=PERM_VIEW)) | set(handled)
    reach: list[tuple[str, Any]] = [("handled", handled), ("viewed", viewed)]
    if not staff_has_permission(user=user, permission=PERM_VIEW_ALL):
        reach.append(("advice", handled))
    reach.append(("social", staff_department_ids(user=user, permission=PERM_SOCIAL)))
    return reach


def _queue_query(shape: Any, values: tuple[Any, ...]) -> QuerySet[Case]:
    """The query of a work queue page; ``shape`` says which parts it has, ``values``
    fill them (see ``case_queue_page``)."""
    layout, queue, today, search_kind, limit = shape
    v = _unflatten(layout, values)
    # Visible: every case (view_all), or those of the departments the user views or
    # handles, and those a department the user handles was asked advice on; social
    # cases only in the user's social departments.
    if "advice" in v:
        visible = Q(department_id__in=v["viewed"]) | Q(
            pk__in=AdviceRequest.objects.filter(department_id__in=v["advice"]).values("case_id")
        )
    else:
        visible = Q()
    social = ~Q(confidentiality=Confidentiality.SOCIAL) | Q(department_id__in=v["social"])
    cases = Case.objects.filter(visible & social)
    if queue == Queue.MINE:
        cases = cases.filter(assignee_id=v["user"], is_open=True)
    elif queue == Queue.UNASSIGNED:
        cases = cases.filter(assignee__isnull=True, is_open=True, department_id__in=v["handled"])
    elif queue == Queue.DEPARTMENTS:
        cases = cases.filter(is_open=True, department_id__in=v["viewed"])
    elif queue == Queue.OVERDUE:
        cases = cases.filter(is_open=True, deadline__lt=today)
    elif queue == Queue.WAITING:
        cases = cases.filter(is_open=True, waiting_for=WaitsFor.RESIDENT)
    elif queue == Queue.ADVICE:
        cases = cases.filter(
            pk__in=AdviceRequest.objects.filter(
                department_id__in=v["handled"], status=AdviceStatus.OPEN
            ).values("case_id")
        )
    if "case_type" in v:
        cases = cases.filter(case_type__slug=v["case_type"])
    if "status" in v:
        cases = cases.filter(status__key=v["status"])
    if "department" in v:
        cases = cases.filter(department_id=v["department"])
    if "channel" in v:
        cases = cases.filter(channel=v["channel"])
    if "deadline_before" in v:
        cases = cases.filter(deadline__lte=v["deadline_before"])
    if search_kind:
        cases = _search_filter(cases, search_kind, v)
    if "after" in v:
        cases = cases.filter(pk__lt=v["after"])
    return cases.order_by("-pk").values(*_ROW_FIELDS)[: limit + 1]


# The queues are the back office's busiest pages: their SQL is built once per shape
# (the queue, which filters, how many departments; the search's kind).
_QUEUE_PAGE: BakedQuery[Any] = BakedQuery(
    lambda shape, *values: _queue_query(shape, values), name="work queue"
)


def case_queue_page(
    *,
    user: Any,
    queue: str = Queue.DEPARTMENTS,
    filters: Mapping[str, Any] | None = None,
    search: str = "",
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> CasePage:
    """A work queue with filters and search, 50 a page, newest first. Raises
    ``ValueError`` for a bad cursor."""
    filters = filters or {}
    cursor = _cursor(after)
    parts = _staff_reach(user)
    today = timezone.localdate() if queue == Queue.OVERDUE else None
    if queue == Queue.MINE:
        parts.append(("user", user.pk))
    for name in ("case_type", "status", "department", "channel", "deadline_before"):
        if filters.get(name):
            parts.append((name, filters[name]))
    search_kind, search_parts = _search_parts(search.strip())
    if search_kind == "nothing":
        return CasePage(items=(), next_cursor=None)
    parts.extend(search_parts)
    if cursor is not None:
        parts.append(("after", cursor))
    layout, values = _flatten(parts)
    shape = (layout, queue, today, search_kind, limit)
    if search_kind != "substring" and all(type(value) in (int, str) for value in values):
        rows = _QUEUE_PAGE.all(*values, shape=shape)
    else:  # a date (the deadline filter), words in %…%: built as an ordinary query set
        rows = list(_queue_query(shape, tuple(values)))
    return _page_of(rows, limit)


# Without a full-text index (a SQLite built without FTS5) the search reads the text of
# the newest cases one by one: it looks at this many (by id) at most, so that a word
# found nowhere still answers fast at the scale of a city. A case reference is always
# found, however old.
FALLBACK_SEARCH_WINDOW = 200_000
_REFERENCE = re.compile(r"^\d{4}-\d{6}$")
_WORD = re.compile(r"\w+")
SQLITE_SEARCH_TABLE = "cases_case_fts"  # FTS5, made by migration 0006
_SQLITE_MATCH = "SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s"
_sqlite_search_table: dict[str, bool] = {}  # database name → the table exists


def _sqlite_has_search_table() -> bool:
    name = str(connection.settings_dict["NAME"])
    found = _sqlite_search_table.get(name)
    if found is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s",
                [SQLITE_SEARCH_TABLE],
            )
            found = cursor.fetchone() is not None
        _sqlite_search_table[name] = found
    return found


def _search_parts(text: str) -> tuple[str, list[tuple[str, Any]]]:
    """How a search is made, and its values: whole words in ``search_text``, all of
    them, or the exact reference. PostgreSQL full text (GIN index; web-search syntax:
    ``-word``, ``or``, quoted phrases), SQLite FTS5 (migration 0006; every word as a
    word); without FTS5 every word as a substring, within the newest
    ``FALLBACK_SEARCH_WINDOW`` cases. ``"nothing"``: no case can match."""
    if not text:
        return "", []
    if connection.vendor == "postgresql":
        return "fulltext", [("search", text)]
    if _REFERENCE.match(text):
        return "reference", [("search", text)]
    if connection.vendor == "sqlite" and _sqlite_has_search_table():
        words = _WORD.findall(text.lower())[:8]
        if not words:
            return "nothing", []
        # Every word quoted: FTS5 reads the text as words, never as its query syntax.
        return "fts5", [("match", " ".join(f'"{word}"' for word in words))]
    newest = Case.objects.aggregate(newest=Max("pk"))["newest"] or 0
    words = text.lower().split()[:8]
    # The words are parts of the layout (``word0``, ``word1``, …), one value each.
    return "substring", [
        ("oldest", newest - FALLBACK_SEARCH_WINDOW),
        *((f"word{i}", word) for i, word in enumerate(words)),
    ]


def _search_filter(cases: QuerySet[Case], kind: str, v: Mapping[str, Any]) -> QuerySet[Case]:
    if kind == "fulltext":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        return cases.annotate(search=SearchVector("search_text", config="simple")).filter(
            Q(search=SearchQuery(v["search"], config="simple", search_type="websearch"))
            | Q(reference=v["search"])
        )
    if kind == "reference":
        return cases.filter(reference=v["search"])
    if kind == "fts5":
        matches = RawSQL(_SQLITE_MATCH, [v["match"]])  # noqa: S611 - the words are a parameter
        return cases.filter(pk__in=matches)
    match = Q()
    for name in sorted(v):
        if name.startswith("word"):
            match &= Q(search_text__contains=v[name])
    return cases.filter(match, pk__gt=v["oldest"])


def _members_query(shape: int, *department_ids: int) -> QuerySet[Any]:
    from loket.core.services import User

    return (
        User.objects.filter(is_active=True, memberships__department_id__in=department_ids)
        .values("pk", "first_name", "last_name", "username", "memberships__role__permissions")
        .order_by("first_name", "last_name", "pk")
    )


# The active members of some departments with their roles' permissions (shape: how many
# departments).
_MEMBERS: BakedQuery[Any] = BakedQuery(_members_query, name="department members")


def assignable_staff_in(*, department_ids: Iterable[int]) -> list[tuple[int, str]]:
    """(id, name) of the colleagues who may handle cases in any of the departments, by
    name (one query): whom cases can be assigned to."""
    ids = sorted(set(department_ids))
    if not ids:
        return []
    seen: dict[int, str] = {}
    for row in _MEMBERS.all(*ids, shape=len(ids)):
        if PERM_HANDLE in (row["memberships__role__permissions"] or ()) and row["pk"] not in seen:
            seen[row["pk"]] = f"{row['first_name']} {row['last_name']}".strip() or row["username"]
    return list(seen.items())


def assignable_staff(*, case: Case) -> list[tuple[int, str]]:
    """(id, name) of the colleagues who may handle cases of the case's department (one
    query)."""
    return assignable_staff_in(department_ids=[case.department_id])
