"""The load test's virtual users: closed loop, no think time, one cookie jar each, on
loopback only.

A resident browses the catalogue (index, a service page, a search, the home page),
follows their dossiers (Mijn dossiers, one of their cases) and applies for a service
(the form, one step posted with its CSRF token, the summary, and now and then the
submission). A staff member works the dossier queue and opens cases of their
department. Every request is timed and labelled; anything but the expected status, and
any socket error, counts as an error. The baseline's users (``drive(..., bare=True)``)
only ask for the bare view, through the same client.

The client is kept cheap, so that it takes as little as possible of the CPU the server
under test needs (both share the machine):

- the users run as threads in ``CLIENT_PROCESSES`` worker processes (each with its share
  of the users, results merged), so that one interpreter's lock does not hold back
  answers that have arrived;
- each request is one connection (``Connection: close``), as a buffering proxy talks to
  gunicorn's sync workers (which close the connection after every response anyway):
  connecting again is normal, not an error, and the connect is part of the latency;
- a request is written and its answer read on a plain socket: only the status line and
  the headers the flow needs are parsed, bodies stay bytes, and the CSRF token, the
  hidden fields and the service links are looked for only where the flow needs them.
"""

from __future__ import annotations

import multiprocessing
import random
import re
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import BenchError
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
BARE_ACTIONS: dict[str, int] = {"bare": 1}
STAFF_SHARE = 8  # one virtual user in eight is a staff member
SUBMIT_EVERY = 4  # one application in four is submitted (the others stop at the summary)
SEARCH_TERMS = ("uittreksel", "parkeren", "zaal", "melding", "woonst", "gezin", "vergunning")
APPLY_PATH = "/aanvragen/gezinssamenstelling/"
APPLY_ANSWERS = {"f-doel": "school"}
BARE_PATH = "/__bench__/baseline"
STAFF_LABELS = ("staff_queue", "staff_case")
CLIENT_PROCESSES = 2  # one per core: more only adds context switches on a small machine
SOCKET_TIMEOUT_S = 60.0
START_DELAY_S = 0.5  # time for the worker processes to start their threads

_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_HIDDEN = re.compile(rb'<input type="hidden" name="(stap|form_version)" value="([^"]*)"')
_SERVICE_LINK = re.compile(rb'href="/diensten/([a-z0-9-]+)/"')


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


@dataclass
class Answer:
    status: int
    location: str
    body: bytes


class BadResponse(Exception):
    """The server's answer is not HTTP as this client reads it."""


def _dechunk(data: bytes) -> bytes:
    parts: list[bytes] = []
    position = 0
    while True:
        end = data.find(b"\r\n", position)
        if end < 0:
            raise BadResponse("truncated chunked body")
        size = int(data[position:end].split(b";", 1)[0], 16)
        if size == 0:
            return b"".join(parts)
        parts.append(data[end + 2 : end + 2 + size])
        position = end + 2 + size + 2


class VirtualUser:
    def __init__(
        self,
        base: str,
        *,
        session: dict[str, Any] | None,
        role: str,
        seed: int,
    ) -> None:
        parts = urllib.parse.urlsplit(base)
        if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
            raise ValueError("the load test only talks to this machine")
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        netloc = f"[{self.host}]" if ":" in self.host else self.host
        self.netloc = f"{netloc}:{self.port}"
        self.cookies: dict[str, str] = {"django_language": "nl"}
        self.session = session or {}
        if session:
            self.cookies["sessionid"] = session["session"]
        self.role = role
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
    ) -> Answer | None:
        head = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.netloc}",
            "Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Accept-Language: nl-BE",
            "Accept: text/html",
            "Accept-Encoding: identity",
            "Connection: close",
        ]
        body = b""
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            head += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
                f"Referer: http://{self.netloc}{path}",
            ]
        message = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        started = time.perf_counter()
        try:
            data = self._exchange(message)
            took = time.perf_counter() - started
            answer = self._parse(data)
        except (OSError, BadResponse, ValueError) as error:
            self._error(label, f"{method} {path}: {type(error).__name__}")
            return None
        if answer.status not in expect:
            self._error(label, f"{method} {path}: {answer.status}")
            return None
        self.tally.latencies.setdefault(label, []).append(took)
        return answer

    def _exchange(self, message: bytes) -> bytes:
        """Connect, send ``message``, read until the server closes the connection."""
        with socket.create_connection((self.host, self.port), timeout=SOCKET_TIMEOUT_S) as sock:
            sock.sendall(message)
            chunks = []
            while True:
                chunk = sock.recv(262144)
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks)

    def _parse(self, data: bytes) -> Answer:
        """The status, the cookies set (into the jar), the location and the body."""
        head, separator, body = data.partition(b"\r\n\r\n")
        if not separator:
            raise BadResponse("no complete header")
        lines = head.split(b"\r\n")
        version, _, rest = lines[0].partition(b" ")
        if not version.startswith(b"HTTP/"):
            raise BadResponse("not an HTTP status line")
        status = int(rest[:3])
        location = ""
        chunked = False
        length: int | None = None
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"set-cookie":
                cookie, _, more = value.decode("latin-1").partition("=")
                self.cookies[cookie.strip()] = more.split(";", 1)[0]
            elif name == b"location":
                location = value.strip().decode("latin-1")
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"content-length":
                length = int(value)
        if chunked:
            body = _dechunk(body)
        elif length is not None and len(body) < length:
            raise BadResponse("body shorter than its Content-Length")
        return Answer(status, location, body)

    def _error(self, label: str, what: str) -> None:
        self.tally.errors[label] = self.tally.errors.get(label, 0) + 1
        if len(self.tally.error_samples) < 10:
            self.tally.error_samples.append(what)

    # -- actions ------------------------------------------------------------------------

    def catalogue(self) -> None:
        answer = self.request("catalogue", "GET", "/diensten/")
        if answer and not self.services:
            links = _SERVICE_LINK.findall(answer.body)
            self.services = sorted({link.decode("ascii") for link in links})

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
        found = _TOKEN.search(answer.body)
        hidden = {k.decode(): v.decode() for k, v in _HIDDEN.findall(answer.body)}
        if found is None or "stap" not in hidden:
            self._error("apply_form", "the form has no CSRF token or step")
            return
        token = found.group(1).decode()
        form = {"csrfmiddlewaretoken": token, **hidden, **APPLY_ANSWERS}
        posted = self.request("apply_step", "POST", APPLY_PATH, form=form, expect=(302,))
        if posted is None:
            return
        summary = self.request("apply_summary", "GET", posted.location or APPLY_PATH)
        self.applied += 1
        if summary is None or self.applied % SUBMIT_EVERY:
            return
        found = _TOKEN.search(summary.body)
        if found is not None:
            token = found.group(1).decode()
        submitted = self.request(
            "apply_submit",
            "POST",
            APPLY_PATH,
            form={"csrfmiddlewaretoken": token, "actie": "indienen"},
            expect=(302,),
        )
        if submitted is not None:
            self.request("submitted", "GET", submitted.location or "/")

    def queue(self) -> None:
        self.request("staff_queue", "GET", "/backoffice/dossiers/")

    def staff_case(self) -> None:
        references = self.session.get("cases") or []
        if references:
            reference = self.random.choice(references)
            self.request("staff_case", "GET", f"/backoffice/dossiers/{reference}/")

    def bare(self) -> None:
        self.request("bare_view", "GET", BARE_PATH)

    def run(self, start_at: float, deadline: float) -> None:
        actions = {"staff": STAFF_ACTIONS, "bare": BARE_ACTIONS}.get(self.role, RESIDENT_ACTIONS)
        names, weights = list(actions), list(actions.values())
        time.sleep(max(0.0, start_at - time.monotonic()))
        while time.monotonic() < deadline:
            action: Callable[[], None] = getattr(self, self.random.choices(names, weights)[0])
            action()


def _crowd(
    base: str,
    *,
    users: int,
    residents: list[dict[str, Any]],
    staff: list[dict[str, Any]],
    seed: int,
    bare: bool,
) -> list[VirtualUser]:
    crowd: list[VirtualUser] = []
    for index in range(users):
        if bare:
            crowd.append(VirtualUser(base, session=None, role="bare", seed=seed * 1000 + index))
            continue
        is_staff = bool(staff) and index % STAFF_SHARE == STAFF_SHARE - 1
        pool = staff if is_staff else residents
        session = pool[index % len(pool)] if pool else None
        role = "staff" if is_staff else "resident"
        crowd.append(VirtualUser(base, session=session, role=role, seed=seed * 1000 + index))
    return crowd


def _run_share(crowd: list[VirtualUser], start_at: float, deadline: float, pipe: Any) -> None:
    """In a worker process: run this share of the users as threads; send back their
    merged tally and when the last one finished (``time.monotonic``, the same clock in
    every process)."""
    threads = [
        threading.Thread(target=user.run, args=(start_at, deadline), daemon=True) for user in crowd
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=deadline - time.monotonic() + 2 * SOCKET_TIMEOUT_S)
    finished = time.monotonic()
    tally = Tally()
    for user in crowd:
        tally.add(user.tally)
    pipe.send((tally.latencies, tally.errors, tally.error_samples, finished))
    pipe.close()


def drive(
    base: str,
    *,
    users: int,
    seconds: float,
    residents: list[dict[str, Any]],
    staff: list[dict[str, Any]],
    seed: int = 1,
    bare: bool = False,
) -> dict[str, Any]:
    """``users`` virtual users for ``seconds`` (``bare``: the baseline's users, who only
    ask for the bare view); per label and for resident and staff pages: requests,
    errors, requests/s, p50/p95/p99."""
    crowd = _crowd(base, users=users, residents=residents, staff=staff, seed=seed, bare=bare)
    shares = [crowd[start::CLIENT_PROCESSES] for start in range(CLIENT_PROCESSES)]
    # fork: the worker processes inherit this package as `loket bench` loaded it (by path)
    context = multiprocessing.get_context("fork")
    start_at = time.monotonic() + START_DELAY_S
    deadline = start_at + seconds
    workers = []
    for share in (share for share in shares if share):
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_run_share, args=(share, start_at, deadline, sender))
        process.start()
        sender.close()
        workers.append((process, receiver))
    tally = Tally()
    finished = start_at
    for process, receiver in workers:
        if not receiver.poll(deadline - time.monotonic() + 3 * SOCKET_TIMEOUT_S):
            process.kill()
            raise BenchError("a load client process did not report back")
        try:
            latencies, errors, samples, ended = receiver.recv()
        except EOFError:
            raise BenchError(
                f"a load client process stopped (exit code {process.exitcode})"
            ) from None
        process.join(timeout=30)
        tally.add(Tally(latencies, errors, samples))
        finished = max(finished, ended)
    elapsed = finished - start_at
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


def client_description() -> str:
    return f"python, {CLIENT_PROCESSES} processes, a connection per request"
