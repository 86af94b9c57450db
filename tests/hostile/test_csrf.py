"""CSRF: every URL of the site, POSTed without a token by someone allowed to use it,
is refused with 403 and changes nothing. The few URLs that take a POST from another
system (never from a browser session) are listed with the reason they are exempt."""

from __future__ import annotations

import pytest
from django.test import Client

from loket.accounts.tests.acting_helpers import log_in_resident
from loket.people.tests.factories import PersonFactory
from tests.test_permission_matrix import (
    ACTORS,
    MATRIX,
    ROUTES,
    World,
    _url,
    database_fingerprint,
    world,
)

pytestmark = pytest.mark.django_db

__all__ = ["world"]  # the permission matrix's world: a client per actor, sample objects

# Not protected by the CSRF cookie, on purpose: nothing a browser session can do there.
CSRF_EXEMPT: dict[str, str] = {
    "notifications_callbacks:sms-status": "SMS gateway callback, authenticated by its signature",
    "payments:webhook": "payment provider's webhook, authenticated by its signature",
}
# The REST API authenticates every call with a bearer token and never with a session
# cookie, so a forged cross-site request carries no credential (tested in the API matrix).
API_PREFIX = "api:"


def _actor_for(name: str) -> str:
    allowed = MATRIX[name].allowed
    return next((actor for actor in ACTORS if actor in allowed), "anonymous")


def test_a_post_without_the_csrf_token_is_refused_everywhere(world: World) -> None:
    for client in world.clients.values():
        client.handler.enforce_csrf_checks = True
    before = database_fingerprint()
    problems: list[str] = []
    for name in sorted(ROUTES):
        if name in CSRF_EXEMPT or name.startswith(API_PREFIX) or name not in MATRIX:
            continue
        actor = _actor_for(name)
        url = _url(ROUTES[name], world.samples, MATRIX[name])
        response = world.clients[actor].post(url, {"next": "/"})
        if response.status_code != 403:
            problems.append(
                f"{name} ({actor}): POST {url} without a token got {response.status_code}"
            )
    assert not problems, "\n".join(problems)
    assert database_fingerprint() == before, "a POST without a CSRF token changed the database"


def test_the_refusal_is_a_plain_403_page() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "fr"})
    assert response.status_code == 403
    assert "Traceback" not in response.content.decode()


def test_a_forged_csrf_cookie_and_token_pair_of_the_wrong_shape_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)
    log_in_resident(client, PersonFactory())
    before = database_fingerprint()
    for forged in ("x", "<script>", "a" * 31, "a" * 65, "\u00e9" * 32):
        client.cookies["csrftoken"] = forged
        response = client.post(
            "/mijn-berichten/voorkeuren/", {"csrfmiddlewaretoken": forged}, HTTP_X_CSRFTOKEN=forged
        )
        assert response.status_code == 403, (forged, response.status_code)
    assert database_fingerprint() == before
