"""Official documents: render and seal a 2-page certificate; a print batch of letters.

In a temporary SQLite site (migrated; the demo PKI, the default templates and a
two-page certificate template made by ``documents_seed_demo``-like set-up; the seal's
timestamps come from the demo timestamp authority over HTTP on loopback), one process
measures, after three warm-up documents:

1. **render only** (baseline): the template, the page with letterhead and QR code, and
   WeasyPrint's PDF/A-2a (tagged, fonts embedded), ``--requests`` times (default 40);
2. **seal only** (baseline): pyHanko's PAdES signature plus an RFC 3161 timestamp on
   the same rendered PDF, as often;
3. **render + seal** (subject): ``documents.services.document_issue`` end to end:
   registry data, render, seal, storage and database row, as often. Goal: p95 ≤ 1 s.
4. **print batch**: ``--messages`` letters (default 300) waiting for paper, gathered by
   ``print_batch_run`` into one print-ready PDF with a cover list; throughput in letters
   per second, extrapolated *linearly* to 10,000 letters for one process and for two
   processes on two cores (batches are claimed with SKIP LOCKED, so two workers print
   two batches side by side; the two-process figure assumes that scales, which is the
   optimistic side of honest).

Ratios: render+seal p95 ÷ (render p95 + seal p95): what storage, registry reads and the
database add to the two pure steps.
"""

from __future__ import annotations

from typing import Any

from . import BenchError
from ._common import Options, ratio, result, temporary_site

DESCRIPTION = "render+seal a 2-page certificate (p95) vs render-only and seal-only; print batch"

DEFAULT_DOCUMENTS = 40
DEFAULT_LETTERS = 300
EXTRAPOLATE_TO = 10_000

CHILD = """
import statistics, time
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from loket.core.models import Organisation
from loket.documents import rendering, services
from loket.documents.models import DocumentTemplate
from loket.documents.providers import sealer_get
from loket.documents.selectors import template_context
from loket.documents.types import format_code
from loket.notifications.services import notify
from loket.people.models import Address, Person, search_key
from loket.people.selectors import person_get
from loket.people.types import NationalNumber
import datetime as dt

n_docs, n_letters = {documents}, {letters}
Organisation.objects.create(
    kind="municipality", name="Stad Benchdorp", slug="benchdorp", nis_code="36007",
    street="Markt 1", postcode="8770", municipality="Benchdorp", email="info@bench.invalid",
    phone="051 00 00 00", is_primary=True,
)
services.documents_seed_demo()
long_body = DocumentTemplate.objects.get(key="register-extract", language="nl").body
paragraph = ("<p>Dit uittreksel vermeldt de gegevens zoals ze in het bevolkingsregister "
             "staan op de datum van opmaak. Wie een fout ziet, meldt die aan de dienst "
             "Burgerzaken; wij passen het register aan na controle van de stukken.</p>")
now = timezone.now()
DocumentTemplate.objects.create(
    key="bench-certificate", language="nl", version=1, kind="certificate",
    title="Uittreksel (twee pagina's)", body=long_body + paragraph * 9,
    published_at=now, updated_at=now,
)
persons = []
with transaction.atomic():
    for i in range(max(n_docs + 5, n_letters)):
        address = Address.objects.create(
            street_name=f"Straat {{i % 50}}", house_number=str(i + 1), postcode="8770",
            municipality_name="Benchdorp", nis_code="36007",
        )
        born = dt.date(1940, 1, 1) + dt.timedelta(days=i * 11)
        number = NationalNumber.compose(birth_date=born, gender="F", index=(i % 400) + 2)
        persons.append(Person.objects.create(
            national_number=number.value, first_name=f"Voornaam{{i}}", last_name=f"Naam{{i}}",
            search_name=search_key(f"Naam{{i}}", f"Voornaam{{i}}"), birth_date=born, gender="F",
            language="nl", address=address, prefers_paper=True,
        ))

def render(person):
    template = DocumentTemplate.objects.get(key="bench-certificate")
    summary = person_get(person_id=person.pk)
    context = template_context(person=summary, organisation=services.organisation_data(),
                               case={{}}, code="ABCD-EFGH-JKMN")
    body = rendering.body_render(template.body, context)
    html = rendering.page_html(title=template.title, language="nl", body_html=body, css="",
                               organisation=services.organisation_data(),
                               recipient={{"name": summary.full_name,
                                          "lines": ["Straat 1", "8770 Benchdorp"]}},
                               code="ABCD-EFGH-JKMN",
                               verify_url="http://127.0.0.1/verificatie/ABCDEFGHJKMN/")
    return rendering.pdf_render(html, title=template.title, language="nl")

sealer = sealer_get()
for person in persons[:3]:  # warm-up: fonts, the key, the TSA connection
    services.document_issue(actor=None, template_key="bench-certificate", person_id=person.pk)

render_times, seal_times, issue_times = [], [], []
pages = 0
for person in persons[3:3 + n_docs]:
    started = time.perf_counter()
    rendered = render(person)
    render_times.append(time.perf_counter() - started)
    pages = rendered.pages
    started = time.perf_counter()
    sealer.seal(rendered.pdf, reason="bench", location="Benchdorp")
    seal_times.append(time.perf_counter() - started)
    started = time.perf_counter()
    services.document_issue(actor=None, template_key="bench-certificate", person_id=person.pk)
    issue_times.append(time.perf_counter() - started)

for i, person in enumerate(persons[:n_letters]):
    notify(event="case-status-changed", person_id=person.pk,
           context={{"case_reference": f"2026-{{i:06d}}", "case_title": "Parkeerkaart",
                    "status": "approved", "case_url": "http://127.0.0.1/d/1"}},
           idempotency_key=f"bench-letter-{{i}}")
started = time.perf_counter()
batch = services.print_batch_run(actor=None, reference="bench-a", limit=n_letters)
batch_seconds = time.perf_counter() - started
result = {{
    "render": render_times, "seal": seal_times, "issue": issue_times, "pages": pages,
    "letters": batch.letter_count if batch else 0,
    "batch_pages": batch.page_count if batch else 0, "batch_seconds": batch_seconds,
}}
"""


def _p(values: list[float], fraction: float) -> float:
    from ._common import percentile

    return percentile(sorted(values), fraction)


def run(options: Options) -> dict[str, Any]:
    documents = options.requests or DEFAULT_DOCUMENTS
    letters = options.messages or DEFAULT_LETTERS
    if documents < 5 or letters < 10:
        raise BenchError("use at least 5 documents (--requests) and 10 letters (--messages)")
    with temporary_site() as site:
        options.log("migrating a temporary site")
        site.migrate()
        options.log(f"{documents} documents, {letters} letters")
        out = site.python(CHILD.format(documents=documents, letters=letters), timeout=3600)
    if out["pages"] != 2:
        raise BenchError(f"the bench certificate has {out['pages']} pages, not 2")
    render95, seal95, issue95 = (_p(out[k], 0.95) for k in ("render", "seal", "issue"))
    per_letter = out["batch_seconds"] / max(1, out["letters"])
    one_process = per_letter * EXTRAPOLATE_TO
    subject = {
        "name": "render + seal (document_issue)",
        "p50 ms": round(_p(out["issue"], 0.5) * 1000, 1),
        "p95 ms": round(issue95 * 1000, 1),
        "pages": out["pages"],
        "print batch letters": out["letters"],
        "print batch pages": out["batch_pages"],
        "print batch s": round(out["batch_seconds"], 2),
        "letters per s": round(out["letters"] / out["batch_seconds"], 1),
        "10k letters min (1 process)": round(one_process / 60, 1),
        "10k letters min (2 cores)": round(one_process / 120, 1),
    }
    baseline = {
        "name": "render only | seal only",
        "p50 ms": f"{_p(out['render'], 0.5) * 1000:.1f} | {_p(out['seal'], 0.5) * 1000:.1f}",
        "p95 ms": f"{render95 * 1000:.1f} | {seal95 * 1000:.1f}",
        "pages": out["pages"],
    }
    for key in list(subject)[4:]:  # the print batch has no baseline of its own
        baseline[key] = "-"
    return result(
        "documents",
        subject=subject,
        baseline=baseline,
        ratios={
            "issue p95 / (render p95 + seal p95)": ratio(issue95, render95 + seal95),
            "p95 vs goal 1 s": ratio(issue95, 1.0),
            "10k letters (2 cores) vs goal 30 min": ratio(one_process / 120, 30),
        },
        params={"documents": documents, "letters": letters},
        explain="the subject is the whole issue path; render and seal alone are its two "
        "pure steps, measured on the same certificate in the same process. Print figures "
        "are extrapolated linearly from one batch.",
    )
