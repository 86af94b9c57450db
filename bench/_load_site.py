"""The load test's site: a dataset, resident and staff sessions made in its database.

Nobody logs in through a back door: the sessions are rows of the bench site's own
session table, made by a script run with that site's settings (as an operator with
shell access to that database could), holding what the real logins leave in a session
(the resident login's level and timestamps; the staff login's verified second factor).
"""

from __future__ import annotations

from typing import Any

from ._common import Site

# Run inside the bench site (``Site.python``): accounts for residents who have cases
# (filing a few for them when the dataset has none), sessions for them and for staff,
# and the references each may open. Idempotent: a reused site is prepared again cheaply.
PREPARE = """
import time
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.db.models import Count
from loket.accounts.constants import SESSION_LOGIN
from loket.accounts.models import ResidentAccount
from loket.accounts.staff.constants import AUTH_KIND_STAFF, SESSION_AUTH_KIND, SESSION_STAFF_FACTOR
from loket.cases import services as case_services
from loket.cases.models import Case
from loket.cases.types import PartyRef
from loket.core.models import DepartmentMembership, User
from loket.people.models import Person

RESIDENTS, STAFF, CASES_EACH = {residents}, {staff_names!r}, {cases_each}
FILED_TYPE, FILED_DATA = {filed_type!r}, {filed_data!r}
backend = settings.AUTHENTICATION_BACKENDS[0]
now = time.time()

def session_for(user, extra):
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.update(extra)
    store.create()
    return store.session_key

# Residents: those with the most cases (a realistic "Mijn dossiers"), else anyone.
busiest = list(
    Case.objects.filter(person_id__isnull=False).values("person_id")
    .annotate(n=Count("id")).order_by("-n").values_list("person_id", flat=True)[:RESIDENTS]
) if Case.objects.exists() else []
person_ids = busiest or list(
    Person.objects.order_by("pk").values_list("pk", flat=True)[:RESIDENTS]
)
people = {{p.pk: p for p in Person.objects.filter(pk__in=person_ids)}}
login = {{
    "dialect": "fas", "level": 450, "acr": "", "sid": "", "started_at": now, "last_seen": now,
}}
residents = []
filed = 0
for person_id in person_ids:
    person = people[person_id]
    account = ResidentAccount.objects.filter(person_id=person_id).select_related("user").first()
    if account is None:
        with transaction.atomic():
            user = User.objects.create(
                username=f"bench-resident-{{person_id}}", first_name=person.first_name,
                last_name=person.last_name,
            )
            account = ResidentAccount.objects.create(
                user=user, person_id=person_id, national_number_digest=f"bench-{{person_id}}",
                dialect="fas",
            )
    user = account.user
    references = list(
        Case.objects.filter(person_id=person_id).order_by("-pk")
        .values_list("reference", flat=True)[:20]
    )
    party = PartyRef(kind="person", id=person_id, label=user.get_full_name(), person_id=person_id)
    while len(references) < CASES_EACH:
        result = case_services.case_submit(
            actor=user, case_type_slug=FILED_TYPE, data=FILED_DATA, party=party,
        )
        references.append(result.reference)
        filed += 1
    session_key = session_for(user, {{SESSION_LOGIN: login}})
    residents.append({{"session": session_key, "cases": references}})

staff = []
for username in STAFF:
    user = User.objects.filter(username=username).first()
    if user is None:
        continue
    departments = list(
        DepartmentMembership.objects.filter(user=user).values_list("department_id", flat=True)
    )
    references = list(
        Case.objects.filter(department_id__in=departments).order_by("-pk")
        .values_list("reference", flat=True)[:200]
    )
    if not references:
        continue
    extra = {{SESSION_AUTH_KIND: AUTH_KIND_STAFF, SESSION_STAFF_FACTOR: "totp"}}
    for _ in range(8):
        staff.append({{"session": session_for(user, extra), "cases": references, "who": username}})

result = {{
    "residents": residents, "staff": staff, "filed": filed,
    "cases_total": Case.objects.count(), "persons_total": Person.objects.count(),
}}
"""

# Demo staff who handle dossiers (case handler, head, coordinator at Burgerzaken).
STAFF_USERNAMES = ("baliemedewerker", "diensthoofd", "coordinator")
# What a resident files when the dataset has no cases for them (the demo's family
# composition request, with the answer its catalogue form asks).
FILED_TYPE = "gezinssamenstelling"
FILED_DATA = {"doel": "school"}


def seed_supports_cases(site: Site) -> bool:
    """Whether this Loket's `loket seed` can make cases (`--cases N`)."""
    return "--cases" in site.loket("seed", "--help")


def prepare(site: Site, *, residents: int, cases_each: int = 3) -> dict[str, Any]:
    """Accounts and sessions for ``residents`` residents and the demo staff; returns
    their session keys and the case references each may open."""
    code = PREPARE.format(
        residents=residents,
        staff_names=STAFF_USERNAMES,
        cases_each=cases_each,
        filed_type=FILED_TYPE,
        filed_data=FILED_DATA,
    )
    return dict(site.python(code, timeout=1800))
