"""Tariffs of a service: what a request costs, computed on the server only.

Pure functions over plain data (no database): a ``FeeRule`` (what staff set in the
service editor), the ``PartyFacts`` of who asks (resident of the municipality, an
association, a senior) and the form's answers go in; order lines for the payments
module come out. Amounts are integers in euro cents and include VAT.

A rule has a standard amount, either once (fixed) or per item (the quantity is the
answer to a form question the rule names, e.g. the number of hours), reduced tariffs
for categories (the lowest one that applies wins), a condition that makes the request
free (a form answer), and a VAT rate (0, 6 or 21 %).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.core.services import DomainError
from loket.payments.types import OrderLineInput, format_euros

SENIOR_AGE = 65
MAX_QUANTITY = 10_000
MAX_AMOUNT_CENTS = 100_000_000  # € 1 000 000: larger is a typing error, not a fee


class VatRate(models.TextChoices):
    NONE = "0", gettext_lazy("No VAT (0 %)")
    REDUCED = "6", gettext_lazy("6 %")
    STANDARD = "21", gettext_lazy("21 %")


class FeeKind(models.TextChoices):
    NONE = "none", gettext_lazy("Free (no fee)")
    FIXED = "fixed", gettext_lazy("A fixed amount")
    PER_ITEM = "per_item", gettext_lazy("An amount per item (hour, day, piece …)")


class TariffCategory(models.TextChoices):
    """Who may get a reduced tariff. The people with an increased allowance
    ("verhoogde tegemoetkoming") are not a category: the register does not know them."""

    RESIDENT = "resident", gettext_lazy("residents of the municipality")
    ASSOCIATION = "association", gettext_lazy("associations")
    SENIOR = "senior", gettext_lazy("seniors (65 and older)")


class FeeError(DomainError):
    """The answers do not allow the fee to be computed (e.g. the quantity is missing)."""


@dataclass(frozen=True, slots=True)
class FeeRule:
    """A service's fee as staff set it (see ``catalog.models.Fee``)."""

    label: str
    amount_cents: int
    quantity_field: str = ""  # per item when set: the form question with the quantity
    unit: str = ""  # what one item is, for residents: "uur", "dag", "jaar"
    vat_rate: str = VatRate.NONE
    reduced: Mapping[str, int] | None = None  # TariffCategory value → cents
    free_field: str = ""
    free_value: str = ""

    @property
    def per_item(self) -> bool:
        return bool(self.quantity_field)


@dataclass(frozen=True, slots=True)
class PartyFacts:
    """What the municipality knows of who asks (from its own register), nothing typed."""

    is_resident: bool = False
    is_association: bool = False
    age: int | None = None

    def categories(self) -> set[str]:
        found = set()
        if self.is_resident:
            found.add(TariffCategory.RESIDENT.value)
        if self.is_association:
            found.add(TariffCategory.ASSOCIATION.value)
        if self.age is not None and self.age >= SENIOR_AGE:
            found.add(TariffCategory.SENIOR.value)
        return found


# --- Money as residents read it ------------------------------------------------------


_AMOUNT = re.compile(r"^\d{1,9}([.,]\d{1,2})?$")


def parse_euros(text: str) -> int:
    """What staff type (``15``, ``15,5``, ``15.50``, ``€ 1.250,00``) → cents; raises
    ``ValueError`` for anything else (negative amounts included)."""
    cleaned = str(text).replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d{1,2})?", cleaned):
        cleaned = cleaned.replace(".", "")  # 1.250,00: dots group thousands
    if not _AMOUNT.match(cleaned):
        raise ValueError(cleaned)
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover - the pattern rules it out
        raise ValueError(cleaned) from error
    cents = int((value * 100).to_integral_value())
    if cents > MAX_AMOUNT_CENTS:
        raise ValueError(cleaned)
    return cents


# --- Computing a fee -----------------------------------------------------------------


def _matches(answer: Any, expected: str) -> bool:
    expected = expected.strip().lower()
    if isinstance(answer, bool):
        return expected in ({"yes", "ja", "true", "1"} if answer else {"no", "nee", "false", "0"})
    if isinstance(answer, list | tuple):
        return any(_matches(item, expected) for item in answer)
    return str(answer if answer is not None else "").strip().lower() == expected


def is_free(rule: FeeRule, answers: Mapping[str, Any]) -> bool:
    return bool(rule.free_field) and _matches(answers.get(rule.free_field), rule.free_value)


def tariff_for(rule: FeeRule, facts: PartyFacts) -> tuple[int, str]:
    """The unit amount that applies and the category it is for ("" for the standard
    amount): the lowest of the standard amount and the reduced tariffs that apply."""
    best, category = rule.amount_cents, ""
    for key in sorted(facts.categories()):
        reduced = (rule.reduced or {}).get(key)
        if reduced is not None and reduced < best:
            best, category = reduced, key
    return best, category


def quantity_from(rule: FeeRule, answers: Mapping[str, Any]) -> int:
    if not rule.per_item:
        return 1
    raw = answers.get(rule.quantity_field)
    try:
        value = Decimal(str(raw).strip().replace(",", ".")) if raw not in (None, "") else None
    except InvalidOperation:
        value = None
    if value is None or value != value.to_integral_value() or value < 1:
        raise FeeError(
            _(
                "The fee cannot be computed: the number of %(unit)s is missing "
                "or not a whole number."
            )
            % {"unit": rule.unit or _("items")}
        )
    if value > MAX_QUANTITY:
        raise FeeError(_("The fee cannot be computed: the number is too large."))
    return int(value)


def fee_compute(
    rule: FeeRule | None, facts: PartyFacts, answers: Mapping[str, Any]
) -> list[OrderLineInput]:
    """The order lines of a request: empty when nothing is due (no fee, a condition
    that makes it free, or a tariff of € 0). Raises ``FeeError`` when a per-item fee
    has no usable quantity in the answers."""
    if rule is None or is_free(rule, answers):
        return []
    unit_cents, category = tariff_for(rule, facts)
    if unit_cents <= 0:
        return []
    quantity = quantity_from(rule, answers)
    description = rule.label.strip() or _("Fee")
    details = []
    if rule.per_item and rule.unit:
        details.append(_("per %(unit)s") % {"unit": rule.unit})
    if category:
        details.append(_("tariff for %(category)s") % {"category": TariffCategory(category).label})
    if details:
        description = f"{description} ({', '.join(details)})"
    return [
        OrderLineInput(
            description=description[:200],
            unit_cents=unit_cents,
            quantity=quantity,
            vat_rate=rule.vat_rate or VatRate.NONE,
        )
    ]


def lines_total(lines: list[OrderLineInput]) -> int:
    return sum(line.unit_cents * line.quantity for line in lines)


# --- The cost in clear language ------------------------------------------------------


def fee_summary(rule: FeeRule | None, *, free_label: str = "") -> str:
    """The cost as the service page shows it, e.g. "€ 15,00; € 7,50 for seniors (65
    and older)". ``free_label`` is the question of the free condition, for residents."""
    if rule is None:
        return ""
    per = (" " + _("per %(unit)s") % {"unit": rule.unit}) if rule.per_item and rule.unit else ""
    standard = f"{format_euros(rule.amount_cents)}{per}" if rule.amount_cents else _("Free")
    parts = [standard]
    for key in TariffCategory.values:
        reduced = (rule.reduced or {}).get(key)
        if reduced is None or reduced >= rule.amount_cents:
            continue
        label = TariffCategory(key).label
        if reduced == 0:
            parts.append(_("free for %(category)s") % {"category": label})
        else:
            parts.append(
                _("%(amount)s for %(category)s")
                % {"amount": f"{format_euros(reduced)}{per}", "category": label}
            )
    if rule.free_field and rule.amount_cents:
        parts.append(
            _("free when “%(question)s” is answered “%(value)s”")
            % {"question": free_label or rule.free_field, "value": rule.free_value}
        )
    text = "; ".join(parts)
    if rule.vat_rate and rule.vat_rate != VatRate.NONE and rule.amount_cents:
        text += " " + _("(VAT of %(rate)s %% included)") % {"rate": rule.vat_rate}
    return text
