"""A local SMS gateway speaking Loket's HTTP gateway protocol (docs/protocols/
sms-gateway.md), for the demo and the tests only. Loopback only; refuses to start when
LOKET_ENVIRONMENT=production.

Test switches (``POST /_control`` with ``{"mode": ...}``, or ``gateway.mode = ...``):
``ok``, ``error`` (answers 500), ``timeout`` (answers after ``slow_seconds``) and
``down`` (drops every connection without an answer). Numbers ending in 999 are
reported ``undeliverable`` by the delivery callback; others ``delivered``.
"""

from loket.simulators.sms_gateway.app import SmsGateway

__all__ = ["SmsGateway"]
