"""The permission matrix: every back-office and portal URL, for every kind of user.

The test walks the URL resolver and collects every named URL except the admin, static
files, ``/healthz`` and ``/i18n/``. ``MATRIX`` below says for each URL name who may use
it. For every actor (anonymous, a logged-in resident, and a verified staff member of
each of the eleven system roles) the test asks the page:

- allowed: the request gets past the permission gate. For ``strict`` rows a GET answers
  200, or 302 to somewhere that is not a login page, or 405 when the URL only takes
  POST. Other rows accept any answer but a refusal (their pages need sample objects
  that the owning module's tests make; 404 is then fine);
- refused: 403 or 404, or a redirect to a login page (anonymous visitors, residents on
  the back office, staff on resident pages);
- state-changing URLs (``post=True``) are also POSTed by every refused actor: refused
  the same way, and no row of any table changed (a fingerprint of the whole database
  before and after).

A URL name missing from ``MATRIX`` fails the test: whoever adds a page adds its row.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from loket.accounts.staff.tests.helpers import log_in_staff
from loket.core.constants import SYSTEM_ROLE_PERMISSIONS, Permission, RoleSlug
from loket.core.models import Department
from loket.core.tests.factories import (
    DepartmentFactory,
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
)
from loket.people.tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
RESIDENT = "resident"
ROLES = tuple(RoleSlug.values)
ACTORS = (ANONYMOUS, RESIDENT, *ROLES)
LOGIN_PATHS = ("/backoffice/aanmelden/", "/aanmelden/")
SKIPPED_PREFIXES = ("admin/", "static/", "media/", "healthz", "i18n/", "__bench__", "__debug__")

EVERYONE = frozenset(ACTORS)
RESIDENTS = frozenset({RESIDENT})
NOT_RESIDENT = EVERYONE - RESIDENTS
ALL_STAFF = frozenset(ROLES)


def roles_with(*permissions: str) -> frozenset[str]:
    """The roles that hold every permission named, and the back office."""
    wanted = {Permission.BACKOFFICE, *permissions}
    return frozenset(
        slug for slug, granted in SYSTEM_ROLE_PERMISSIONS.items() if wanted <= set(granted)
    )


def roles_with_any(*permissions: str) -> frozenset[str]:
    """The roles that hold the back office and at least one of the permissions."""
    return frozenset(
        slug
        for slug, granted in SYSTEM_ROLE_PERMISSIONS.items()
        if Permission.BACKOFFICE in granted and set(permissions) & set(granted)
    )


BACKOFFICE = roles_with()
DOCUMENT_HANDLERS = roles_with(Permission.PEOPLE_VIEW) & roles_with_any(
    Permission.CASES_HANDLE, Permission.COUNTER_SERVE
)
DOCUMENT_EDITORS = roles_with_any(Permission.CATALOG_EDIT, Permission.CASES_CONFIGURE)
MAIL_ROOM = roles_with(Permission.NOTIFICATIONS_VIEW)
PAYMENTS_VIEWERS = roles_with(Permission.PAYMENTS_VIEW)
PAYMENTS_RECORDERS = roles_with(Permission.PAYMENTS_RECORD)
PAYMENTS_MANAGERS = roles_with(Permission.PAYMENTS_MANAGE)
PAYMENTS_ALL = roles_with(Permission.PAYMENTS_ALL_DEPARTMENTS)


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]
    post: bool = False  # state-changing: refused actors also POST, nothing may change
    strict: bool = True  # allowed actors must get 200 / 302 elsewhere / 405
    flow: bool = False  # a step of a login flow: allowed actors may be sent back to its start
    note: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)


# --- The matrix ------------------------------------------------------------------------
# Read a row as: who may use this URL. Everyone else is refused.

MATRIX: dict[str, Rule] = {
    # Payments in the back office.
    "payments_staff:orders": Rule(PAYMENTS_VIEWERS),
    "payments_staff:order": Rule(PAYMENTS_VIEWERS, strict=False, note="needs an order"),
    "payments_staff:order-counter": Rule(PAYMENTS_RECORDERS, post=True, strict=False),
    "payments_staff:order-link": Rule(PAYMENTS_RECORDERS, post=True, strict=False),
    "payments_staff:order-refund": Rule(PAYMENTS_MANAGERS, post=True, strict=False),
    "payments_staff:refund-done": Rule(PAYMENTS_MANAGERS, post=True, strict=False),
    "payments_staff:order-cancel": Rule(PAYMENTS_MANAGERS, post=True, strict=False),
    "payments_staff:statements": Rule(PAYMENTS_ALL, post=True),
    "payments_staff:unmatched": Rule(PAYMENTS_ALL),
    "payments_staff:transaction-assign": Rule(PAYMENTS_ALL, post=True, strict=False),
    "payments_staff:transaction-ignore": Rule(PAYMENTS_ALL, post=True, strict=False),
    "payments_staff:report": Rule(PAYMENTS_VIEWERS),
    "payments_staff:export": Rule(PAYMENTS_ALL),
    # Public pages and the resident login.
    "portal:home": Rule(EVERYONE),
    "accounts:login": Rule(EVERYONE, note="resident login page"),
    "accounts:start": Rule(EVERYONE, strict=False, note="starts the OIDC login (POST)"),
    "accounts:callback": Rule(EVERYONE, strict=False, note="OIDC callback: needs a state"),
    "accounts:logout": Rule(EVERYONE, strict=False, note="logging out is never refused"),
    "accounts:logout_everywhere": Rule(RESIDENTS, strict=False, note="POST only"),
    "accounts:logged_out": Rule(EVERYONE),
    "catalog:index": Rule(EVERYONE),
    "catalog:jsonld": Rule(EVERYONE),
    "catalog:life-event": Rule(EVERYONE, strict=False, note="needs a life event"),
    "catalog:service": Rule(EVERYONE),
    "catalog:service-jsonld": Rule(EVERYONE),
    "cases:report": Rule(EVERYONE, strict=False, note="404 without a report case type"),
    "cases:report_done": Rule(EVERYONE),
    "cases:track": Rule(EVERYONE, note="follow a report by its code"),
    "cases:track_case": Rule(EVERYONE, strict=False, note="the code is the secret"),
    "cases:track_action": Rule(EVERYONE, strict=False, note="the code is the secret"),
    "cases:tracked": Rule(EVERYONE, strict=False, note="the code typed on /volg/, in the session"),
    "cases:tracked_action": Rule(
        EVERYONE, strict=False, note="the code typed on /volg/, in the session"
    ),
    "notifications_callbacks:sms-status": Rule(
        EVERYONE, strict=False, note="gateway callback, authenticated by its signature"
    ),
    # The resident's own pages.
    "accounts:my_details": Rule(RESIDENTS),
    "accounts:access_log": Rule(RESIDENTS),
    "accounts:on_behalf_of_me": Rule(RESIDENTS),
    "accounts:done_for_others": Rule(RESIDENTS),
    "accounts:acting": Rule(RESIDENTS, post=True),
    "accounts:acting_back": Rule(RESIDENTS, post=True, strict=False),
    "accounts:mandates": Rule(RESIDENTS, post=True),
    "accounts:mandate_revoke": Rule(RESIDENTS, post=True, strict=False, note="needs a mandate"),
    "inbox:inbox": Rule(RESIDENTS),
    "inbox:message": Rule(RESIDENTS, strict=False, note="needs a message of the resident"),
    "inbox:preferences": Rule(RESIDENTS, post=True),
    "inbox:contact": Rule(RESIDENTS, post=True),
    "inbox:contact-verify": Rule(RESIDENTS, post=True, strict=False, note="needs a contact"),
    "inbox:contact-resend": Rule(RESIDENTS, post=True, strict=False, note="needs a contact"),
    "inbox:contact-remove": Rule(RESIDENTS, post=True, strict=False, note="needs a contact"),
    "cases:list": Rule(RESIDENTS),
    "cases:detail": Rule(RESIDENTS),
    "cases:action": Rule(RESIDENTS, post=True, strict=False, note="needs a case"),
    "cases:submitted": Rule(RESIDENTS, strict=False, note="needs a case"),
    "cases:request": Rule(RESIDENTS, post=True, strict=False, note="needs a service"),
    # Staff login steps: open to all but a resident in a resident session (the staff
    # area refuses those with 403); a step out of order sends back to the first step.
    "backoffice:login": Rule(NOT_RESIDENT, flow=True, note="login page"),
    "backoffice:logout": Rule(NOT_RESIDENT, flow=True),
    "staff_login:verify": Rule(NOT_RESIDENT, flow=True, note="second login step"),
    "staff_login:enrol": Rule(NOT_RESIDENT, flow=True, note="second login step"),
    "staff_login:passkey_login_options": Rule(NOT_RESIDENT, flow=True),
    "staff_login:passkey_login": Rule(NOT_RESIDENT, flow=True),
    "staff_login:sso_start": Rule(NOT_RESIDENT, flow=True),
    "staff_login:sso_callback": Rule(NOT_RESIDENT, flow=True),
    "staff_login:logout": Rule(NOT_RESIDENT, flow=True),
    "staff_login:security": Rule(ALL_STAFF),
    "staff_login:recovery_codes": Rule(ALL_STAFF),
    "staff_login:recovery_renew": Rule(ALL_STAFF, post=True, strict=False),
    "staff_login:factor_remove": Rule(ALL_STAFF, post=True, strict=False),
    "staff_login:passkey_register_options": Rule(ALL_STAFF),
    "staff_login:passkey_register": Rule(ALL_STAFF, post=True, strict=False),
    # The back office.
    "backoffice:home": Rule(BACKOFFICE),
    "backoffice:residents": Rule(roles_with(Permission.PEOPLE_VIEW)),
    "backoffice:resident": Rule(roles_with(Permission.PEOPLE_VIEW), post=True),
    "backoffice:staff": Rule(roles_with(Permission.STAFF_MANAGE)),
    "backoffice:staff-detail": Rule(roles_with(Permission.STAFF_MANAGE)),
    "backoffice:staff-membership-add": Rule(roles_with(Permission.STAFF_MANAGE), post=True),
    "backoffice:staff-membership-remove": Rule(roles_with(Permission.STAFF_MANAGE), post=True),
    "backoffice:roles": Rule(roles_with(Permission.STAFF_MANAGE)),
    "notifications:overview": Rule(roles_with(Permission.NOTIFICATIONS_VIEW)),
    "notifications:failures": Rule(roles_with(Permission.NOTIFICATIONS_VIEW)),
    "notifications:templates": Rule(roles_with(Permission.NOTIFICATIONS_VIEW)),
    "notifications:template-preview": Rule(roles_with(Permission.NOTIFICATIONS_VIEW)),
    "notifications:demo-sinks": Rule(
        roles_with(Permission.NOTIFICATIONS_VIEW), strict=False, note="404 outside the demo"
    ),
    "notifications:fanout-start": Rule(roles_with(Permission.NOTIFICATIONS_BULK), post=True),
    "notifications:fanout-action": Rule(
        roles_with(Permission.NOTIFICATIONS_BULK), post=True, strict=False, note="needs a fan-out"
    ),
    "counter:home": Rule(roles_with(Permission.COUNTER_SERVE)),
    "counter:check": Rule(roles_with(Permission.COUNTER_SERVE), post=True),
    "counter:visit": Rule(roles_with(Permission.COUNTER_SERVE), note="needs an open counter visit"),
    "counter:end": Rule(roles_with(Permission.COUNTER_SERVE), post=True, strict=False),
    "catalog_staff:list": Rule(roles_with(Permission.CATALOG_EDIT)),
    "catalog_staff:create": Rule(roles_with(Permission.CATALOG_EDIT), post=True),
    "catalog_staff:import": Rule(roles_with(Permission.CATALOG_EDIT), post=True),
    "catalog_staff:edit": Rule(roles_with(Permission.CATALOG_EDIT), post=True),
    "catalog_staff:form": Rule(roles_with(Permission.CATALOG_EDIT)),
    "catalog_staff:form-action": Rule(roles_with(Permission.CATALOG_EDIT), post=True, strict=False),
    "catalog_staff:preview": Rule(roles_with(Permission.CATALOG_EDIT)),
    "catalog_staff:step-add": Rule(roles_with(Permission.CATALOG_EDIT), post=True),
    "catalog_staff:step-edit": Rule(roles_with(Permission.CATALOG_EDIT), post=True, strict=False),
    "catalog_staff:field-add": Rule(roles_with(Permission.CATALOG_EDIT), post=True, strict=False),
    "catalog_staff:field-edit": Rule(roles_with(Permission.CATALOG_EDIT), post=True, strict=False),
    # Dossiers: the queue is for whoever sees, handles or reads dossiers, or files them
    # at the counter; what is in it is filtered per department by the cases module.
    "cases_staff:queue": Rule(
        roles_with_any(
            Permission.CASES_VIEW,
            Permission.CASES_HANDLE,
            Permission.CASES_VIEW_ALL,
            Permission.COUNTER_SERVE,
        )
    ),
    "cases_staff:bulk_assign": Rule(
        roles_with_any(
            Permission.CASES_VIEW,
            Permission.CASES_HANDLE,
            Permission.CASES_VIEW_ALL,
            Permission.COUNTER_SERVE,
        ),
        post=True,
        strict=False,
        note="gate: the queue's; assigning itself needs cases.assign (cases tests)",
    ),
    "cases_staff:file": Rule(
        roles_with_any(Permission.CASES_HANDLE, Permission.COUNTER_SERVE),
        post=True,
        strict=False,
    ),
    "cases_staff:advice_answer": Rule(
        roles_with_any(
            Permission.CASES_VIEW,
            Permission.CASES_HANDLE,
            Permission.CASES_VIEW_ALL,
            Permission.COUNTER_SERVE,
        ),
        post=True,
        strict=False,
        note="needs an advice request",
    ),
    "cases_staff:detail": Rule(
        roles_with_any(Permission.CASES_VIEW, Permission.CASES_VIEW_ALL),
        note="a dossier of Burgerzaken: its departments' staff and the council/college",
    ),
    "cases_staff:action": Rule(
        roles_with_any(
            Permission.CASES_VIEW,
            Permission.CASES_HANDLE,
            Permission.CASES_VIEW_ALL,
            Permission.COUNTER_SERVE,
        ),
        post=True,
        strict=False,
        note="needs a case",
    ),
    # Official documents: handlers and counter clerks issue them (people.view and
    # cases.handle or counter.serve), template editors edit templates, the mail room
    # (notifications.view) prints the batches; residents see their own.
    "documents:mine": Rule(RESIDENTS),
    "documents:request": Rule(RESIDENTS, post=True),
    "documents:download": Rule(RESIDENTS, strict=False, note="needs a document"),
    "documents:verify": Rule(EVERYONE, note="anyone may check a document"),
    "documents:verify-code": Rule(EVERYONE, strict=False, note="unknown code: not found"),
    # Payments, the resident's side (ADR 0017).
    "payments:mine": Rule(RESIDENTS),
    "payments:order": Rule(RESIDENTS, strict=False, note="needs an order of the resident"),
    "payments:order_pay": Rule(RESIDENTS, post=True, strict=False, note="needs an order"),
    "payments:receipt": Rule(RESIDENTS, strict=False, note="needs a paid order"),
    "payments:return": Rule(EVERYONE, strict=False, note="needs a payment; shows its state"),
    "payments:link": Rule(EVERYONE, strict=False, note="the token is the secret"),
    "payments:link_pay": Rule(EVERYONE, strict=False, note="the token is the secret (POST)"),
    "payments:webhook": Rule(
        EVERYONE, strict=False, note="provider's call, authenticated by its signature"
    ),
    "documents_staff:index": Rule(DOCUMENT_HANDLERS | DOCUMENT_EDITORS | MAIL_ROOM),
    "documents_staff:issue": Rule(DOCUMENT_HANDLERS, post=True),
    "documents_staff:detail": Rule(DOCUMENT_HANDLERS, strict=False, note="needs a document"),
    "documents_staff:download": Rule(DOCUMENT_HANDLERS, strict=False, note="needs a document"),
    "documents_staff:revoke": Rule(DOCUMENT_HANDLERS, post=True, strict=False),
    "documents_staff:reissue": Rule(DOCUMENT_HANDLERS, post=True, strict=False),
    "documents_staff:templates": Rule(DOCUMENT_EDITORS),
    "documents_staff:template-edit": Rule(DOCUMENT_EDITORS, post=True, strict=False),
    "documents_staff:template-preview": Rule(DOCUMENT_EDITORS, strict=False),
    "documents_staff:batches": Rule(MAIL_ROOM, post=True),
    "documents_staff:batch": Rule(MAIL_ROOM, strict=False, note="needs a print batch"),
    "documents_staff:batch-pdf": Rule(MAIL_ROOM, strict=False, note="needs a print batch"),
    "documents_staff:batch-mark": Rule(MAIL_ROOM, post=True, strict=False),
    # API clients and webhooks: administrators (staff.manage).
    "api_staff:clients": Rule(roles_with(Permission.STAFF_MANAGE), post=True),
    "api_staff:client-detail": Rule(roles_with(Permission.STAFF_MANAGE), strict=False),
    "api_staff:client-new-secret": Rule(
        roles_with(Permission.STAFF_MANAGE), post=True, strict=False
    ),
    "api_staff:client-revoke": Rule(roles_with(Permission.STAFF_MANAGE), post=True, strict=False),
    "api_staff:subscriptions": Rule(roles_with(Permission.STAFF_MANAGE), post=True),
    "api_staff:subscription-deactivate": Rule(
        roles_with(Permission.STAFF_MANAGE), post=True, strict=False
    ),
    "api_staff:deliveries": Rule(roles_with(Permission.STAFF_MANAGE)),
    "api_staff:delivery-resend": Rule(roles_with(Permission.STAFF_MANAGE), post=True, strict=False),
}

# The REST API authenticates clients with OAuth tokens, not sessions: its own tests
# (api/tests) cover who may call what. The matrix only checks that a browser session
# never opens it (no token: refused or public).
API_PUBLIC = {"api:token", "api:schema", "api:docs", "api:organisation-list",
              "api:organisation-detail", "api:department-list", "api:department-detail",
              "api:service-list", "api:service-detail", "api:not-found",
              "api:document-verification"}  # fmt: skip
for _name in API_PUBLIC:
    MATRIX.setdefault(_name, Rule(EVERYONE, strict=False, note="public API (token-less)"))
for _name in ("api:person-list", "api:person-lookup", "api:person-detail", "api:case-list",
              "api:case-detail",
              "api:case-documents", "api:case-document-pdf", "api:case-orders",
              "api:person-cases", "api:person-documents", "api:person-orders",
              "api:document-detail", "api:document-pdf", "api:order-detail"):  # fmt: skip
    MATRIX.setdefault(_name, Rule(frozenset(), note="needs an API token with its scopes"))
MATRIX.setdefault(
    "api:order-payment-link", Rule(frozenset(), post=True, note="needs payments:write")
)


# --- Walking the resolver ---------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    path: str  # with <converter:kwarg> placeholders


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            if route.startswith(SKIPPED_PREFIXES):
                continue
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Route(name, route)


def all_routes() -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns):
        routes.setdefault(route.name, route)
    return routes


ROUTES = all_routes()


def test_every_url_is_in_the_matrix():
    missing = sorted(set(ROUTES) - set(MATRIX))
    assert not missing, "Add these URL names to MATRIX in this test: " + ", ".join(missing)


def test_the_matrix_names_only_urls_that_exist():
    gone = sorted(set(MATRIX) - set(ROUTES))
    assert not gone, "These URL names no longer exist; remove them from MATRIX: " + ", ".join(gone)


# --- The world the requests run in --------------------------------------------------------


@dataclass
class World:
    clients: dict[str, Client]
    samples: dict[str, Any]


def _resident_client(person: Any) -> Client:
    from loket.accounts.tests.acting_helpers import log_in_resident

    client = Client()
    log_in_resident(client, person)
    return client


def _staff_client(role: str, department: Any) -> tuple[Client, Any]:
    user = StaffFactory(username=f"matrix-{role}", password="!")
    MembershipFactory(user=user, department=department, role=role)
    client = Client()
    log_in_staff(client, user)
    return client, user


@pytest.fixture
def world(settings: Any) -> World:
    settings.LANGUAGE_CODE = "en"
    department = _sample_department()
    household = HouseholdFactory()
    resident = PersonFactory(first_name="Sarah", last_name="Peeters", household=household)
    other = PersonFactory(first_name="Jan", last_name="Peeters", household=household)
    clients = {ANONYMOUS: Client(), RESIDENT: _resident_client(resident)}
    for role in ROLES:
        clients[role], _user = _staff_client(role, department)
    colleague = MembershipFactory(department=department, role=RoleSlug.HANDLER)
    service = _sample_service(department)
    reference = _sample_case(resident)
    samples: dict[str, Any] = {
        "person_id": other.pk,
        "user_id": colleague.user_id,
        "membership_id": colleague.pk,
        "action": "pauzeren",
        "slug": service.slug if service else "onbekend",
        "service_id": service.pk if service else 999999,
        "template_id": _first_pk("notifications.MessageTemplate"),
        "reference": reference,
        "code": "onbekend",
        "step_key": "stap",
        "field_key": "vraag",
    }
    return World(clients=clients, samples=samples)


_PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _sample_department() -> Any:
    """Burgerzaken with the demo case types (made by the cases module), else a plain one."""
    OrganisationFactory(is_primary=True)
    try:
        from loket.cases.services import case_types_seed_demo
    except ImportError:
        return DepartmentFactory(name="Burgerzaken", slug="burgerzaken")
    case_types_seed_demo()
    return Department.objects.get(slug="burgerzaken")


def _sample_case(person: Any) -> str:
    """A dossier of Burgerzaken for the resident, as the cases tests file one."""
    try:
        from loket.cases.constants import PartyKind
        from loket.cases.services import case_submit
        from loket.cases.types import PartyRef

        result = case_submit(
            actor=None,
            case_type_slug="gezinssamenstelling",
            data={"doel": "x"},
            party=PartyRef(
                kind=PartyKind.PERSON, id=person.pk, label=str(person), person_id=person.pk
            ),
        )
    except Exception:  # the cases module changed: its own tests say how
        return "ONBEKEND-1"
    return str(apps.get_model("cases", "Case").objects.get(pk=result.case_id).reference)


def _sample_service(department: Any) -> Any:
    """A published service of the catalogue, made the way the catalogue's tests make it."""
    try:
        from loket.catalog.tests.conftest import make_service
    except ImportError:
        return None
    return make_service(department, slug="matrix-dienst")


def _first_pk(model: str) -> int:
    first = apps.get_model(model)._base_manager.order_by("pk").first()
    return first.pk if first is not None else 999999


def _url(route: Route, samples: dict[str, Any], rule: Rule) -> str:
    """The route with sample values: the rule's own, the world's, or a missing id."""

    def value(match: re.Match[str]) -> str:
        converter, kwarg = match.group(1) or "str", match.group(2)
        fallback = 999999 if converter == "int" else "x"
        return str(rule.kwargs.get(kwarg, samples.get(kwarg, fallback)))

    path = _PLACEHOLDER.sub(value, route.path)
    return "/" + path.lstrip("^").rstrip("$")


# --- Fingerprint of the whole database ------------------------------------------------------

VOLATILE_MODELS = {"sessions.session"}


def database_fingerprint() -> str:
    digest = hashlib.sha256()
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in VOLATILE_MODELS or model._meta.proxy or not model._meta.managed:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
        for row in model._base_manager.order_by("pk").values_list(*fields):
            digest.update(label.encode())
            digest.update(repr(row).encode())
    return digest.hexdigest()


# --- The checks ------------------------------------------------------------------------


def _is_login_redirect(response: Any) -> bool:
    if response.status_code not in (301, 302, 303):
        return False
    location = response.get("Location", "")
    return any(location.startswith(path) or f"{path}?" in location for path in LOGIN_PATHS)


def _refused(response: Any, *, method: str) -> bool:
    """403/404, a login page, 401 from the token-only API; for a GET on a URL that only
    takes POST also 405 (the POST is checked separately)."""
    codes = {401, 403, 404} | ({405} if method == "GET" else set())
    return response.status_code in codes or _is_login_redirect(response)


def _passes_gate(response: Any, rule: Rule) -> bool:
    if response.status_code >= 500:
        return False
    if rule.flow:
        return True
    if response.status_code == 403 or _is_login_redirect(response):
        return False
    if not rule.strict:
        return True
    return response.status_code in (200, 405) or response.status_code in (301, 302, 303)


# Rows whose URL does not yet behave as the matrix says; each is reported to its
# module's owner. ``test_known_gaps`` fails once a gap is closed: then drop it here.
KNOWN_GAPS: dict[str, str] = {}


def _check_all(world: World, names: list[str]) -> list[str]:
    problems: list[str] = []
    for name in names:
        route = ROUTES.get(name)
        if route is not None:
            problems += _check(name, route, MATRIX[name], world)
    return problems


def test_permission_matrix(world: World) -> None:
    """One pass over every URL (the world is built once); all problems reported."""
    problems = _check_all(world, sorted(set(MATRIX) - set(KNOWN_GAPS)))
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


@pytest.mark.xfail(strict=True, reason="known gaps, reported to their owners")
def test_known_gaps(world: World) -> None:
    if not KNOWN_GAPS:
        pytest.xfail("no known gaps")
    problems = _check_all(world, sorted(KNOWN_GAPS))
    assert not problems, "\n".join(problems)


def _check(name: str, route: Route, rule: Rule, world: World) -> list[str]:
    url = _url(route, world.samples, rule)
    problems: list[str] = []
    for actor in ACTORS:
        response = world.clients[actor].get(url)
        if actor in rule.allowed:
            if not _passes_gate(response, rule):
                problems.append(f"{name} {actor}: GET {url} should pass, got {_show(response)}")
        elif not _refused(response, method="GET"):
            problems.append(f"{name} {actor}: GET {url} should be refused, got {_show(response)}")
    if rule.post:
        before = database_fingerprint()
        for actor in ACTORS:
            if actor in rule.allowed:
                continue
            response = world.clients[actor].post(url, {})
            if not _refused(response, method="POST"):
                problems.append(
                    f"{name} {actor}: POST {url} should be refused, got {_show(response)}"
                )
        if database_fingerprint() != before:
            problems.append(f"{name}: a refused POST to {url} changed the database")
    return problems


def _show(response: Any) -> str:
    location = response.get("Location", "")
    return f"{response.status_code}{' → ' + location if location else ''}"


def test_the_world_has_real_samples(world: World) -> None:
    """The strict rows need real objects: a dossier, a service, a message template."""
    assert world.samples["reference"] != "ONBEKEND-1"
    assert world.samples["service_id"] != 999999
    assert world.samples["template_id"] != 999999
