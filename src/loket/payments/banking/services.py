"""Import of bank statements and the handling of their lines by staff.

``statement_import`` reads a CAMT.053 or CODA file and books it in one transaction: a
``BankStatement``, one ``BankTransaction`` per booked line, and for every incoming
line whose structured communication belongs to an open order a transfer payment
(``payment_record_transfer``). Lines that match nothing wait in the unmatched list,
where staff assign them to an order (``transaction_assign``) or set them aside
(``transaction_ignore``). A file is imported once: the same bytes (sha256) or the same
statement number of the same account are refused and nothing changes.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from loket.core.constants import AuditAction, Permission
from loket.core.selectors import staff_has_permission
from loket.core.services import DomainError, audit_record
from loket.payments.banking.parsing import (
    ParsedStatement,
    StatementUnreadable,
    parse_statement,
)
from loket.payments.banking.types import StatementResult
from loket.payments.constants import OrderStatus, TransactionMatch
from loket.payments.models import BankAccount, BankStatement, BankTransaction, Order

logger = logging.getLogger(__name__)


class StatementRefused(DomainError):
    """The statement cannot be imported (unreadable, already imported, other account)."""


class TransactionError(DomainError):
    """A bank line cannot be assigned or ignored (already handled, unknown order, …)."""


MAX_PAYMENT_CENTS = 2_147_483_647
"""The largest amount one payment holds (the payments' amount column); a larger bank
line pays no order by itself and waits for finance."""


def _too_large() -> str:
    return str(_("This bank line is too large to pay one order; finance books it by hand."))


def _require_manager(actor: Any) -> None:
    """Bank lines belong to the whole municipality, not to a department:
    ``payments.all_departments`` (finance), never a head's ``payments.manage``."""
    if actor is None:
        return  # a system job (scheduled import); views always pass the staff member
    if not staff_has_permission(user=actor, permission=Permission.PAYMENTS_ALL_DEPARTMENTS):
        raise PermissionDenied(Permission.PAYMENTS_ALL_DEPARTMENTS)


def _record_transfer(*, order_id: int, transaction_id: int, actor: Any) -> None:
    # Imported here: payments.services re-exports this module's services.
    from loket.payments.services import payment_record_transfer

    payment_record_transfer(order_id=order_id, transaction_id=transaction_id, actor=actor)


def _parse(data: bytes) -> ParsedStatement:
    try:
        return parse_statement(data)
    except StatementUnreadable as exc:
        raise StatementRefused(
            _("The file could not be read as a bank statement: %(why)s") % {"why": exc}
        ) from None


def statement_import(*, actor: Any, file_name: str, data: bytes) -> StatementResult:
    """Import one CAMT.053 or CODA statement; all of it or nothing."""
    _require_manager(actor)
    digest = hashlib.sha256(data).hexdigest()
    earlier = BankStatement.objects.filter(sha256=digest).first()
    if earlier is not None:
        raise StatementRefused(
            _("This file was already imported on %(date)s (statement %(number)s).")
            % {
                "date": date_format(timezone.localtime(earlier.imported_at), "SHORT_DATE_FORMAT"),
                "number": earlier.statement_id,
            }
        )
    parsed = _parse(data)
    accounts = set(BankAccount.objects.values_list("iban", flat=True))
    if accounts and parsed.account_iban not in accounts:
        raise StatementRefused(
            _("This statement is of account %(iban)s, which is not an account of the municipality.")
            % {"iban": parsed.account_iban}
        )
    try:
        with transaction.atomic():
            return _book(actor=actor, file_name=file_name, digest=digest, parsed=parsed)
    except IntegrityError:
        # Two imports of the same statement at once: the other one won.
        raise StatementRefused(_duplicate_message(parsed)) from None


def _duplicate_message(parsed: ParsedStatement) -> str:
    return _("Statement %(number)s of account %(iban)s was already imported.") % {
        "number": parsed.statement_id,
        "iban": parsed.account_iban,
    }


def _book(*, actor: Any, file_name: str, digest: str, parsed: ParsedStatement) -> StatementResult:
    if BankStatement.objects.filter(
        account_iban=parsed.account_iban, statement_id=parsed.statement_id
    ).exists():
        raise StatementRefused(_duplicate_message(parsed))
    statement = BankStatement.objects.create(
        format=parsed.format,
        account_iban=parsed.account_iban,
        statement_id=parsed.statement_id,
        file_name=file_name[:200],
        sha256=digest,
        booked_from=parsed.booked_from,
        booked_to=parsed.booked_to,
        opening_cents=parsed.opening_cents,
        closing_cents=parsed.closing_cents,
        imported_by=actor,
        imported_at=timezone.now(),
    )
    transactions = BankTransaction.objects.bulk_create(
        [
            BankTransaction(
                statement=statement,
                position=position,
                booking_date=line.booking_date,
                value_date=line.value_date,
                amount_cents=line.amount_cents,
                counterparty_name=line.counterparty_name,
                counterparty_iban=line.counterparty_iban,
                structured_communication=line.structured_communication,
                free_communication=line.free_communication,
                bank_reference=line.bank_reference,
                match=(
                    TransactionMatch.OUTGOING
                    if line.amount_cents <= 0
                    else TransactionMatch.UNMATCHED
                ),
            )
            for position, line in enumerate(parsed.lines, start=1)
        ]
    )
    if any(tx.pk is None for tx in transactions):  # pragma: no cover - old backends
        transactions = list(statement.transactions.order_by("position"))

    communications = {
        tx.structured_communication
        for tx in transactions
        if tx.match == TransactionMatch.UNMATCHED and tx.structured_communication
    }
    orders = {
        order.structured_communication: order
        for order in Order.objects.filter(structured_communication__in=communications)
    }
    matched = partial = matched_cents = 0
    for tx in transactions:
        if tx.match != TransactionMatch.UNMATCHED or not tx.structured_communication:
            continue
        order = orders.get(tx.structured_communication)
        if order is None:
            continue
        outcome = _match(tx=tx, order=order, actor=actor)
        if outcome is None:
            continue
        matched_cents += tx.amount_cents
        if outcome:
            matched += 1
        else:
            partial += 1

    incoming = [tx for tx in transactions if tx.amount_cents > 0]
    outgoing = len(transactions) - len(incoming)
    result = StatementResult(
        statement_id=statement.pk,
        statement_number=statement.statement_id,
        account_iban=statement.account_iban,
        lines=len(transactions),
        matched=matched,
        partial=partial,
        unmatched=len(incoming) - matched - partial,
        outgoing=outgoing,
        received_cents=sum(tx.amount_cents for tx in incoming),
        matched_cents=matched_cents,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=statement,
        reason="bank statement imported",
        changes={
            "file": file_name[:200],
            "format": statement.format,
            "lines": result.lines,
            "matched": result.matched,
            "partial": result.partial,
            "unmatched": result.unmatched,
        },
    )
    logger.info(
        "bank statement %s imported: %s lines, %s matched, %s partial, %s unmatched",
        statement.pk,
        result.lines,
        result.matched,
        result.partial,
        result.unmatched,
    )
    return result


def _match(*, tx: BankTransaction, order: Order, actor: Any) -> bool | None:
    """Let ``tx`` pay ``order``. True: the order is paid in full; False: in part; None:
    the payments engine refused, the line waits for staff with a note why.

    Money received for an order that was paid or cancelled already is still booked on
    it: the engine flags the order as overpaid for finance to refund."""
    open_before = order.open_cents
    if tx.amount_cents > MAX_PAYMENT_CENTS:
        BankTransaction.objects.filter(pk=tx.pk).update(note=str(_too_large())[:200])
        return None
    try:
        with transaction.atomic():
            _record_transfer(order_id=order.pk, transaction_id=tx.pk, actor=actor)
    except DomainError as exc:
        BankTransaction.objects.filter(pk=tx.pk).update(note=str(exc)[:200])
        return None
    return tx.amount_cents >= open_before


def _locked_unmatched(transaction_id: int) -> BankTransaction:
    tx = BankTransaction.objects.select_for_update().filter(pk=transaction_id).first()
    if tx is None:
        raise TransactionError(_("This bank line does not exist."))
    if tx.match != TransactionMatch.UNMATCHED:
        raise TransactionError(
            _("This bank line was already handled (%(state)s).") % {"state": tx.get_match_display()}
        )
    return tx


@transaction.atomic
def transaction_assign(*, actor: Any, transaction_id: int, order_id: int) -> None:
    """Staff let an unmatched incoming bank line pay an open order."""
    _require_manager(actor)
    tx = _locked_unmatched(transaction_id)
    if tx.amount_cents <= 0:
        raise TransactionError(_("Money that left the account cannot pay an order."))
    if tx.amount_cents > MAX_PAYMENT_CENTS:
        raise TransactionError(_too_large())
    order = Order.objects.filter(pk=order_id).first()
    if order is None:
        raise TransactionError(_("No order has this reference or communication."))
    if order.status == OrderStatus.CANCELLED:
        raise TransactionError(
            _("Order %(reference)s is cancelled; a transfer cannot pay it.")
            % {"reference": order.reference}
        )
    _record_transfer(order_id=order.pk, transaction_id=tx.pk, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=tx,
        reason="bank line assigned to an order",
        changes={"order": order.reference, "amount_cents": tx.amount_cents},
    )


@transaction.atomic
def transaction_ignore(*, actor: Any, transaction_id: int, note: str) -> None:
    """Staff set an unmatched bank line aside (not a payment to the municipality, paid
    back by the bank, …), saying why."""
    _require_manager(actor)
    note = (note or "").strip()
    if not note:
        raise TransactionError(_("Say why this bank line is ignored."))
    tx = _locked_unmatched(transaction_id)
    tx.match = TransactionMatch.IGNORED
    tx.note = note[:200]
    tx.handled_by = actor
    tx.handled_at = timezone.now()
    tx.save(update_fields=["match", "note", "handled_by", "handled_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=tx,
        reason="bank line ignored",
        changes={"note": tx.note},
    )
