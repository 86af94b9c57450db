"""Orders, payments, refunds and bank statements.

An ``Order`` is what a resident owes (lines computed on the server from the service's
fee); a ``Payment`` is one attempt to pay it (online through a provider, by bank
transfer, or at the counter); a ``Refund`` gives (part of) a paid payment back. Bank
statements are imported as ``BankStatement`` with one ``BankTransaction`` per booked
line, matched to open orders by their structured communication.

The payments module sits below cases (ADR 0017): an order refers to its case by id and
reference, never by a foreign key upwards.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.payments.constants import (
    CURRENCY,
    OrderFlag,
    OrderStatus,
    PaymentMethod,
    PaymentState,
    ProviderName,
    RefundState,
    StatementFormat,
    TransactionMatch,
)


class ReferenceCounter(models.Model):
    """Per-year counter for readable order references (``B2026-000123``)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class BankAccount(models.Model):
    """The account of an organisation that receives transfers (on invoices, EPC QR)."""

    organisation = models.OneToOneField(
        "core.Organisation", on_delete=models.CASCADE, related_name="bank_account"
    )
    holder = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34, unique=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")

    def __str__(self) -> str:
        return f"{self.holder} {self.iban}"


class Order(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    # +++123/4567/89012+++ stored as its 12 digits; unique so a transfer finds one order.
    structured_communication = models.CharField(
        _("structured communication"), max_length=12, unique=True
    )
    description = models.CharField(_("description"), max_length=200)
    currency = models.CharField(max_length=3, default=CURRENCY)
    total_cents = models.PositiveIntegerField(_("total (cents)"))
    vat_cents = models.PositiveIntegerField(_("of which VAT (cents)"), default=0)
    paid_cents = models.PositiveIntegerField(_("paid (cents)"), default=0)
    refunded_cents = models.PositiveIntegerField(_("refunded (cents)"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="orders"
    )
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="orders", null=True, blank=True
    )
    # Who pays: a resident (person id in the register) and/or a name and e-mail for
    # debts paid without logging in.
    person_id = models.BigIntegerField(_("resident"), null=True, blank=True)
    payer_name = models.CharField(_("payer"), max_length=200, blank=True)
    payer_email = models.EmailField(_("payer's e-mail"), blank=True)
    case_id = models.BigIntegerField(_("case"), null=True, blank=True)
    case_reference = models.CharField(_("case reference"), max_length=20, blank=True)
    service_slug = models.CharField(_("service"), max_length=100, blank=True)
    # A payment link (pay without logging in) carries a random token; only its hash is
    # stored. Empty: no link was made.
    link_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    due_date = models.DateField(_("pay before"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminder_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    # Something finance should look at (more paid than owed, a provider reporting
    # another amount); empty when all is well.
    flag = models.CharField(
        _("attention"), max_length=20, choices=OrderFlag.choices, blank=True, default=""
    )
    # The last receipt issued (a sealed document's code) and the paid/refunded state it
    # shows: a new one is made only when that state changed.
    receipt_code = models.CharField(max_length=40, blank=True)
    receipt_state = models.CharField(max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["status", "-id"], name="payments_order_status"),
            models.Index(fields=["person_id", "-id"], name="payments_order_person"),
            models.Index(fields=["case_id"], name="payments_order_case"),
            models.Index(fields=["status", "due_date"], name="payments_order_due"),
            models.Index(fields=["department", "status", "-id"], name="payments_order_dept"),
            models.Index(fields=["paid_at"], name="payments_order_paid_at"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.description}"

    @property
    def open_cents(self) -> int:
        return max(self.total_cents - self.paid_cents, 0)

    @property
    def overpaid_cents(self) -> int:
        return max(self.paid_cents - self.total_cents, 0)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_cents = models.PositiveIntegerField(_("unit price (cents, VAT included)"))
    vat_rate = models.DecimalField(_("VAT rate (%)"), max_digits=4, decimal_places=1, default=0)
    total_cents = models.PositiveIntegerField(_("line total (cents)"))
    vat_cents = models.PositiveIntegerField(_("of which VAT (cents)"), default=0)

    class Meta:
        ordering = ["order", "position", "pk"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"


class Payment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices)
    provider = models.CharField(
        _("provider"), max_length=20, choices=ProviderName.choices, blank=True
    )
    # The provider's id of this payment (empty for transfers and counter payments).
    provider_id = models.CharField(_("provider's id"), max_length=100, blank=True)
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    state = models.CharField(
        _("state"), max_length=10, choices=PaymentState.choices, default=PaymentState.PENDING
    )
    checkout_url = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("last changed"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    # The bank line that paid it (transfers), or the staff member (counter).
    bank_transaction = models.OneToOneField(
        "payments.BankTransaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    refunded_cents = models.PositiveIntegerField(default=0)
    # Why it failed, or what staff noted (never card data: Loket never sees any).
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_id"],
                condition=~models.Q(provider_id=""),
                name="payments_payment_provider_id",
            )
        ]
        indexes = [
            models.Index(fields=["state", "last_checked_at"], name="payments_pay_state_check"),
            models.Index(fields=["paid_at"], name="payments_pay_paid_at"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.method} {self.amount_cents} {self.state}"


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    reason = models.CharField(_("reason"), max_length=200)
    state = models.CharField(
        _("state"), max_length=10, choices=RefundState.choices, default=RefundState.PENDING
    )
    provider_refund_id = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"))
    done_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        return f"{self.payment_id} −{self.amount_cents}"


class ProviderEvent(models.Model):
    """Every webhook call received, accepted or not: the log that makes replays visible
    and lets a repeated event be ignored (unique per provider and event id)."""

    provider = models.CharField(max_length=20, choices=ProviderName.choices)
    event_id = models.CharField(max_length=200)
    provider_payment_id = models.CharField(max_length=100, blank=True)
    payment = models.ForeignKey(
        Payment, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=40)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="payments_event_once")
        ]
        indexes = [models.Index(fields=["received_at"], name="payments_event_received")]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id} {self.outcome}"


class BankStatement(models.Model):
    format = models.CharField(max_length=10, choices=StatementFormat.choices)
    account_iban = models.CharField(_("account"), max_length=34)
    statement_id = models.CharField(_("statement number"), max_length=100)
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    booked_from = models.DateField(null=True, blank=True)
    booked_to = models.DateField(null=True, blank=True)
    opening_cents = models.BigIntegerField(null=True, blank=True)
    closing_cents = models.BigIntegerField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    imported_at = models.DateTimeField()

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        constraints = [
            models.UniqueConstraint(
                fields=["account_iban", "statement_id"], name="payments_statement_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_iban} {self.statement_id}"


class BankTransaction(models.Model):
    statement = models.ForeignKey(
        BankStatement, on_delete=models.CASCADE, related_name="transactions"
    )
    position = models.PositiveIntegerField(default=0)
    booking_date = models.DateField(_("booked"))
    value_date = models.DateField(_("value date"), null=True, blank=True)
    # Positive: money received; negative: money that left the account.
    amount_cents = models.BigIntegerField(_("amount (cents)"))
    counterparty_name = models.CharField(_("from"), max_length=140, blank=True)
    counterparty_iban = models.CharField(_("from account"), max_length=34, blank=True)
    structured_communication = models.CharField(max_length=12, blank=True, db_index=True)
    free_communication = models.CharField(_("communication"), max_length=300, blank=True)
    bank_reference = models.CharField(max_length=100, blank=True)
    match = models.CharField(
        max_length=10, choices=TransactionMatch.choices, default=TransactionMatch.UNMATCHED
    )
    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="transfers"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["statement", "position"]
        verbose_name = _("bank transaction")
        verbose_name_plural = _("bank transactions")
        indexes = [
            models.Index(fields=["match", "-id"], name="payments_tx_match"),
            models.Index(fields=["booking_date"], name="payments_tx_booked"),
        ]

    def __str__(self) -> str:
        return f"{self.booking_date} {self.amount_cents} {self.structured_communication}"
