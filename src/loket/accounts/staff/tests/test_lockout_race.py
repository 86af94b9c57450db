"""The lock-out check and the counting of a failure are one step: parallel attempts
for one user name cannot all pass the check before any failure is counted."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, connections
from django.test import RequestFactory

from loket.accounts.staff import services
from loket.accounts.staff.constants import FAILURES_PER_USER
from loket.accounts.staff.models import LoginThrottle
from loket.core.tests.factories import StaffFactory


def _request():
    request = RequestFactory().post("/backoffice/aanmelden/", REMOTE_ADDR="192.0.2.1")
    request.session = SessionStore()
    return request


@pytest.mark.django_db
def test_password_check_and_failure_count_are_one_transaction_under_the_row_lock(monkeypatch):
    StaffFactory(username="baliemedewerker")
    depth = len(connection.atomic_blocks)  # the test's own transaction
    seen: dict[str, object] = {}
    real_authenticate = services.authenticate
    real_record = services._login_failure_record

    def authenticate(*args, **kwargs):
        blocks = connection.atomic_blocks
        seen["block_at_check"] = blocks[depth] if len(blocks) > depth else None
        seen["row_at_check"] = LoginThrottle.objects.filter(key="user:baliemedewerker").exists()
        return real_authenticate(*args, **kwargs)

    def record(**kwargs):
        blocks = connection.atomic_blocks
        seen["block_at_count"] = blocks[depth] if len(blocks) > depth else None
        return real_record(**kwargs)

    monkeypatch.setattr(services, "authenticate", authenticate)
    monkeypatch.setattr(services, "_login_failure_record", record)
    with pytest.raises(services.LoginRefused):
        services.staff_password_verify(
            request=_request(), username="baliemedewerker", password="wrong"
        )
    # The counter row exists (created, and on PostgreSQL row-locked) before the
    # password is checked, and the failure is counted in the same, still open
    # transaction as the check.
    assert seen["row_at_check"] is True
    assert seen["block_at_check"] is not None
    assert seen["block_at_count"] is seen["block_at_check"]
    assert len(connection.atomic_blocks) == depth


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no row locks and cannot run this race"
)
@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_get_no_more_guesses_than_the_limit(monkeypatch):
    StaffFactory(username="baliemedewerker")
    guesses = 0
    counter = threading.Lock()
    real_authenticate = services.authenticate

    def slow_authenticate(*args, **kwargs):
        nonlocal guesses
        with counter:
            guesses += 1
        time.sleep(0.2)  # a slow password hash widens the window between check and count
        return real_authenticate(*args, **kwargs)

    monkeypatch.setattr(services, "authenticate", slow_authenticate)

    def attempt(_: int) -> str:
        try:
            services.staff_password_verify(
                request=_request(), username="baliemedewerker", password="wrong"
            )
        except services.LoginLocked:
            return "locked"
        except services.LoginRefused:
            return "refused"
        finally:
            connections.close_all()
        return "accepted"

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(attempt, range(12)))
    assert guesses == FAILURES_PER_USER
    assert outcomes.count("refused") == FAILURES_PER_USER - 1
    assert outcomes.count("locked") == 12 - (FAILURES_PER_USER - 1)
