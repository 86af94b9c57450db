"""Payments in a real browser (issue "payments", done when): a persona rents a room,
the handler asks for the fee, the persona pays on the LOCAL payment provider's hosted
page and comes back, and the case has moved on by itself; a second persona's fee is
paid by bank transfer, found in a CAMT.053 statement that finance staff import in the
back office. axe-core finds no violations on the pages on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyotp
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from loket.accounts.staff.tests.helpers import with_authenticator_app
from loket.core.constants import RoleSlug
from loket.core.tests.factories import MembershipFactory, OrganisationFactory, StaffFactory
from loket.demo.constants import PERSONAS
from loket.demo.services import persona_households
from loket.people.services import population_import
from loket.simulators.oidc_provider import Client, start_in_thread
from loket.simulators.payment_provider import PaymentProvider

pytestmark = pytest.mark.browser

CLIENT_ID, CLIENT_SECRET = "loket-browser-payments", "loket-browser-payments-secret"
PASSWORD = "correct-horse-battery-staple"
IBAN = "BE68539007547034"
API_KEY = "test_key_browser_payments"
WEBHOOK_SECRET = "whsec_YnJvd3Nlci1wYXltZW50cy13ZWJob29rLXNlY3JldA=="


@pytest.fixture
def town(settings, live_server, transactional_db, audit_log_emptied_after) -> Iterator[object]:
    """The municipality with its bank account, the demo catalogue (with fees) and case
    types, the personas, the demo identity provider, the local payment provider on
    loopback (its webhooks go to the live server), a handler and a finance officer."""
    from django.core.cache import cache

    from loket.cases.services import case_types_link_services, case_types_seed_demo
    from loket.catalog.services import catalog_seed_demo
    from loket.core.models import Department
    from loket.payments.tests.factories import BankAccountFactory

    running = start_in_thread(
        personas=PERSONAS,
        clients=[Client(CLIENT_ID, CLIENT_SECRET, ("http://localhost:", "http://127.0.0.1:"))],
        environment="development",
    )
    settings.LOKET_OIDC_ENABLED = True
    settings.LOKET_OIDC_DIALECT = "fas"
    settings.LOKET_OIDC_ISSUER = running.issuer("fas")
    settings.LOKET_OIDC_CLIENT_ID = CLIENT_ID
    settings.LOKET_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.LOKET_OIDC_SCOPES = "openid profile egovnrn"
    provider = PaymentProvider(api_key=API_KEY, webhook_secret=WEBHOOK_SECRET)
    provider.start()
    settings.LOKET_PAYMENT_PROVIDER = "local"
    settings.LOKET_PAYMENT_LOCAL_URL = provider.url
    settings.LOKET_PAYMENT_API_KEY = API_KEY
    settings.LOKET_PAYMENT_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.LOKET_BASE_URL = live_server.url
    municipality = OrganisationFactory(
        name="Stad Mandelmunster", is_primary=True, municipality="Mandelmunster"
    )
    BankAccountFactory(organisation=municipality, iban=IBAN, holder="Stad Mandelmunster")
    case_types_seed_demo()
    catalog_seed_demo()
    case_types_link_services()
    population_import(actor=None, households=persona_households(), reason="browser test")
    leisure = Department.objects.get(slug="vrije-tijd")
    MembershipFactory(
        user=StaffFactory(username="vera", first_name="Vera"),
        department=leisure,
        role=RoleSlug.HANDLER,
    )
    MembershipFactory(
        user=StaffFactory(username="fien", first_name="Fien"), department=leisure, role="finance"
    )
    cache.clear()
    yield provider
    provider.stop()
    running.stop()


def _axe(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def _resident_logs_in(page, persona_key: str) -> None:
    page.goto("/aanmelden/")
    page.check("#method-itsme")
    page.locator('form[action="/aanmelden/start/"] button[type="submit"]').click()
    page.wait_for_url(re.compile(r".*/fas/authorize.*"))
    page.check(f"#persona-{persona_key}")
    page.check("#method-itsme")
    page.locator('button[name="login"]').click()
    page.wait_for_url(re.compile(r".*/mijn-gegevens/$"))


def _staff_logs_in(page, username: str, next_url: str) -> None:
    secret = with_authenticator_app(get_user_model().objects.get(username=username))
    page.goto(f"/backoffice/aanmelden/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/aanmelden/tweede-stap/")
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{next_url}")


def _staff_page(browser, live_server) -> object:
    context = browser.new_context(
        base_url=live_server.url, locale="nl-BE", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def _transition(page, name: str) -> None:
    page.locator('button[name="transition"]', has_text=name).click()
    page.wait_for_load_state()
    assert page.locator(".alert--error").count() == 0, page.locator("main").inner_text()


def _camt053(*, amount_cents: int, communication: str) -> bytes:
    """A bank statement of the municipality's account with one incoming transfer."""
    today = timezone.localdate().isoformat()
    amount = f"{amount_cents // 100}.{amount_cents % 100:02d}"
    digits = "".join(ch for ch in communication if ch.isdigit())
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>STMT-BROWSER-1</MsgId><CreDtTm>{today}T06:00:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>2026-0999</Id>
      <ElctrncSeqNb>999</ElctrncSeqNb>
      <CreDtTm>{today}T06:00:00+01:00</CreDtTm>
      <Acct><Id><IBAN>{IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Ntry>
        <NtryRef>1</NtryRef>
        <Amt Ccy="EUR">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>{today}</Dt></BookgDt>
        <ValDt><Dt>{today}</Dt></ValDt>
        <AcctSvcrRef>BROWSER-000001</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <RltdPties>
            <Dbtr><Pty><Nm>Payer</Nm></Pty></Dbtr>
            <DbtrAcct><Id><IBAN>BE71096123456769</IBAN></Id></DbtrAcct>
          </RltdPties>
          <RmtInf><Strd><CdtrRefInf>
            <Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>BBA</Issr></Tp>
            <Ref>{digits}</Ref>
          </CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()


def _room_request(page) -> str:
    """The logged-in persona rents the small hall for 3 hours; returns the reference."""
    import datetime as dt

    from loket.cases.models import Case

    page.goto("/diensten/zaalhuur/")
    assert "per uur" in page.locator("#cost").locator("..").inner_text()
    page.goto("/aanvragen/zaalhuur/")
    _axe(page)
    page.check("[name=f-zaal][value=klein]")
    page.fill("[name=f-datum]", (timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.fill("[name=f-uren]", "3")
    page.check("[name=f-vereniging][value=no]")
    page.fill("[name=f-activiteit]", "Verjaardagsfeest")
    page.locator("main form button[type=submit]:not([name=terug])").first.click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() == 0, page.locator("main").inner_text()
    page.locator('button[name="actie"][value="indienen"]').click()
    page.wait_for_url(re.compile(r".*/aanvragen/ingediend/.*"))
    return Case.objects.order_by("-pk").first().reference


def test_a_fee_paid_online_and_one_paid_by_transfer_move_their_cases_on(
    page, town, browser, live_server
):
    from loket.cases.models import Case
    from loket.cases.services import case_assign, case_submit, case_transition
    from loket.cases.types import PartyRef
    from loket.payments.selectors import orders_for_case
    from loket.people.models import Person

    page.set_default_timeout(10_000)
    _resident_logs_in(page, "jong-gezin")
    reference = _room_request(page)

    staff = _staff_page(browser, live_server)
    try:
        _staff_logs_in(staff, "vera", "/backoffice/dossiers/")
        staff.goto(f"/backoffice/dossiers/{reference}/")
        user = get_user_model().objects.get(username="vera")
        staff.locator("select[name=assignee]").select_option(str(user.pk))
        staff.locator("form[action$='/toewijzen/'] button[type=submit]").click()
        staff.wait_for_load_state()
        _transition(staff, "In behandeling nemen")
        _transition(staff, "Betaling vragen")
        assert Case.objects.get(reference=reference).status.key == "awaiting-payment"
        # The handler sees the order; no "payment received" by hand while it is open.
        manual = staff.locator('button[name="transition"]', has_text="Betaling ontvangen")
        assert manual.count() == 0
        _axe(staff)
    finally:
        staff.context.close()

    # The resident: the fee (a resident's tariff: 3 × € 15) and a "Pay" button.
    page.goto("/mijn-dossiers/")
    assert "45,00" in page.locator("tr", has_text=reference).inner_text()
    _axe(page)
    page.goto(f"/mijn-dossiers/{reference}/")
    payment = page.locator("#payment")
    assert "45,00" in payment.inner_text()
    _axe(page)
    payment.locator("a.button").click()
    page.wait_for_url(re.compile(r".*/betalen/bestelling/.*"))
    _axe(page)
    page.locator("main form[action$='/betalen/'] button[type=submit]").click()
    # The local provider's hosted page (another origin on loopback): pay.
    page.wait_for_url(re.compile(r".*/checkout/.*"))
    page.locator('button[name="choice"][value="paid"]').click()
    page.wait_for_url(re.compile(r".*/betalen/terug/.*"))
    page.wait_for_load_state()
    _axe(page)

    case = Case.objects.get(reference=reference)
    assert case.status.key == "in-progress"
    assert case.payment_status == "received"
    page.goto(f"/mijn-dossiers/{reference}/")
    assert "In behandeling" in page.locator("main").inner_text()
    assert "45,00" in page.locator("ol.timeline").inner_text()
    _axe(page)

    # A second persona (Maria) pays by bank transfer: a statement matches her order.
    person = Person.objects.get(first_name="Maria", last_name="Vanneste")
    handler = get_user_model().objects.get(username="vera")
    submitted = case_submit(
        actor=None,
        case_type_slug="zaalhuur",
        data={"zaal": "vergader", "uren": "2", "vereniging": False, "activiteit": "Vergadering"},
        party=PartyRef(kind="person", id=person.pk, label=str(person), person_id=person.pk),
        checked_by_form_engine=True,
    )
    second = case_transition(
        actor=handler, case_id=submitted.case_id, transition="start", expected_version=1
    )
    case_assign(actor=handler, case_ids=[second.pk], assignee_id=handler.pk)
    second.refresh_from_db()
    second = case_transition(
        actor=handler, case_id=second.pk, transition="ask-payment", expected_version=second.version
    )
    (order,) = orders_for_case(case_id=second.pk)

    finance = _staff_page(browser, live_server)
    try:
        _staff_logs_in(finance, "fien", "/backoffice/betalingen/rekeninguittreksels/")
        _axe(finance)
        finance.set_input_files(
            "input[type=file]",
            files=[
                {
                    "name": "uittreksel.xml",
                    "mimeType": "application/xml",
                    "buffer": _camt053(
                        amount_cents=order.total_cents,
                        communication=order.structured_communication,
                    ),
                }
            ],
        )
        finance.locator("main form button[type=submit]").click()
        finance.wait_for_load_state()
        assert finance.locator(".alert--error").count() == 0, finance.locator("main").inner_text()
        assert finance.locator("main table").count() == 1  # the imported statement listed
        _axe(finance)
    finally:
        finance.context.close()

    second.refresh_from_db()
    assert orders_for_case(case_id=second.pk)[0].is_paid
    assert second.status.key == "in-progress"
    assert second.payment_status == "received"
    maria = _staff_page(browser, live_server)
    try:
        _resident_logs_in(maria, "senior-papier")
        maria.goto(f"/mijn-dossiers/{second.reference}/")
        assert "In behandeling" in maria.locator("main").inner_text()
        assert "Nog te betalen" not in maria.locator("main").inner_text()
        _axe(maria)
    finally:
        maria.context.close()
