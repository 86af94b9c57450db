"""A local online payment provider for the demo and the tests only.

It speaks a small JSON API on loopback, in the style of the real providers (Mollie,
Stripe): ``POST /v1/payments`` (Bearer API key) → ``{id, status, checkout_url}``,
``GET /v1/payments/<id>``, ``POST /v1/payments/<id>/cancel`` and
``POST /v1/payments/<id>/refunds`` (``Idempotency-Key`` header). The hosted payment
page ``GET /checkout/<id>`` is a plain HTML form (no JavaScript) with "Betalen",
"Mislukt" and "Annuleren"; choosing one sets the payment's status, sends a webhook
signed the Standard Webhooks way (``webhook-id``, ``webhook-timestamp``,
``webhook-signature: v1,<base64 HMAC-SHA256>``) and sends the browser back to the
return address. Card data never exists here either.

``with PaymentProvider(api_key=…, webhook_secret=…, webhook_sender=None) as psp`` in
tests (webhooks are then collected in ``psp.webhooks`` for the test to deliver, drop,
repeat or reorder), or ``loket simulate-payments --port 8005`` as a process. Refuses to
start when ``LOKET_ENVIRONMENT=production``.
"""

from loket.simulators.payment_provider.app import PaymentProvider, sign

__all__ = ["PaymentProvider", "sign"]
