"""Payment providers behind one small protocol.

Each provider lives in its own module (``local``, ``mollie``, ``stripe``,
``worldline``) and is chosen with ``LOKET_PAYMENT_PROVIDER``. Loket never sees card
data: a provider makes a hosted payment page, the resident pays there and comes back,
and the provider calls Loket's webhook. The webhook only says *which* payment changed;
Loket then asks the provider for the payment's state (``get_payment``), so a replayed,
reordered or forged webhook can never set a state the provider does not report.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Protocol

from django.conf import settings

from loket.core.services import DomainError
from loket.payments.types import CheckoutRequest, ProviderPayment, ProviderRefund, WebhookNotice


class ProviderUnavailable(DomainError):
    """The provider cannot be reached or refused the call; nothing was changed."""


class WebhookRejected(Exception):
    """A webhook call that is not authentic or not understood (bad signature, stale
    timestamp, malformed body). The caller logs it and answers 400."""


class PaymentProvider(Protocol):
    name: str

    def create_payment(self, request: CheckoutRequest) -> ProviderPayment: ...

    def get_payment(self, provider_id: str) -> ProviderPayment: ...

    def cancel_payment(self, provider_id: str) -> ProviderPayment: ...

    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str]) -> WebhookNotice: ...

    def refund(
        self, *, provider_id: str, amount_cents: int, reason: str, idempotency_key: str
    ) -> ProviderRefund: ...


_MODULES = {
    "local": "loket.payments.providers.local",
    "mollie": "loket.payments.providers.mollie",
    "stripe": "loket.payments.providers.stripe",
    "worldline": "loket.payments.providers.worldline",
}


def provider_get(name: str | None = None) -> PaymentProvider:
    """The provider called ``name`` (default: ``LOKET_PAYMENT_PROVIDER``), configured
    from the settings. Each module exposes ``from_settings() -> PaymentProvider``."""
    key = name or settings.LOKET_PAYMENT_PROVIDER
    if key not in _MODULES:
        raise ProviderUnavailable(f"Unknown payment provider {key!r}.")
    module = importlib.import_module(_MODULES[key])
    provider: PaymentProvider = module.from_settings()
    return provider
