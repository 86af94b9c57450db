"""The templates every municipality starts with (Dutch and English); staff adapt them
in the back office. Placeholders: see ``docs/architecture.md`` ("Documents")."""

from __future__ import annotations

from loket.documents.constants import (
    TEMPLATE_DECISION,
    TEMPLATE_HOUSEHOLD,
    TEMPLATE_LIFE,
    TEMPLATE_PAYMENT_RECEIPT,
    TEMPLATE_REGISTER_EXTRACT,
    TEMPLATE_RESIDENCE,
    DocumentKind,
)

_PERSON_NL = """
<table>
  <tr><th scope="row">Naam</th><td>{{ person.full_name }}</td></tr>
  <tr><th scope="row">Geboortedatum</th><td>{{ person.birth_date|date:"d/m/Y" }}</td></tr>
  <tr><th scope="row">Rijksregisternummer</th><td>{{ person.masked_national_number }}</td></tr>
  <tr><th scope="row">Adres</th><td>{{ person.address }}</td></tr>
</table>"""

_PERSON_EN = """
<table>
  <tr><th scope="row">Name</th><td>{{ person.full_name }}</td></tr>
  <tr><th scope="row">Date of birth</th><td>{{ person.birth_date|date:"d/m/Y" }}</td></tr>
  <tr><th scope="row">National number</th><td>{{ person.masked_national_number }}</td></tr>
  <tr><th scope="row">Address</th><td>{{ person.address }}</td></tr>
</table>"""

_SIGN_NL = """
<p>Opgemaakt te {{ municipality.municipality }} op {{ today|date:"d/m/Y" }}, op basis van
het bevolkingsregister.</p>
<p>Dit document is elektronisch verzegeld door {{ municipality.name }} en heeft daardoor
dezelfde waarde als een ondertekend papieren attest.</p>"""

_SIGN_EN = """
<p>Drawn up in {{ municipality.municipality }} on {{ today|date:"d/m/Y" }}, from the
population register.</p>
<p>This document carries the electronic seal of {{ municipality.name }} and so has the same
value as a signed paper certificate.</p>"""

_MEMBERS_NL = """
<table>
  <thead><tr>
    <th scope="col">Naam</th><th scope="col">Geboortedatum</th><th scope="col">Relatie</th>
  </tr></thead>
  <tbody>
  {% for member in household.members %}
    <tr><td>{{ member.full_name }}</td><td>{{ member.birth_date|date:"d/m/Y" }}</td>
      <td>{{ member.relation }}</td></tr>
  {% empty %}
    <tr><td colspan="3">{{ person.full_name }} woont alleen.</td></tr>
  {% endfor %}
  </tbody>
</table>"""

_MEMBERS_EN = """
<table>
  <thead><tr>
    <th scope="col">Name</th><th scope="col">Date of birth</th><th scope="col">Relation</th>
  </tr></thead>
  <tbody>
  {% for member in household.members %}
    <tr><td>{{ member.full_name }}</td><td>{{ member.birth_date|date:"d/m/Y" }}</td>
      <td>{{ member.relation }}</td></tr>
  {% empty %}
    <tr><td colspan="3">{{ person.full_name }} lives alone.</td></tr>
  {% endfor %}
  </tbody>
</table>"""

# The payments module fills ``case`` with the order: reference, title, lines (each with
# description, quantity, unit, vat_rate, total), total, vat, paid, refunded, payments
# and refunds (each with date, method, amount, state), communication. Amounts arrive
# formatted ("€ 12,50").
_RECEIPT_TABLES_NL = """
<p><strong>Bestelling:</strong> {{ case.reference }}{% if case.case_reference %} –
<strong>dossier:</strong> {{ case.case_reference }}{% endif %}</p>
<table>
  <thead><tr><th scope="col">Omschrijving</th><th scope="col">Aantal</th>
    <th scope="col">Eenheidsprijs</th><th scope="col">Btw</th>
    <th scope="col">Totaal</th></tr></thead>
  <tbody>
  {% for line in case.lines %}
    <tr><td>{{ line.description }}</td><td>{{ line.quantity }}</td><td>{{ line.unit }}</td>
      <td>{{ line.vat_rate }} %</td><td>{{ line.total }}</td></tr>
  {% endfor %}
  </tbody>
  <tfoot>
    <tr><th scope="row" colspan="4">Totaal (btw inbegrepen)</th><td>{{ case.total }}</td></tr>
    <tr><th scope="row" colspan="4">Waarvan btw</th><td>{{ case.vat }}</td></tr>
  </tfoot>
</table>
<h2>Betalingen</h2>
<table>
  <thead><tr><th scope="col">Datum</th>
    <th scope="col">Hoe</th>
    <th scope="col">Bedrag</th></tr></thead>
  <tbody>
  {% for payment in case.payments %}
    <tr><td>{{ payment.date }}</td><td>{{ payment.method }}</td><td>{{ payment.amount }}</td></tr>
  {% endfor %}
  </tbody>
</table>
<p><strong>Betaald:</strong> {{ case.paid }}</p>
{% if case.refunds %}
<h2>Terugbetalingen</h2>
<table>
  <thead><tr><th scope="col">Datum</th>
    <th scope="col">Bedrag</th>
    <th scope="col">Stand</th></tr></thead>
  <tbody>
  {% for refund in case.refunds %}
    <tr><td>{{ refund.date }}</td><td>{{ refund.amount }}</td><td>{{ refund.state }}</td></tr>
  {% endfor %}
  </tbody>
</table>
<p><strong>Terugbetaald:</strong> {{ case.refunded }}</p>
{% endif %}"""

_RECEIPT_TABLES_EN = """
<p><strong>Order:</strong> {{ case.reference }}{% if case.case_reference %} –
<strong>case:</strong> {{ case.case_reference }}{% endif %}</p>
<table>
  <thead><tr><th scope="col">Description</th><th scope="col">Quantity</th>
    <th scope="col">Unit price</th><th scope="col">VAT</th>
    <th scope="col">Total</th></tr></thead>
  <tbody>
  {% for line in case.lines %}
    <tr><td>{{ line.description }}</td><td>{{ line.quantity }}</td><td>{{ line.unit }}</td>
      <td>{{ line.vat_rate }} %</td><td>{{ line.total }}</td></tr>
  {% endfor %}
  </tbody>
  <tfoot>
    <tr><th scope="row" colspan="4">Total (VAT included)</th><td>{{ case.total }}</td></tr>
    <tr><th scope="row" colspan="4">Of which VAT</th><td>{{ case.vat }}</td></tr>
  </tfoot>
</table>
<h2>Payments</h2>
<table>
  <thead><tr><th scope="col">Date</th>
    <th scope="col">How</th>
    <th scope="col">Amount</th></tr></thead>
  <tbody>
  {% for payment in case.payments %}
    <tr><td>{{ payment.date }}</td><td>{{ payment.method }}</td><td>{{ payment.amount }}</td></tr>
  {% endfor %}
  </tbody>
</table>
<p><strong>Paid:</strong> {{ case.paid }}</p>
{% if case.refunds %}
<h2>Refunds</h2>
<table>
  <thead><tr><th scope="col">Date</th>
    <th scope="col">Amount</th>
    <th scope="col">State</th></tr></thead>
  <tbody>
  {% for refund in case.refunds %}
    <tr><td>{{ refund.date }}</td><td>{{ refund.amount }}</td><td>{{ refund.state }}</td></tr>
  {% endfor %}
  </tbody>
</table>
<p><strong>Refunded:</strong> {{ case.refunded }}</p>
{% endif %}"""

DEFAULT_TEMPLATES: list[dict[str, object]] = [
    {
        "key": TEMPLATE_RESIDENCE,
        "kind": DocumentKind.CERTIFICATE,
        "self_service": True,
        "nl": (
            "Bewijs van woonst",
            "<h1>Bewijs van woonst</h1>\n<p>De burgemeester van {{ municipality.municipality }} "
            "verklaart dat de volgende persoon in het bevolkingsregister ingeschreven is op "
            "het vermelde adres.</p>" + _PERSON_NL + _SIGN_NL,
        ),
        "en": (
            "Residence certificate",
            "<h1>Residence certificate</h1>\n<p>The mayor of {{ municipality.municipality }} "
            "declares that the following person is registered in the population register at "
            "the address below.</p>" + _PERSON_EN + _SIGN_EN,
        ),
    },
    {
        "key": TEMPLATE_HOUSEHOLD,
        "kind": DocumentKind.CERTIFICATE,
        "self_service": True,
        "nl": (
            "Gezinssamenstelling",
            "<h1>Gezinssamenstelling</h1>\n<p>Uit het bevolkingsregister blijkt dat het gezin "
            "van {{ person.full_name }}, {{ person.address }}, bestaat uit:</p>"
            + _MEMBERS_NL
            + _SIGN_NL,
        ),
        "en": (
            "Household composition",
            "<h1>Household composition</h1>\n<p>The population register shows that the "
            "household of {{ person.full_name }}, {{ person.address }}, consists of:</p>"
            + _MEMBERS_EN
            + _SIGN_EN,
        ),
    },
    {
        "key": TEMPLATE_REGISTER_EXTRACT,
        "kind": DocumentKind.CERTIFICATE,
        "self_service": False,
        "nl": (
            "Uittreksel uit het bevolkingsregister",
            "<h1>Uittreksel uit het bevolkingsregister</h1>"
            + _PERSON_NL
            + "<h2>Gezin</h2>"
            + _MEMBERS_NL
            + _SIGN_NL,
        ),
        "en": (
            "Extract from the population register",
            "<h1>Extract from the population register</h1>"
            + _PERSON_EN
            + "<h2>Household</h2>"
            + _MEMBERS_EN
            + _SIGN_EN,
        ),
    },
    {
        "key": TEMPLATE_LIFE,
        "kind": DocumentKind.CERTIFICATE,
        "self_service": True,
        "nl": (
            "Attest van leven",
            "<h1>Attest van leven</h1>\n<p>De burgemeester van {{ municipality.municipality }} "
            'verklaart dat de volgende persoon op {{ today|date:"d/m/Y" }} in leven is.</p>'
            + _PERSON_NL
            + _SIGN_NL,
        ),
        "en": (
            "Certificate of life",
            "<h1>Certificate of life</h1>\n<p>The mayor of {{ municipality.municipality }} "
            'declares that the following person is alive on {{ today|date:"d/m/Y" }}.</p>'
            + _PERSON_EN
            + _SIGN_EN,
        ),
    },
    {
        "key": TEMPLATE_DECISION,
        "kind": DocumentKind.LETTER,
        "self_service": False,
        "nl": (
            "Beslissing",
            '<p>{{ municipality.municipality }}, {{ today|date:"d/m/Y" }}</p>\n'
            '<p><strong>Ons kenmerk:</strong> {{ case.reference|default:"-" }}</p>\n'
            '<h1>Beslissing over {{ case.title|default:"uw aanvraag" }}</h1>\n'
            "<p>Beste {{ person.full_name }},</p>\n"
            '<p>{{ case.decision|default:"Wij hebben uw aanvraag behandeld."|linebreaksbr }}</p>\n'
            "<p>Met vriendelijke groeten,<br>{{ municipality.name }}</p>",
        ),
        "en": (
            "Decision",
            '<p>{{ municipality.municipality }}, {{ today|date:"d/m/Y" }}</p>\n'
            '<p><strong>Our reference:</strong> {{ case.reference|default:"-" }}</p>\n'
            '<h1>Decision on {{ case.title|default:"your request" }}</h1>\n'
            "<p>Dear {{ person.full_name }},</p>\n"
            '<p>{{ case.decision|default:"We have handled your request."|linebreaksbr }}</p>\n'
            "<p>Kind regards,<br>{{ municipality.name }}</p>",
        ),
    },
    {
        "key": TEMPLATE_PAYMENT_RECEIPT,
        "kind": DocumentKind.LETTER,
        "self_service": False,
        "nl": (
            "Ontvangstbewijs",
            '<p>{{ municipality.municipality }}, {{ today|date:"d/m/Y" }}</p>\n'
            "<h1>Ontvangstbewijs: {{ case.title }}</h1>\n"
            "<p>{{ municipality.name }} bevestigt dat het volgende bedrag betaald is.</p>"
            + _RECEIPT_TABLES_NL,
        ),
        "en": (
            "Receipt",
            '<p>{{ municipality.municipality }}, {{ today|date:"d/m/Y" }}</p>\n'
            "<h1>Receipt: {{ case.title }}</h1>\n"
            "<p>{{ municipality.name }} confirms that the amount below was paid.</p>"
            + _RECEIPT_TABLES_EN,
        ),
    },
]
