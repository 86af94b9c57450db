"""Which providers carry messages, from the settings. Adapters are made once per
process (they keep connections open between messages)."""

from __future__ import annotations

import threading
from urllib.parse import urlencode

from django.conf import settings

from loket.notifications.providers.base import EmailProvider, SmsProvider
from loket.notifications.providers.sms_http.client import HttpSmsGateway
from loket.notifications.providers.smtp.client import DjangoMailProvider

_lock = threading.Lock()
_cache: dict[str, object] = {}


def email_provider() -> EmailProvider:
    return DjangoMailProvider()


def sms_providers() -> list[SmsProvider]:
    """The SMS gateways in failover order (LOKET_SMS_GATEWAYS); empty when none."""
    urls = list(settings.LOKET_SMS_GATEWAYS)
    tokens = list(settings.LOKET_SMS_API_TOKENS)
    key = repr((urls, tokens, settings.LOKET_SMS_SENDER, settings.LOKET_BASE_URL))
    with _lock:
        cached = _cache.get(key)
        if cached is None:
            callback = settings.LOKET_BASE_URL.rstrip("/") + "/berichten/sms-status"
            gateways: list[HttpSmsGateway] = []
            for index, url in enumerate(urls):
                gateway = HttpSmsGateway(
                    url=url,
                    token=tokens[index] if index < len(tokens) else "",
                    sender=settings.LOKET_SMS_SENDER,
                    callback_url=callback,
                )
                # Reports name the gateway they come from: they are matched by
                # (gateway, gateway's message id), not by the id alone.
                gateway.callback_url = f"{callback}?{urlencode({'gateway': gateway.name})}"
                gateways.append(gateway)
            cached = gateways
            _cache.clear()
            _cache[key] = cached
    return list(cached)  # type: ignore[call-overload]


def reset() -> None:
    """Forget the adapters (tests change the settings)."""
    with _lock:
        _cache.clear()
