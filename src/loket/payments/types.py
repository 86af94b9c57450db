"""Data the payments module hands to other modules and its providers (frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


def format_euros(cents: int, *, separator: str = " ") -> str:
    """``125050`` → ``€ 1.250,50``, as Belgians write amounts (thousands with a dot,
    decimal comma). ``separator`` goes between the sign and the number (a no-break
    space in HTML)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    grouped = f"{euros:,}".replace(",", ".")
    return f"{sign}€{separator}{grouped},{rest:02d}"


@dataclass(frozen=True, slots=True)
class OrderLineInput:
    """One line of an order as the caller computed it (e.g. from a service's fee)."""

    description: str
    unit_cents: int
    quantity: int = 1
    vat_rate: str = "0"  # percent as text: "0", "6", "21"


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    """What Loket asks a provider for: a hosted payment page for one payment."""

    payment_id: int
    order_reference: str
    amount_cents: int
    currency: str
    description: str
    return_url: str
    webhook_url: str
    locale: str = "nl_BE"


@dataclass(frozen=True, slots=True)
class ProviderPayment:
    """A payment as the provider reports it: the provider is the source of truth."""

    provider_id: str
    state: str  # a PaymentState value
    amount_cents: int
    currency: str = "EUR"
    checkout_url: str = ""
    paid_at: datetime | None = None
    refunded_cents: int = 0
    raw_status: str = ""
    # The order the provider holds this payment for (its metadata); empty if unknown.
    order_reference: str = ""


@dataclass(frozen=True, slots=True)
class WebhookNotice:
    """What a verified webhook call says: which event, about which payment. Loket never
    trusts the state in a webhook body; it asks the provider (``get_payment``)."""

    event_id: str
    provider_payment_id: str
    kind: str = ""
    # The order the call says it is about (metadata); checked against the payment's.
    order_reference: str = ""


@dataclass(frozen=True, slots=True)
class ProviderRefund:
    refund_id: str
    state: str  # a RefundState value
    amount_cents: int = 0


@dataclass(frozen=True, slots=True)
class OrderSummary:
    """An order as other modules (cases, API, portal) see it."""

    id: int
    reference: str
    description: str
    status: str
    status_label: str
    total_cents: int
    paid_cents: int
    refunded_cents: int
    structured_communication: str  # formatted: +++123/4567/89012+++
    case_id: int | None
    case_reference: str
    person_id: int | None
    due_date: object | None = None
    created_at: datetime | None = None
    paid_at: datetime | None = None
    lines: tuple[OrderLineInput, ...] = field(default_factory=tuple)
    vat_cents: int = 0
    organisation_id: int | None = None
    department_id: int | None = None
    payer_name: str = ""
    service_slug: str = ""
    flag: str = ""  # an OrderFlag value: something finance should look at
    communication_digits: str = ""  # the 12 digits, for matching and the EPC QR code
    cancelled_at: datetime | None = None
    cancel_reason: str = ""

    @property
    def is_paid(self) -> bool:
        return self.status in {"paid", "partially_refunded", "refunded"}

    @property
    def open_cents(self) -> int:
        return max(self.total_cents - self.paid_cents, 0)

    @property
    def overpaid_cents(self) -> int:
        return max(self.paid_cents - self.total_cents, 0)


@dataclass(frozen=True, slots=True)
class LineInfo:
    position: int
    description: str
    quantity: int
    unit_cents: int
    vat_rate: str
    total_cents: int
    vat_cents: int


@dataclass(frozen=True, slots=True)
class RefundInfo:
    id: int
    payment_id: int
    amount_cents: int
    reason: str
    state: str
    state_label: str
    created_at: datetime
    done_at: datetime | None
    provider_refund_id: str = ""
    failure: str = ""
    created_by_label: str = ""


@dataclass(frozen=True, slots=True)
class PaymentInfo:
    id: int
    method: str
    method_label: str
    provider: str
    provider_id: str
    amount_cents: int
    state: str
    state_label: str
    created_at: datetime
    paid_at: datetime | None
    refunded_cents: int
    bank_transaction_id: int | None = None
    recorded_by_label: str = ""
    note: str = ""

    @property
    def refundable_cents(self) -> int:
        return max(self.amount_cents - self.refunded_cents, 0) if self.state == "paid" else 0


@dataclass(frozen=True, slots=True)
class OrderDetail:
    """One order with everything on it, for the back office and the receipt."""

    order: OrderSummary
    lines: tuple[LineInfo, ...]
    payments: tuple[PaymentInfo, ...]
    refunds: tuple[RefundInfo, ...]
