"""Seed many cases at once (``loket seed --cases N``): a city-sized case load for the
benchmarks and for trying the back office at the scale of Antwerp.

The demo municipality must be seeded first (its case types, departments, staff and
residents). The cases are spread over the seven demo case types and their departments,
over five years of submissions (the newest id is the newest case), with statuses that
follow each type's workflow, deadlines, assignees among the department's staff, and
about ten timeline events each. Every demo persona gets ``PERSONA_CASES`` of them, so
that their "Mijn dossiers" looks like a resident's who has lived here for years.

Cases are written in bulk straight into the tables of the cases module, not through
``case_submit`` (ADR 0018): one service call per case would take days for a million
cases. The rows are the ones the services would write; one audit record covers the
seed. Each chunk of cases is one transaction; the first chunk refuses to start when
the database already holds cases, so a seed is never applied twice.

The same ``cases``, ``seed`` and day of seeding give the same cases.
"""

from __future__ import annotations

import bisect
import json
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from loket.cases.constants import (
    Channel,
    DeadlineKind,
    PartyKind,
    PaymentStatus,
    TimelineKind,
)
from loket.cases.models import Case, CaseCounter, CaseData, CaseType, TimelineEvent
from loket.cases.services import tracking_code_hash
from loket.core.constants import AuditAction
from loket.core.services import DomainError, audit_record
from loket.demo.constants import PERSONAS
from loket.people.models import Person
from loket.people.selectors import person_get_by_national_number

__all__ = ["CasesSeedRefused", "CasesSeedResult", "cases_seed_bulk"]

Progress = Callable[[int], object]

# Cases per transaction (with about ten times as many timeline events).
CHUNK_CASES = 5000
# Cases of every demo persona, spread over the years; a share of them still open.
PERSONA_CASES = 30
PERSONA_OPEN_CASES = 4
# Submissions go back this many days from the day of seeding.
HISTORY_DAYS = 5 * 365
# Timeline events per case: uniform between these bounds (mean ten).
EVENTS_MIN, EVENTS_MAX = 7, 13
# Sample workflow paths per case type (random walks through its transitions).
PATHS_PER_TYPE = 64

# How often each demo case type is filed (relative weights).
TYPE_WEIGHTS = {
    "melding-openbaar-domein": 30,
    "attest-van-woonst": 20,
    "gezinssamenstelling": 15,
    "bewonerskaart-parkeren": 12,
    "zaalhuur": 8,
    "vraag-sociale-media": 10,
    "evenementenvergunning": 5,
}
REPORT_SUBJECTS = (
    "Kapotte straatlamp",
    "Sluikstort",
    "Put in de weg",
    "Losliggende tegel",
    "Verstopte rioolkolk",
    "Zwerfvuil",
    "Overhangende takken",
    "Beschadigd verkeersbord",
    "Graffiti",
    "Defecte verkeerslichten",
)
CHANNEL_WEIGHTS = (
    (Channel.ONLINE, 76),
    (Channel.COUNTER, 12),
    (Channel.POST, 5),
    (Channel.PHONE, 7),
)
CHANNEL_LABELS = {
    Channel.ONLINE: "Online",
    Channel.COUNTER: "Aan de balie",
    Channel.POST: "Per post",
    Channel.PHONE: "Telefonisch",
    Channel.SOCIAL_MEDIA: "Sociale media",
}
MESSAGES_STAFF = (
    "Bedankt voor uw aanvraag, we bekijken ze zo snel mogelijk.",
    "We hebben uw dossier doorgegeven aan de bevoegde dienst.",
    "Kunt u ons laten weten wanneer u bereikbaar bent?",
    "De behandeling loopt nog, u hoort van ons.",
)
MESSAGES_RESIDENT = (
    "Bedankt voor de snelle opvolging.",
    "Is er al nieuws over mijn dossier?",
    "Ik ben bereikbaar op weekdagen na 17 uur.",
    "Mag ik nog een bijlage toevoegen?",
)


class CasesSeedRefused(DomainError):
    """The database cannot take the bulk seed (no demo yet, or cases already)."""


@dataclass(frozen=True, slots=True)
class CasesSeedResult:
    cases: int
    events: int
    open_cases: int
    persona_cases: int
    seed: int


@dataclass(frozen=True, slots=True)
class _Step:
    status_id: int
    is_final: bool
    waits_for: str
    kind: str
    text: str
    data: str  # JSON
    payment: str  # PaymentStatus after this step, "" = unchanged
    result: str


@dataclass(frozen=True, slots=True)
class _Type:
    id: int
    slug: str
    name: str
    department_id: int
    deadline_days: int
    working_days: bool
    confidentiality: str
    anonymous_allowed: bool
    initial_id: int
    initial_waits_for: str
    data_json: str
    paths: tuple[tuple[_Step, ...], ...]  # each ends in a final status


def cases_seed_bulk(
    *, cases: int, seed: int, progress: Progress | None = None, chunk: int = CHUNK_CASES
) -> CasesSeedResult:
    """Add ``cases`` cases (and about ten timeline events each) to the demo
    municipality. Raises ``CasesSeedRefused`` in production, without the demo's case
    types and residents, or when the database already holds cases."""
    if settings.PRODUCTION:
        raise CasesSeedRefused("Demo cases are never seeded in production.")
    if cases <= 0:
        return CasesSeedResult(cases=0, events=0, open_cases=0, persona_cases=0, seed=seed)
    if Case.objects.exists():
        raise CasesSeedRefused(
            f"This database already holds {Case.objects.count():,} cases; --cases seeds "
            "only a database without any. Start from a new database to seed again."
        )
    types = _load_types(seed)
    staff = _staff_by_department({t.department_id for t in types})
    persons = list(Person.objects.order_by("pk").values_list("pk", "first_name", "last_name"))
    if not types or not persons:
        raise CasesSeedRefused(
            "Seed the demo municipality first (its case types and residents): "
            "loket seed --residents N."
        )
    persona_positions = _persona_positions(cases, seed)
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(days=HISTORY_DAYS)
    weights = _cumulative([TYPE_WEIGHTS.get(t.slug, 1) for t in types])
    channel_weights = _cumulative([w for _c, w in CHANNEL_WEIGHTS])
    counters: dict[int, int] = {}
    totals = {"cases": 0, "events": 0, "open": 0}
    writer = _Writer()
    with _bulk_load():
        for first in range(0, cases, chunk):
            size = min(chunk, cases - first)
            rng = random.Random(f"{seed}-cases-{first}")
            case_rows: list[tuple[Any, ...]] = []
            data_rows: list[tuple[Any, ...]] = []
            event_rows: list[tuple[Any, ...]] = []
            for index in range(first, first + size):
                case_id = index + 1
                submitted = start + timedelta(
                    seconds=(HISTORY_DAYS * 86400) * (index + rng.random()) / cases
                )
                year = submitted.year
                counters[year] = counters.get(year, 0) + 1
                reference = f"{year}-{counters[year]:06d}"
                case_type = types[bisect.bisect(weights, rng.random() * weights[-1])]
                persona = persona_positions.get(index)
                _case(
                    rng,
                    case_id=case_id,
                    reference=reference,
                    case_type=case_type,
                    submitted=submitted,
                    now=now,
                    staff=staff.get(case_type.department_id, ()),
                    person=persona or persons[rng.randrange(len(persons))],
                    force_open=persona is not None and index >= cases - cases // 20,
                    channel_weights=channel_weights,
                    out=(case_rows, data_rows, event_rows),
                    totals=totals,
                )
            with transaction.atomic():
                if first == 0 and Case.objects.exists():
                    raise CasesSeedRefused("Cases appeared meanwhile; nothing was seeded.")
                writer.write(Case, _CASE_COLUMNS, case_rows)
                writer.write(CaseData, _DATA_COLUMNS, data_rows)
                writer.write(TimelineEvent, _EVENT_COLUMNS, event_rows)
                for year, last in counters.items():
                    CaseCounter.objects.update_or_create(year=year, defaults={"last": last})
                if first + size >= cases:
                    _reset_sequences()
                    audit_record(
                        actor=None,
                        action=AuditAction.CREATE,
                        object_type="demo.cases",
                        object_label=f"{cases:,} demo cases",
                        reason="loket seed --cases",
                        changes={"cases": cases, "events": totals["events"], "seed": seed},
                    )
            if progress is not None:
                progress(size)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return CasesSeedResult(
        cases=totals["cases"],
        events=totals["events"],
        open_cases=totals["open"],
        persona_cases=sum(1 for _ in persona_positions),
        seed=seed,
    )


# --- Rows --------------------------------------------------------------------------

_CASE_COLUMNS = (
    "id", "reference", "case_type_id", "title", "status_id", "department_id",
    "assignee_id", "initiator_id", "party_kind", "party_id", "party_label", "person_id",
    "channel", "confidentiality", "submitted_at", "deadline", "waiting_for",
    "waiting_since", "is_open", "closed_at", "result", "payment_status",
    "document_issued", "version", "tracking_code_hash", "contact_email", "search_text",
    "updated_at",
)  # fmt: skip
_DATA_COLUMNS = ("id", "case_id", "version", "data", "form_version", "created_by_id", "created_at")
_EVENT_COLUMNS = ("case_id", "at", "kind", "public", "text", "actor_label", "data")


def _case(
    rng: random.Random,
    *,
    case_id: int,
    reference: str,
    case_type: _Type,
    submitted: datetime,
    now: datetime,
    staff: Sequence[tuple[int, str]],
    person: tuple[int, str, str] | None,
    force_open: bool,
    channel_weights: list[float],
    out: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]],
    totals: dict[str, int],
) -> None:
    case_rows, data_rows, event_rows = out
    age_days = (now - submitted).days
    is_open = force_open or rng.random() < _open_share(age_days)
    path = case_type.paths[rng.randrange(len(case_type.paths))]
    # An open case stopped somewhere before its final step.
    steps = path[: rng.randrange(len(path))] if is_open else path
    anonymous = person is None or (case_type.anonymous_allowed and rng.random() < 0.3)
    if case_type.slug == "vraag-sociale-media":
        channel = Channel.SOCIAL_MEDIA
    elif anonymous:
        channel = Channel.ONLINE
    else:
        channel = CHANNEL_WEIGHTS[
            bisect.bisect(channel_weights, rng.random() * channel_weights[-1])
        ][0]
    if anonymous or person is None:
        party_kind, party_id, label = PartyKind.ANONYMOUS, None, ""
        code_hash = tracking_code_hash(f"{rng.getrandbits(60):012X}")
    else:
        party_kind, party_id = PartyKind.PERSON, person[0]
        label, code_hash = f"{person[1]} {person[2]}"[:200], ""
    title = case_type.name
    if case_type.anonymous_allowed:
        title = f"{REPORT_SUBJECTS[rng.randrange(len(REPORT_SUBJECTS))]}"
    assignee = None
    if staff and (steps or not is_open or rng.random() < 0.3):
        assignee = staff[rng.randrange(len(staff))]
    days = case_type.deadline_days * (7 / 5 if case_type.working_days else 1)
    deadline = (submitted + timedelta(days=round(days))).date()
    # The case's life: from its submission to its last step (closed, or now).
    span = timedelta(days=min(max(age_days, 0), rng.uniform(1, days * 1.3)))
    if span.total_seconds() <= 0:
        span = timedelta(seconds=max(1.0, (now - submitted).total_seconds()))
    target = rng.randint(EVENTS_MIN, EVENTS_MAX)
    extra = max(0, target - 2 - len(steps))
    kinds: list[tuple[str, _Step | None]] = [("step", step) for step in steps]
    # Messages fall anywhere before the closing step.
    room = len(kinds) - (1 if steps and steps[-1].is_final else 0)
    for _ in range(extra):
        kinds.insert(rng.randint(0, room), ("message", None))
        room += 1
    handler_label = assignee[1] if assignee else "Gemeente"
    status_id, waits_for, result = case_type.initial_id, case_type.initial_waits_for, ""
    payment: str = PaymentStatus.NONE
    events: list[tuple[Any, ...]] = [
        (
            case_id,
            submitted,
            TimelineKind.SUBMITTED,
            True,
            f"Aanvraag ontvangen ({CHANNEL_LABELS[channel]}).",
            label if channel == Channel.ONLINE else handler_label,
            "{}",
        )
    ]
    if assignee is not None:
        events.append(
            (
                case_id,
                submitted + span * 0.02,
                TimelineKind.ASSIGNED,
                False,
                f"Toegewezen aan {assignee[1]}.",
                "Coördinator",
                "{}",
            )
        )
    total = len(kinds) or 1
    last = submitted
    for position, (kind, step) in enumerate(kinds, start=1):
        at = submitted + span * (0.02 + 0.98 * position / total)
        last = at
        if kind == "message":
            from_resident = bool(label) and rng.random() < 0.4
            texts = MESSAGES_RESIDENT if from_resident else MESSAGES_STAFF
            events.append(
                (
                    case_id,
                    at,
                    TimelineKind.MESSAGE,
                    True,
                    texts[rng.randrange(len(texts))],
                    label if from_resident else handler_label,
                    "{}",
                )
            )
            continue
        assert step is not None
        status_id, waits_for = step.status_id, step.waits_for
        payment = step.payment or payment
        result = step.result
        events.append((case_id, at, step.kind, True, step.text, handler_label, step.data))
    closed = not is_open and bool(steps) and steps[-1].is_final
    if not closed:
        result = ""
    totals["cases"] += 1
    totals["events"] += len(events)
    totals["open"] += 0 if closed else 1
    search_text = f"{reference} {title} {label}".lower()[:500]
    case_rows.append(
        (
            case_id, reference, case_type.id, title, status_id, case_type.department_id,
            assignee[0] if assignee else None, None, party_kind, party_id, label, party_id,
            channel, case_type.confidentiality, submitted, deadline, waits_for, last,
            not closed, last if closed else None, result, payment,
            closed and result == "Goedgekeurd", len(events), code_hash, "", search_text,
            last,
        )
    )  # fmt: skip
    data_rows.append((case_id, case_id, 1, case_type.data_json, "", None, submitted))
    event_rows.extend(events)


def _open_share(age_days: int) -> float:
    """Which share of the cases submitted ``age_days`` ago is still open."""
    if age_days < 14:
        return 0.9
    if age_days < 60:
        return 0.45
    if age_days < 180:
        return 0.12
    if age_days < 365:
        return 0.04
    return 0.008


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _persona_positions(cases: int, seed: int) -> dict[int, tuple[int, str, str]]:
    """Which case (by position) belongs to which persona: ``PERSONA_CASES`` each, a
    few of them recent (so still open), the rest spread over the years."""
    rng = random.Random(f"{seed}-persona-cases")
    positions: dict[int, tuple[int, str, str]] = {}
    per = min(PERSONA_CASES, max(1, cases // 100))
    recent = max(1, cases // 20)
    for persona in PERSONAS:
        if not persona.in_register:
            continue
        summary = person_get_by_national_number(national_number=persona.national_number)
        if summary is None:
            continue
        owner = (summary.id, persona.first_name, persona.last_name)
        for number in range(per):
            for _attempt in range(20):
                if number < PERSONA_OPEN_CASES and per > PERSONA_OPEN_CASES:
                    position = cases - 1 - rng.randrange(recent)
                else:
                    position = rng.randrange(cases)
                if position not in positions:
                    positions[position] = owner
                    break
    return positions


def _staff_by_department(department_ids: set[int]) -> dict[int, tuple[tuple[int, str], ...]]:
    rows = (
        get_user_model()
        .objects.filter(
            is_active=True, is_staff=True, memberships__department_id__in=department_ids
        )
        .values_list("memberships__department_id", "pk", "first_name", "last_name", "username")
        .order_by("pk")
    )
    staff: dict[int, list[tuple[int, str]]] = {}
    for department_id, pk, first, last, username in rows:
        members = staff.setdefault(department_id, [])
        if all(member[0] != pk for member in members):
            members.append((pk, f"{first} {last}".strip() or username))
    return {key: tuple(value) for key, value in staff.items()}


def _load_types(seed: int) -> list[_Type]:
    types = []
    rng = random.Random(f"{seed}-case-paths")
    for case_type in (
        CaseType.objects.filter(is_active=True)
        .prefetch_related("statuses", "transitions")
        .order_by("slug")
    ):
        statuses = {status.pk: status for status in case_type.statuses.all()}
        initial = next((s for s in statuses.values() if s.is_initial), None)
        if initial is None:
            continue
        outgoing: dict[int, list[Any]] = {}
        for transition in case_type.transitions.all():
            # Reopening would loop; half of the types never see a withdrawal.
            if transition.key == "reopen" or (transition.key == "withdraw" and rng.random() < 0.5):
                continue
            outgoing.setdefault(transition.from_status_id, []).append(transition)
        paths = [
            path
            for path in (_walk(rng, initial.pk, statuses, outgoing) for _ in range(PATHS_PER_TYPE))
            if path
        ]
        if not paths:
            continue
        fields = case_type.fields or []
        data = {
            str(spec.get("name")): _sample_value(str(spec.get("kind", "text")))
            for spec in fields
            if isinstance(spec, dict) and spec.get("name")
        }
        types.append(
            _Type(
                id=case_type.pk,
                slug=case_type.slug,
                name=case_type.name,
                department_id=case_type.department_id,
                deadline_days=case_type.deadline_days,
                working_days=case_type.deadline_kind == DeadlineKind.WORKING,
                confidentiality=case_type.confidentiality,
                anonymous_allowed=case_type.anonymous_allowed,
                initial_id=initial.pk,
                initial_waits_for=initial.waits_for,
                data_json=json.dumps(data, ensure_ascii=False),
                paths=tuple(paths),
            )
        )
    return types


def _sample_value(kind: str) -> Any:
    return {"date": "2026-06-01", "number": 2, "textarea": "Zie bijlage."}.get(kind, "Ja")


def _walk(
    rng: random.Random, start: int, statuses: dict[int, Any], outgoing: dict[int, list[Any]]
) -> tuple[_Step, ...]:
    """A random walk from the initial status to a final one (at most 12 steps)."""
    steps: list[_Step] = []
    current = start
    for _ in range(12):
        choices = outgoing.get(current)
        if not choices:
            break
        transition = choices[rng.randrange(len(choices))]
        target = statuses[transition.to_status_id]
        actions = [str(a).split(":", 1)[0] for a in transition.actions or ()]
        payment = ""
        if "request_payment" in actions:
            payment = PaymentStatus.REQUESTED
        elif "payment_received" in actions:
            payment = PaymentStatus.RECEIVED
        steps.append(
            _Step(
                status_id=target.pk,
                is_final=target.is_final,
                waits_for=target.waits_for,
                kind=TimelineKind.CLOSED if target.is_final else TimelineKind.STATUS,
                text=target.public_name,
                data=json.dumps(
                    {
                        "from": statuses[current].key,
                        "to": target.key,
                        "transition": transition.key,
                    }
                ),
                payment=payment,
                result=(transition.result or target.public_name) if target.is_final else "",
            )
        )
        current = target.pk
        if target.is_final:
            return tuple(steps)
    return ()


# --- Writing -----------------------------------------------------------------------


class _Writer:
    """Bulk inserts with explicit ids: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.next_event_id = 1

    def write(self, model: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if columns[0] != "id":  # timeline events: ids numbered here
            first = self.next_event_id
            self.next_event_id += len(rows)
            columns = ("id", *columns)
            rows = [(first + offset, *row) for offset, row in enumerate(rows)]
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        if self.vendor == "postgresql":
            copy_sql = f"COPY {table} ({names}) FROM STDIN"
            with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = self._adapter()
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(
                # Table and column names come from the models, never from input.
                f"INSERT INTO {table} ({names}) VALUES ({placeholders})",  # noqa: S608
                [tuple(adapt(value) for value in row) for row in rows],
            )

    @staticmethod
    def _adapter() -> Callable[[Any], Any]:
        ops = connection.ops

        def adapt(value: Any) -> Any:
            if isinstance(value, datetime):
                return ops.adapt_datetimefield_value(value)
            if isinstance(value, date):
                return ops.adapt_datefield_value(value)
            return value

        return adapt


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), [Case, CaseData, TimelineEvent])
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@contextmanager
def _bulk_load() -> Iterator[None]:
    """For this connection only: no statement log (DEBUG), and on SQLite no fsync
    (a crash during the seed loses the seed, never an older database) and a big
    page cache. Restored afterwards."""
    debug = settings.DEBUG
    settings.DEBUG = False
    # (SQLite refuses to change the safety level inside a transaction.)
    sqlite = connection.vendor == "sqlite" and not connection.in_atomic_block
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            (synchronous,) = cursor.fetchone()
            cursor.execute("PRAGMA cache_size")
            (cache_size,) = cursor.fetchone()
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        settings.DEBUG = debug
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous = {int(synchronous)}")
                cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
