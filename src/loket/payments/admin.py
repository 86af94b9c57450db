"""Read-only views of payments for superusers (the back office is where staff work;
every change goes through the services, so nothing is editable here)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from loket.payments.models import BankAccount, Order, Payment, ProviderEvent, Refund


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(_ReadOnly):
    list_display = ("reference", "description", "status", "total_cents", "paid_cents", "flag")
    list_filter = ("status", "flag")
    search_fields = ("reference", "case_reference", "structured_communication")


@admin.register(Payment)
class PaymentAdmin(_ReadOnly):
    list_display = ("pk", "order", "method", "provider", "amount_cents", "state", "created_at")
    list_filter = ("method", "state", "provider")


@admin.register(Refund)
class RefundAdmin(_ReadOnly):
    list_display = ("pk", "payment", "amount_cents", "state", "created_at")


@admin.register(ProviderEvent)
class ProviderEventAdmin(_ReadOnly):
    list_display = ("received_at", "provider", "event_id", "outcome", "provider_payment_id")
    list_filter = ("provider", "outcome")


@admin.register(BankAccount)
class BankAccountAdmin(admin.ModelAdmin):
    """The account on invoices and EPC QR codes: set once per organisation."""

    list_display = ("organisation", "holder", "iban", "bic")
