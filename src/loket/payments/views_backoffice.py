"""Back-office pages of payments (mounted under /backoffice/betalingen/).

Orders (list, detail, counter payment, payment link, refund with a confirmation step,
cancel), bank statements (upload, the unmatched lines with assign and ignore), the
daily reconciliation and the bookkeeping export (CSV). ``payments.view`` reads,
``payments.record`` takes counter payments and makes payment links, ``payments.manage``
refunds and cancels (in the staff member's departments), ``payments.all_departments``
(finance) imports statements, handles bank lines and exports. Orders outside the staff
member's departments answer 404. Every page works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from loket.accounts.staff.selectors import staff_session_is_verified
from loket.core.constants import AuditAction, Permission
from loket.core.selectors import staff_has_permission
from loket.core.services import DomainError, audit_record
from loket.payments import permissions, reports, selectors, services
from loket.payments.banking.parsing import MAX_STATEMENT_BYTES, structured_communication
from loket.payments.constants import OrderStatus, TransactionMatch
from loket.payments.models import BankStatement, BankTransaction, ProviderEvent
from loket.payments.types import format_euros

PAGE_SIZE = 50


def permission_required(*required: str) -> Callable[..., Any]:
    """The back office's guard (``loket.backoffice.permissions.permission_required``,
    which this module may not import): a complete staff session, else the staff login;
    ``backoffice.enter`` and every permission named, else 403."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            user = request.user
            if not (
                user.is_authenticated
                and user.is_active
                and user.is_staff
                and staff_session_is_verified(request=request)
            ):
                return redirect_to_login(request.get_full_path(), "backoffice:login")
            for permission in (Permission.BACKOFFICE, *required):
                if not staff_has_permission(user=user, permission=permission):
                    raise PermissionDenied(permission)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


# --- forms ------------------------------------------------------------------------------


class EuroField(forms.CharField):
    """An amount in euros as people type it (``12,50``, ``12.50``, ``€ 12``) → cents."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value: Any) -> int:
        text = super().clean(value)
        cleaned = str(text).replace("€", "").replace(" ", "").replace(",", ".")
        try:
            amount = Decimal(cleaned)
            if not amount.is_finite():  # NaN, sNaN, Infinity
                raise InvalidOperation
        except InvalidOperation:
            raise forms.ValidationError(_("Enter an amount in euros, such as 12,50.")) from None
        if amount.adjusted() > 6:  # a million euros or more: no arithmetic on 1E+999999
            raise forms.ValidationError(_("This amount is too large."))
        try:
            cents = amount * 100
            whole = cents == cents.to_integral_value()
        except InvalidOperation:
            raise forms.ValidationError(_("Enter an amount in euros, such as 12,50.")) from None
        if not whole or cents <= 0:
            raise forms.ValidationError(_("Enter a positive amount with at most two decimals."))
        if cents > 100_000_000:
            raise forms.ValidationError(_("This amount is too large."))
        return int(cents)


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All")), *OrderStatus.choices],
    )
    q = forms.CharField(
        label=gettext_lazy("Reference, structured communication or name"),
        required=False,
        max_length=100,
    )


class CounterForm(forms.Form):
    amount = EuroField(label=gettext_lazy("Amount received (euro)"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


class RefundForm(forms.Form):
    payment = forms.TypedChoiceField(label=gettext_lazy("Payment"), coerce=int)
    amount = EuroField(label=gettext_lazy("Amount to refund (euro)"))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)

    def __init__(self, *args: Any, payments: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.payments = {p.id: p for p in payments}
        self.fields["payment"].choices = [  # type: ignore[attr-defined]
            (p.id, f"{p.method_label} – {format_euros(p.amount_cents)} ({p.paid_at:%d/%m/%Y})")
            for p in payments
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        payment = self.payments.get(data.get("payment", 0))
        amount = data.get("amount")
        if payment is not None and amount and amount > payment.refundable_cents:
            self.add_error(
                "amount",
                _("At most %(amount)s can still be refunded on this payment.")
                % {"amount": format_euros(payment.refundable_cents)},
            )
        return data


class StatementForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bank statement (CAMT.053 XML or CODA)"),
        help_text=gettext_lazy("One statement per file, at most 5 MB."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end comes before the start."))
            elif (end - start).days >= reports.MAX_REPORT_DAYS:
                self.add_error(
                    "end",
                    _("Choose at most %(days)s days.") % {"days": reports.MAX_REPORT_DAYS},
                )
        return data


# --- orders -----------------------------------------------------------------------------


def _order_or_404(request: HttpRequest, order_id: int) -> Any:
    detail = selectors.order_detail_for_staff(user=request.user, order_id=order_id)
    if detail is None:
        raise Http404
    return detail


@never_cache
@permission_required(Permission.PAYMENTS_VIEW)
def orders(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET or None)
    status, query = "", ""
    if form.is_bound and form.is_valid():
        status, query = form.cleaned_data["status"], form.cleaned_data["q"]
    after = request.GET.get("na", "")
    page = selectors.orders_for_staff(
        user=request.user,
        status=status or None,
        query=query,
        after_id=int(after) if after.isdigit() else None,
        limit=PAGE_SIZE + 1,
    )
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    user = request.user
    return render(
        request,
        "payments/backoffice/orders.html",
        {
            "form": form if form.is_bound else OrderFilterForm(),
            "orders": page,
            "next_id": page[-1].id if more and page else None,
            "status": status,
            "query": query,
            "can_manage": permissions.can_handle_all_departments(user),
        },
    )


@never_cache
@permission_required(Permission.PAYMENTS_VIEW)
def order(request: HttpRequest, order_id: int) -> HttpResponse:
    detail = _order_or_404(request, order_id)
    return _order_page(request, detail)


def _order_page(
    request: HttpRequest, detail: Any, *, status: int = 200, **extra: Any
) -> HttpResponse:
    summary = detail.order
    user = request.user
    events = (
        ProviderEvent.objects.filter(payment__order_id=summary.id)
        .select_related("payment")
        .order_by("received_at", "pk")[:200]
    )
    context = {
        "detail": detail,
        "order": summary,
        "events": events,
        "can_record": permissions.can_record(user, summary.department_id),
        "can_manage": permissions.can_manage(user, summary.department_id),
        "is_open": summary.status == OrderStatus.OPEN,
        "refundable": [p for p in detail.payments if p.refundable_cents > 0],
        "counter_form": CounterForm(prefix="counter"),
    }
    context.update(extra)
    return render(request, "payments/backoffice/order.html", context, status=status)


def _require_on_order(allowed: bool, permission: str) -> None:
    if not allowed:
        raise PermissionDenied(permission)


@permission_required(Permission.PAYMENTS_RECORD)
@require_POST
def order_counter(request: HttpRequest, order_id: int) -> HttpResponse:
    detail = _order_or_404(request, order_id)
    _require_on_order(
        permissions.can_record(request.user, detail.order.department_id),
        Permission.PAYMENTS_RECORD,
    )
    form = CounterForm(request.POST, prefix="counter")
    if form.is_valid():
        try:
            services.payment_record_counter(
                order_id=order_id, actor=request.user, amount_cents=form.cleaned_data["amount"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The counter payment is recorded."))
            return redirect("payments_staff:order", order_id=order_id)
    return _order_page(request, detail, status=400, counter_form=form)


@never_cache
@permission_required(Permission.PAYMENTS_RECORD)
@require_POST
def order_link(request: HttpRequest, order_id: int) -> HttpResponse:
    detail = _order_or_404(request, order_id)
    _require_on_order(
        permissions.can_record(request.user, detail.order.department_id),
        Permission.PAYMENTS_RECORD,
    )
    try:
        link = services.payment_link_create(order_id=order_id, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("payments_staff:order", order_id=order_id)
    # The link carries a secret: shown this once, never stored in clear.
    return render(request, "payments/backoffice/link.html", {"order": detail.order, "link": link})


@never_cache
@permission_required(Permission.PAYMENTS_MANAGE)
@require_http_methods(["GET", "POST"])
def order_refund(request: HttpRequest, order_id: int) -> HttpResponse:
    detail = _order_or_404(request, order_id)
    _require_on_order(
        permissions.can_manage(request.user, detail.order.department_id),
        Permission.PAYMENTS_MANAGE,
    )
    refundable = [p for p in detail.payments if p.refundable_cents > 0]
    if not refundable:
        messages.error(request, _("Nothing on this order can be refunded."))
        return redirect("payments_staff:order", order_id=order_id)
    form = RefundForm(request.POST or None, payments=refundable)
    confirm = False
    if request.method == "POST" and form.is_valid():
        if request.POST.get("confirmed") == "1":
            try:
                services.refund_create(
                    payment_id=form.cleaned_data["payment"],
                    amount_cents=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The refund is made."))
                return redirect("payments_staff:order", order_id=order_id)
        else:
            confirm = True
    chosen = form.payments.get(form.cleaned_data.get("payment", 0)) if confirm else None
    return render(
        request,
        "payments/backoffice/refund.html",
        {
            "order": detail.order,
            "form": form,
            "confirm": confirm,
            "payment": chosen,
            "amount_cents": form.cleaned_data.get("amount") if confirm else None,
        },
        status=400 if request.method == "POST" and not confirm else 200,
    )


@permission_required(Permission.PAYMENTS_MANAGE)
@require_POST
def refund_done(request: HttpRequest, order_id: int, refund_id: int) -> HttpResponse:
    """Finance paid a refund of a transfer or counter payment out (by bank or cash)."""
    detail = _order_or_404(request, order_id)
    _require_on_order(
        permissions.can_manage(request.user, detail.order.department_id),
        Permission.PAYMENTS_MANAGE,
    )
    if refund_id not in {refund.id for refund in detail.refunds}:
        raise Http404
    try:
        services.refund_mark_done(refund_id=refund_id, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The refund is marked as paid out."))
    return redirect("payments_staff:order", order_id=order_id)


@never_cache
@permission_required(Permission.PAYMENTS_MANAGE)
@require_http_methods(["GET", "POST"])
def order_cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    detail = _order_or_404(request, order_id)
    _require_on_order(
        permissions.can_manage(request.user, detail.order.department_id),
        Permission.PAYMENTS_MANAGE,
    )
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_cancel(
                order_id=order_id, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The order is cancelled."))
            return redirect("payments_staff:order", order_id=order_id)
    return render(
        request,
        "payments/backoffice/cancel.html",
        {"order": detail.order, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- bank statements ------------------------------------------------------------------


@never_cache
@permission_required(Permission.PAYMENTS_ALL_DEPARTMENTS)
@require_http_methods(["GET", "POST"])
def statement_upload(request: HttpRequest) -> HttpResponse:
    form = StatementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(MAX_STATEMENT_BYTES + 1)
        try:
            result = services.statement_import(
                actor=request.user, file_name=upload.name or "", data=data
            )
        except DomainError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(
                request,
                _(
                    "Statement %(number)s imported: %(lines)s lines, %(matched)s paid an "
                    "order, %(partial)s paid part of one, %(unmatched)s to handle, "
                    "%(outgoing)s outgoing."
                )
                % {
                    "number": result.statement_number,
                    "lines": result.lines,
                    "matched": result.matched,
                    "partial": result.partial,
                    "unmatched": result.unmatched,
                    "outgoing": result.outgoing,
                },
            )
            if result.unmatched:
                return redirect("payments_staff:unmatched")
            return redirect("payments_staff:statements")
    statements = BankStatement.objects.select_related("imported_by").order_by("-pk")[:20]
    return render(
        request,
        "payments/backoffice/statements.html",
        {"form": form, "statements": statements},
        status=400 if request.method == "POST" else 200,
    )


def _unmatched_page(
    request: HttpRequest,
    *,
    status: int = 200,
    errors: dict[int, str] | None = None,
    values: dict[int, str] | None = None,
) -> HttpResponse:
    rows = BankTransaction.objects.filter(match=TransactionMatch.UNMATCHED).select_related(
        "statement"
    )
    query = (request.GET.get("q") or "").strip()[:100]
    if query:
        digits = structured_communication(query)
        condition = Q(counterparty_name__icontains=query) | Q(free_communication__icontains=query)
        if digits:
            condition |= Q(structured_communication=digits)
        rows = rows.filter(condition)
    after = request.GET.get("na", "")
    if after.isdigit():
        rows = rows.filter(pk__lt=int(after))
    page = list(rows.order_by("-pk")[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    errors = errors or {}
    values = values or {}
    lines = [
        {
            "tx": tx,
            "communication": reports.communication_text(tx.structured_communication),
            "error": errors.get(tx.pk, ""),
            "value": values.get(tx.pk, ""),
        }
        for tx in page
    ]
    return render(
        request,
        "payments/backoffice/unmatched.html",
        {"lines": lines, "next_id": page[-1].pk if more and page else None, "query": query},
        status=status,
    )


@never_cache
@permission_required(Permission.PAYMENTS_ALL_DEPARTMENTS)
def unmatched(request: HttpRequest) -> HttpResponse:
    return _unmatched_page(request)


def _find_order(user: Any, text: str) -> Any:
    """The order a staff member means by a reference or a structured communication,
    if it is within their reach."""
    text = text.strip()
    found = selectors.order_get_by_reference(reference=text.upper()) if text else None
    if found is None and text:
        found = selectors.order_by_communication(text)
    if found is None:
        return None
    if selectors.order_detail_for_staff(user=user, order_id=found.id) is None:
        return None
    return found


@permission_required(Permission.PAYMENTS_ALL_DEPARTMENTS)
@require_POST
def transaction_assign(request: HttpRequest, transaction_id: int) -> HttpResponse:
    target = (request.POST.get("order") or "").strip()[:100]
    found = _find_order(request.user, target)
    if found is None:
        error = (
            _("No order has this reference or communication.")
            if target
            else _("Enter the order's reference or structured communication.")
        )
        return _unmatched_page(
            request, status=400, errors={transaction_id: error}, values={transaction_id: target}
        )
    try:
        services.transaction_assign(
            actor=request.user, transaction_id=transaction_id, order_id=found.id
        )
    except DomainError as exc:
        return _unmatched_page(
            request, status=400, errors={transaction_id: str(exc)}, values={transaction_id: target}
        )
    messages.success(
        request,
        _("The bank line now pays order %(reference)s.") % {"reference": found.reference},
    )
    return redirect("payments_staff:unmatched")


@permission_required(Permission.PAYMENTS_ALL_DEPARTMENTS)
@require_POST
def transaction_ignore(request: HttpRequest, transaction_id: int) -> HttpResponse:
    note = (request.POST.get("note") or "").strip()[:200]
    try:
        services.transaction_ignore(actor=request.user, transaction_id=transaction_id, note=note)
    except DomainError as exc:
        return _unmatched_page(request, status=400, errors={transaction_id: str(exc)})
    messages.success(request, _("The bank line is set aside."))
    return redirect("payments_staff:unmatched")


# --- reconciliation and export --------------------------------------------------------


def _period(request: HttpRequest, *, default_days: int) -> tuple[PeriodForm, date, date]:
    today = timezone.localdate()
    form = PeriodForm(request.GET if "start" in request.GET else None)
    start, end = today - timedelta(days=default_days - 1), today
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    elif not form.is_bound:
        form = PeriodForm(initial={"start": start, "end": end})
    return form, start, end


@never_cache
@permission_required(Permission.PAYMENTS_VIEW)
def report(request: HttpRequest) -> HttpResponse:
    form, start, end = _period(request, default_days=7)
    valid = not form.is_bound or form.is_valid()
    data = reports.reconciliation(user=request.user, start=start, end=end) if valid else None
    return render(
        request,
        "payments/backoffice/report.html",
        {
            "form": form,
            "report": data,
            "rows": [(row, data.online_cells(row)) for row in data.days] if data else [],
            "totals_cells": data.online_cells(data.totals) if data else [],
            "can_export": permissions.can_handle_all_departments(request.user),
        },
        status=200 if valid else 400,
    )


@never_cache
@permission_required(Permission.PAYMENTS_ALL_DEPARTMENTS)
def export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form, start, end = _period(request, default_days=31)
    if not (form.is_bound and form.is_valid()):
        return render(
            request,
            "payments/backoffice/export.html",
            {"form": form},
            status=400 if form.is_bound else 200,
        )
    with transaction.atomic():
        audit_record(
            actor=request.user,  # type: ignore[arg-type]
            action=AuditAction.EXPORT,
            object_type="payments.bookkeeping",
            object_label=f"{start:%Y-%m-%d} – {end:%Y-%m-%d}",
            reason="bookkeeping export (CSV)",
            changes={"start": start.isoformat(), "end": end.isoformat()},
        )
    rows = reports.export_rows(user=request.user, start=start, end=end)
    response = StreamingHttpResponse(
        reports.export_csv_chunks(rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="betalingen-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
    )
    return response
