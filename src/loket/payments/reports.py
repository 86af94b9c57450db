"""Reads for finance: the daily reconciliation and the bookkeeping export.

Both are limited to the orders the staff member may see (``permissions.orders_filter``;
finance sees every order). The reconciliation adds up per day what was received online
(per provider), by transfer and at the counter, and what was refunded; its totals are
the sums of its days, and the export of the same period adds up to the same net amount.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.core.constants import Permission
from loket.payments import permissions
from loket.payments.constants import (
    OrderStatus,
    PaymentMethod,
    PaymentState,
    ProviderName,
    RefundState,
    TransactionMatch,
)
from loket.payments.models import BankTransaction, Order, Payment, Refund

MAX_REPORT_DAYS = 92
"""The longest period of one report or export (a quarter)."""


@dataclass
class DayTotals:
    day: date | None  # None: the totals row
    online: dict[str, int] = field(default_factory=dict)  # provider → cents
    transfers: int = 0
    counter: int = 0
    refunds: int = 0
    # Finance only: money that reached the bank account that day (incoming lines of
    # the imported statements) and the part of it not matched to an order.
    bank_received: int = 0
    bank_not_matched: int = 0

    @property
    def bank_adds_up(self) -> bool:
        """Every euro on the bank account is a transfer payment or waits for staff."""
        return self.bank_received == self.transfers + self.bank_not_matched

    @property
    def online_total(self) -> int:
        return sum(self.online.values())

    @property
    def received(self) -> int:
        return self.online_total + self.transfers + self.counter

    @property
    def net(self) -> int:
        return self.received - self.refunds

    def add(self, other: DayTotals) -> None:
        for provider, cents in other.online.items():
            self.online[provider] = self.online.get(provider, 0) + cents
        self.transfers += other.transfers
        self.counter += other.counter
        self.refunds += other.refunds
        self.bank_received += other.bank_received
        self.bank_not_matched += other.bank_not_matched


@dataclass
class Reconciliation:
    start: date
    end: date
    providers: list[tuple[str, str]]  # (code, label) of providers with money
    days: list[DayTotals]
    totals: DayTotals
    open_orders: int
    open_cents: int
    unmatched_lines: int
    unmatched_cents: int
    flagged_orders: int
    with_bank: bool = False  # the bank columns are filled (finance sees every order)

    def online_cells(self, row: DayTotals) -> list[int]:
        return [row.online.get(code, 0) for code, _label in self.providers]


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _orders(user: Any) -> Q | None:
    return permissions.orders_filter(user, Permission.PAYMENTS_VIEW)


def _via(condition: Q, path: str) -> Q:
    """``condition`` on Order for a model that reaches its order through ``path``."""
    if not condition.children and not condition.negated:
        return Q()  # every order
    return Q(**{f"{path}__in": Order.objects.filter(condition).values("pk")})


def reconciliation(*, user: Any, start: date, end: date) -> Reconciliation:
    """Per day of [start, end]: money received per channel and refunds, with totals;
    and, as of now, the open orders and the bank lines nobody matched yet."""
    condition = _orders(user)
    if condition is None:
        condition = Q(pk__in=[])
    begin, finish = _bounds(start, end)
    zone = timezone.get_current_timezone()
    rows: dict[date, DayTotals] = {}
    day = start
    while day <= end:
        rows[day] = DayTotals(day=day)
        day += timedelta(days=1)

    paid = Payment.objects.filter(_via(condition, "order"), state=PaymentState.PAID)
    # A transfer counts on the day the bank booked it (as on the bank statement);
    # everything else on the day it was paid.
    by_payment_day = (
        paid.filter(paid_at__gte=begin, paid_at__lt=finish)
        .exclude(bank_transaction__isnull=False)
        .annotate(day=TruncDate("paid_at", tzinfo=zone))
        .values("day", "method", "provider")
        .annotate(cents=Sum("amount_cents"))
    )
    by_booking_day = (
        paid.filter(
            bank_transaction__booking_date__gte=start, bank_transaction__booking_date__lte=end
        )
        .values("bank_transaction__booking_date", "method", "provider")
        .annotate(cents=Sum("amount_cents"))
    )
    items = list(by_payment_day) + [
        {**item, "day": item["bank_transaction__booking_date"]} for item in by_booking_day
    ]
    providers: set[str] = set()
    for item in items:
        row = rows.get(item["day"])
        if row is None:  # pragma: no cover - outside the range by rounding
            continue
        if item["method"] == PaymentMethod.ONLINE:
            provider = item["provider"] or "?"
            providers.add(provider)
            row.online[provider] = row.online.get(provider, 0) + item["cents"]
        elif item["method"] == PaymentMethod.TRANSFER:
            row.transfers += item["cents"]
        else:
            row.counter += item["cents"]

    refunds = (
        Refund.objects.filter(
            _via(condition, "payment__order"),
            state=RefundState.DONE,
            done_at__gte=begin,
            done_at__lt=finish,
        )
        .annotate(day=TruncDate("done_at", tzinfo=zone))
        .values("day")
        .annotate(cents=Sum("amount_cents"))
    )
    for item in refunds:
        if item["day"] in rows:
            rows[item["day"]].refunds += item["cents"]

    with_bank = permissions.can_manage(user, None) and not condition.children
    if with_bank:
        lines = (
            BankTransaction.objects.filter(
                amount_cents__gt=0, booking_date__gte=start, booking_date__lte=end
            )
            .values("booking_date", "match")
            .annotate(cents=Sum("amount_cents"))
        )
        for item in lines:
            row = rows[item["booking_date"]]
            row.bank_received += item["cents"]
            if item["match"] != TransactionMatch.MATCHED:
                row.bank_not_matched += item["cents"]

    totals = DayTotals(day=None)
    for row in rows.values():
        totals.add(row)
    open_orders = Order.objects.filter(condition, status=OrderStatus.OPEN).aggregate(
        count=Count("pk"), total=Sum("total_cents"), paid=Sum("paid_cents")
    )
    unmatched = BankTransaction.objects.filter(match=TransactionMatch.UNMATCHED).aggregate(
        count=Count("pk"), cents=Sum("amount_cents")
    )
    labels = dict(ProviderName.choices)
    return Reconciliation(
        start=start,
        end=end,
        providers=[(code, str(labels.get(code, code))) for code in sorted(providers)],
        days=list(rows.values()),
        totals=totals,
        open_orders=open_orders["count"] or 0,
        open_cents=(open_orders["total"] or 0) - (open_orders["paid"] or 0),
        unmatched_lines=unmatched["count"] or 0,
        unmatched_cents=unmatched["cents"] or 0,
        flagged_orders=Order.objects.filter(condition).exclude(flag="").count(),
        with_bank=with_bank,
    )


# --- bookkeeping export ----------------------------------------------------------------


def euro_text(cents: int) -> str:
    """Cents as Belgian spreadsheets read them: ``-1234,50`` (decimal comma, no
    thousands separator)."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100},{cents % 100:02d}"


def _vat_part(vat_cents: int, total_cents: int, amount_cents: int) -> int:
    if not total_cents or not vat_cents:
        return 0
    share = Decimal(vat_cents) * Decimal(amount_cents) / Decimal(total_cents)
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _cell(value: str) -> str:
    """A text cell that a spreadsheet never runs as a formula."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def communication_text(digits: str) -> str:
    if len(digits) != 12:
        return digits
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def export_header() -> list[str]:
    return [
        _("Date"),
        _("Order"),
        _("Structured communication"),
        _("Description"),
        _("Method"),
        _("Provider"),
        _("Provider's id"),
        _("Amount"),
        _("VAT"),
        _("Department"),
    ]


@dataclass(frozen=True, slots=True)
class ExportRow:
    at: datetime | date
    reference: str
    communication: str
    description: str
    method: str
    provider: str
    provider_id: str
    amount_cents: int
    vat_cents: int
    department: str

    def cells(self) -> list[str]:
        return [
            (timezone.localtime(self.at) if isinstance(self.at, datetime) else self.at).strftime(
                "%d/%m/%Y"
            ),
            _cell(self.reference),
            communication_text(self.communication),
            _cell(self.description),
            _cell(self.method),
            _cell(self.provider),
            _cell(self.provider_id),
            euro_text(self.amount_cents),
            euro_text(self.vat_cents),
            _cell(self.department),
        ]


def export_rows(*, user: Any, start: date, end: date) -> Iterator[ExportRow]:
    """One row per payment received and per refund paid out in [start, end], payments
    first, each in time order. Read in chunks: fit for a streaming response."""
    condition = _orders(user)
    if condition is None:
        return
    begin, finish = _bounds(start, end)
    methods = dict(PaymentMethod.choices)
    providers = dict(ProviderName.choices)
    paid = Payment.objects.filter(_via(condition, "order"), state=PaymentState.PAID).select_related(
        "order", "order__department", "bank_transaction"
    )
    in_period = (
        paid.filter(paid_at__gte=begin, paid_at__lt=finish)
        .exclude(bank_transaction__isnull=False)
        .order_by("paid_at", "pk")
        .iterator(chunk_size=500)
    )
    transfers = (
        paid.filter(
            bank_transaction__booking_date__gte=start, bank_transaction__booking_date__lte=end
        )
        .order_by("bank_transaction__booking_date", "pk")
        .iterator(chunk_size=500)
    )
    for payment in chain(in_period, transfers):
        order = payment.order
        booked = payment.bank_transaction.booking_date if payment.bank_transaction else None
        yield ExportRow(
            at=booked or payment.paid_at or payment.created_at,
            reference=order.reference,
            communication=order.structured_communication,
            description=order.description,
            method=str(methods.get(payment.method, payment.method)),
            provider=str(providers.get(payment.provider, payment.provider))
            if payment.provider
            else "",
            provider_id=payment.provider_id,
            amount_cents=payment.amount_cents,
            vat_cents=_vat_part(order.vat_cents, order.total_cents, payment.amount_cents),
            department=order.department.name if order.department else "",
        )
    refunds = (
        Refund.objects.filter(
            _via(condition, "payment__order"),
            state=RefundState.DONE,
            done_at__gte=begin,
            done_at__lt=finish,
        )
        .select_related("payment", "payment__order", "payment__order__department")
        .order_by("done_at", "pk")
    )
    for refund in refunds.iterator(chunk_size=500):
        payment = refund.payment
        order = payment.order
        yield ExportRow(
            at=refund.done_at or refund.created_at,
            reference=order.reference,
            communication=order.structured_communication,
            description=_("Refund: %(reason)s") % {"reason": refund.reason},
            method=str(methods.get(payment.method, payment.method)),
            provider=str(providers.get(payment.provider, payment.provider))
            if payment.provider
            else "",
            provider_id=refund.provider_refund_id or payment.provider_id,
            amount_cents=-refund.amount_cents,
            vat_cents=-_vat_part(order.vat_cents, order.total_cents, refund.amount_cents),
            department=order.department.name if order.department else "",
        )


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_csv_chunks(rows: Iterable[ExportRow]) -> Iterator[str]:
    """The CSV text, piece by piece: a UTF-8 byte order mark (Excel then reads the
    accents right), ``;`` between cells, a decimal comma in amounts."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(export_header())
    for row in rows:
        yield writer.writerow(row.cells())
