"""Per-address rate limits on the login steps, counted in the cache.

A fixed window of one minute per (step, address): the first request of a window
creates the counter, every request adds one; over LOKET_LOGIN_RATE_LIMIT the request
is refused with 429 until the window ends. With REDIS_URL the cache is shared by
every process; without it each process counts on its own (a small deployment).
The lock-out of user names (``LoginThrottle``) stays: it counts failures, this counts
requests, also of scripts that never get as far as a password.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60

# Which URL (by name) falls under which limit, and for which methods.
LIMITED_VIEWS: dict[str, tuple[str, frozenset[str]]] = {
    "accounts:start": ("resident_login", frozenset({"GET", "POST"})),
    "accounts:callback": ("resident_login", frozenset({"GET"})),
    "backoffice:login": ("staff_password", frozenset({"POST"})),
    "staff_login:verify": ("staff_second_factor", frozenset({"POST"})),
    "staff_login:enrol": ("staff_second_factor", frozenset({"POST"})),
    "staff_login:passkey_login_options": ("staff_second_factor", frozenset({"POST"})),
    "staff_login:passkey_login": ("staff_second_factor", frozenset({"POST"})),
    "staff_login:sso_start": ("staff_sso", frozenset({"POST"})),
    "staff_login:sso_callback": ("staff_sso", frozenset({"GET"})),
}


def scope_for(view_name: str, method: str) -> str | None:
    entry = LIMITED_VIEWS.get(view_name)
    if entry is None or method not in entry[1]:
        return None
    return entry[0]


def hit(*, scope: str, address: str, now: float | None = None) -> tuple[int, int]:
    """Count one request; returns (requests in this window, seconds until it ends)."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"loket:login-rate:{scope}:{address}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
        count = 1
    retry_after = max(1, (window + 1) * WINDOW_SECONDS - int(now))
    return count, retry_after


def limit() -> int:
    return int(settings.LOKET_LOGIN_RATE_LIMIT)
