"""The load test's virtual users: closed loop, no think time, one keep-alive
connection and one cookie jar each, on loopback only.

A resident browses the catalogue (index, a service page, a search, the home page),
follows their dossiers (Mijn dossiers, one of their cases) and applies for a service
(the form, one step posted with its CSRF token, the summary, and now and then the
submission). A staff member works the dossier queue and opens cases of their
department. Every request is timed and labelled; anything but the expected status
counts as an error.
"""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._common import percentile

# Relative frequencies of what a resident does (one action may be several requests).
RESIDENT_ACTIONS: dict[str, int] = {
    "catalogue": 16,
    "service": 18,
    "search": 10,
    "home": 6,
    "my_cases": 18,
    "case": 18,
    "apply": 8,
}
STAFF_ACTIONS: dict[str, int] = {"queue": 1, "staff_case": 1}
STAFF_SHARE = 8  # one virtual user in eight is a staff member
SUBMIT_EVERY = 4  # one application in four is submitted (the others stop at the summary)
SEARCH_TERMS = ("uittreksel", "parkeren", "zaal", "melding", "woonst", "gezin", "vergunning")
APPLY_PATH = "/aanvragen/gezinssamenstelling/"
APPLY_ANSWERS = {"f-doel": "school"}

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="(stap|form_version)" value="([^"]*)"')
_SERVICE_LINK = re.compile(r'href="/diensten/([a-z0-9-]+)/"')


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for label, values in other.latencies.items():
            self.latencies.setdefault(label, []).extend(values)
        for label, count in other.errors.items():
            self.errors[label] = self.errors.get(label, 0) + count
        self.error_samples += other.error_samples[: max(0, 10 - len(self.error_samples))]


def summarise(values: list[float], errors: int, seconds: float) -> dict[str, Any]:
    ordered = sorted(values)
    done = len(ordered) + errors
    return {
        "requests": done,
        "errors": errors,
        "requests_per_s": round(done / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(ordered, 0.50) * 1000, 1),
        "p95_ms": round(percentile(ordered, 0.95) * 1000, 1),
        "p99_ms": round(percentile(ordered, 0.99) * 1000, 1),
    }


class VirtualUser:
    def __init__(
        self, base: str, *, session: dict[str, Any] | None, staff: bool, seed: int
    ) -> None:
        parts = urllib.parse.urlsplit(base)
        if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise ValueError("the load test only talks to this machine")
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.cookies: dict[str, str] = {"django_language": "nl"}
        self.session = session or {}
        if session:
            self.cookies["sessionid"] = session["session"]
        self.staff = staff
        self.random = random.Random(seed)
        self.tally = Tally()
        self.services: list[str] = []
        self.applied = 0

    # -- HTTP ---------------------------------------------------------------------------

    def request(
        self,
        label: str,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> tuple[int, dict[str, str], str] | None:
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Accept-Language": "nl-BE",
            "Accept": "text/html",
        }
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self._error(label, f"{method} {path}: {type(error).__name__}")
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            return None
        took = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        if response.status not in expect:
            self._error(label, f"{method} {path}: {response.status}")
            return None
        self.tally.latencies.setdefault(label, []).append(took)
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def _error(self, label: str, what: str) -> None:
        self.tally.errors[label] = self.tally.errors.get(label, 0) + 1
        if len(self.tally.error_samples) < 10:
            self.tally.error_samples.append(what)

    # -- actions ------------------------------------------------------------------------

    def catalogue(self) -> None:
        answer = self.request("catalogue", "GET", "/diensten/")
        if answer and not self.services:
            self.services = sorted(set(_SERVICE_LINK.findall(answer[2])))

    def service(self) -> None:
        if not self.services:
            return self.catalogue()
        self.request("service", "GET", f"/diensten/{self.random.choice(self.services)}/")
        return None

    def search(self) -> None:
        term = self.random.choice(SEARCH_TERMS)
        self.request("search", "GET", f"/diensten/?q={term}")

    def home(self) -> None:
        self.request("home", "GET", "/")

    def my_cases(self) -> None:
        self.request("my_cases", "GET", "/mijn-dossiers/")

    def case(self) -> None:
        references = self.session.get("cases") or []
        if references:
            self.request("case", "GET", f"/mijn-dossiers/{self.random.choice(references)}/")

    def apply(self) -> None:
        answer = self.request("apply_form", "GET", APPLY_PATH)
        if answer is None:
            return
        token = _TOKEN.search(answer[2])
        hidden = dict(_HIDDEN.findall(answer[2]))
        if token is None or "stap" not in hidden:
            self._error("apply_form", "the form has no CSRF token or step")
            return
        form = {"csrfmiddlewaretoken": token.group(1), **hidden, **APPLY_ANSWERS}
        posted = self.request("apply_step", "POST", APPLY_PATH, form=form, expect=(302,))
        if posted is None:
            return
        summary = self.request("apply_summary", "GET", posted[1].get("location", APPLY_PATH))
        self.applied += 1
        if summary is None or self.applied % SUBMIT_EVERY:
            return
        token = _TOKEN.search(summary[2]) or token
        submitted = self.request(
            "apply_submit",
            "POST",
            APPLY_PATH,
            form={"csrfmiddlewaretoken": token.group(1), "actie": "indienen"},
            expect=(302,),
        )
        if submitted is not None:
            self.request("submitted", "GET", submitted[1].get("location", "/"))

    def queue(self) -> None:
        self.request("staff_queue", "GET", "/backoffice/dossiers/")

    def staff_case(self) -> None:
        references = self.session.get("cases") or []
        if references:
            reference = self.random.choice(references)
            self.request("staff_case", "GET", f"/backoffice/dossiers/{reference}/")

    def run(self, deadline: float) -> None:
        actions = STAFF_ACTIONS if self.staff else RESIDENT_ACTIONS
        names, weights = list(actions), list(actions.values())
        try:
            while time.monotonic() < deadline:
                action: Callable[[], None] = getattr(self, self.random.choices(names, weights)[0])
                action()
        finally:
            self.connection.close()


STAFF_LABELS = ("staff_queue", "staff_case")


def drive(
    base: str,
    *,
    users: int,
    seconds: float,
    residents: list[dict[str, Any]],
    staff: list[dict[str, Any]],
    seed: int = 1,
) -> dict[str, Any]:
    """``users`` virtual users for ``seconds``; per label and for resident and staff
    pages: requests, errors, requests/s, p50/p95/p99."""
    crowd: list[VirtualUser] = []
    for index in range(users):
        is_staff = bool(staff) and index % STAFF_SHARE == STAFF_SHARE - 1
        pool = staff if is_staff else residents
        session = pool[index % len(pool)] if pool else None
        crowd.append(VirtualUser(base, session=session, staff=is_staff, seed=seed * 1000 + index))
    started = time.perf_counter()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=user.run, args=(deadline,), daemon=True) for user in crowd]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.perf_counter() - started
    tally = Tally()
    for user in crowd:
        tally.add(user.tally)
    labels = sorted(set(tally.latencies) | set(tally.errors))
    per_label = {
        label: summarise(tally.latencies.get(label, []), tally.errors.get(label, 0), elapsed)
        for label in labels
    }

    def group(keep: Callable[[str], bool]) -> dict[str, Any]:
        values = [v for label in labels if keep(label) for v in tally.latencies.get(label, [])]
        errors = sum(tally.errors.get(label, 0) for label in labels if keep(label))
        return summarise(values, errors, elapsed)

    return {
        "users": users,
        "seconds": round(elapsed, 1),
        "all": group(lambda label: True),
        "resident": group(lambda label: label not in STAFF_LABELS),
        "staff": group(lambda label: label in STAFF_LABELS),
        "per_label": per_label,
        "error_samples": tally.error_samples,
    }
