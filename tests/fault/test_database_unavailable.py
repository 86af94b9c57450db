"""The database goes away while residents use Loket.

The visitor gets a clear "try again in a moment" page (503 with Retry-After, never a
500), nothing is half-written, and what they submitted comes back in a form that sends
it again once the database is back.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from loket.accounts.constants import SESSION_LOGIN
from loket.accounts.models import ResidentAccount
from loket.cases import services as case_services
from loket.cases.models import Case
from loket.cases.services import case_types_seed_demo
from loket.core.middleware import RETRY_AFTER_SECONDS
from loket.core.tests.factories import OrganisationFactory, UserFactory
from loket.people.tests.factories import AddressFactory, PersonFactory

from .conftest import RESIDENT_SESSION, TcpProxy, fetch, form_fields, serve, sqlite_file_gone

FORM = "/aanvragen/gezinssamenstelling/"


def _assert_try_again_page(status: int, headers: dict[str, str], page: str) -> None:
    assert status == 503
    assert headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert headers["cache-control"] == "no-store"
    assert "content-security-policy" in headers
    assert '<html lang="nl' in page
    assert "De dienst is even niet beschikbaar" in page  # the resident asked for Dutch


@pytest.mark.slow
def test_sqlite_file_gone_during_a_submission_keeps_the_input_and_writes_nothing(
    fault_site: Any,
) -> None:
    session_key = fault_site.python(RESIDENT_SESSION)
    base = serve(fault_site)
    cookies = {"sessionid": session_key, "django_language": "nl"}

    # The resident fills in the catalogue's form up to the summary.
    status, _, page = fetch(base, "GET", FORM, cookies)
    assert status == 200
    step = dict(form_fields(page))
    step["f-doel"] = "school"
    status, headers, _ = fetch(base, "POST", FORM, cookies, step)
    assert status == 302
    status, _, summary = fetch(base, "GET", headers["location"], cookies)
    assert status == 200
    token = dict(form_fields(summary))["csrfmiddlewaretoken"]

    with sqlite_file_gone(fault_site.db_path):
        status, headers, page = fetch(
            base, "POST", FORM, cookies, {"csrfmiddlewaretoken": token, "actie": "indienen"}
        )
        _assert_try_again_page(status, headers, page)
        kept = form_fields(page)
        assert ("actie", "indienen") in kept
        assert ("csrfmiddlewaretoken", token) in kept
        assert f'action="{FORM}"' in page
        # Any page, not only forms: a GET gets the same answer and a link to retry.
        status, headers, page = fetch(base, "GET", "/mijn-dossiers/", cookies)
        _assert_try_again_page(status, headers, page)
        assert 'href="/mijn-dossiers/"' in page
        # An API client gets problem+json with the same status and Retry-After.
        status, headers, body = fetch(
            base, "GET", "/api/v1/services/", {}, headers={"Authorization": "Bearer x"}
        )
        assert status == 503
        assert headers["retry-after"] == str(RETRY_AFTER_SECONDS)
        assert headers["content-type"] == "application/problem+json"
        assert json.loads(body)["status"] == 503

    assert fault_site.sql("SELECT count(*) FROM cases_case") == [(0,)]
    # The database is back: "Try again" sends what was kept, and the request is filed once.
    status, headers, _ = fetch(base, "POST", FORM, cookies, kept)
    assert status == 302
    assert headers["location"].startswith("/aanvragen/ingediend/")
    assert fault_site.sql("SELECT count(*) FROM cases_case") == [(1,)]


@pytest.fixture
def through_proxy(transactional_db: Any) -> Any:
    """The test database reached through a loopback TCP proxy that the test can cut."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the SQLite variant is the test above")
    database = connections["default"]
    original = dict(database.settings_dict)
    proxy = TcpProxy(original["HOST"] or "127.0.0.1", int(original["PORT"] or 5432))
    database.close()
    database.settings_dict.update(HOST="127.0.0.1", PORT=proxy.port)
    try:
        yield proxy
    finally:
        proxy.restore()
        database.close()
        database.settings_dict.update(HOST=original["HOST"], PORT=original["PORT"])
        proxy.close()


def _resident_client() -> Client:
    person = PersonFactory(address=AddressFactory())
    user = UserFactory(first_name=person.first_name, last_name=person.last_name)
    ResidentAccount.objects.create(
        user=user, person_id=person.pk, national_number_digest=f"d-{person.pk}", dialect="fas"
    )
    client = Client(raise_request_exception=False)
    client.force_login(user)
    session = client.session
    now = time.time()
    session[SESSION_LOGIN] = {"dialect": "fas", "level": 450, "started_at": now, "last_seen": now}
    session.save()
    return client


def test_postgres_connection_lost_in_the_middle_of_filing_a_case(
    through_proxy: TcpProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    OrganisationFactory(is_primary=True)
    case_types_seed_demo()
    client = _resident_client()
    answers = {"step": "submit", "doel": "school"}

    # The case, its data and its timeline are written; then, before the audit line,
    # the server goes away (a restart, a failover): the connection is cut mid-transaction.
    audit_record = case_services.audit_record

    def cut_then_audit(**kwargs: Any) -> Any:
        through_proxy.cut()
        return audit_record(**kwargs)

    monkeypatch.setattr(case_services, "audit_record", cut_then_audit)
    response = client.post(FORM, answers)
    monkeypatch.undo()
    _assert_try_again_page(
        response.status_code,
        {k.lower(): v for k, v in response.headers.items()},
        response.content.decode(),
    )
    kept = form_fields(response.content.decode())
    assert ("doel", "school") in kept
    assert ("step", "submit") in kept

    # While it is down, every page says so (the connection cannot be made at all).
    response = client.get("/mijn-dossiers/")
    assert response.status_code == 503
    response = client.get("/api/v1/services/", HTTP_AUTHORIZATION="Bearer x")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"

    through_proxy.restore()
    assert Case.objects.count() == 0  # rolled back with the lost connection
    response = client.post(FORM, dict(kept))
    assert response.status_code == 302
    assert Case.objects.count() == 1
