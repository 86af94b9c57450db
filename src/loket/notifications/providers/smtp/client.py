"""E-mail through Django's mail connection: SMTP in production (EMAIL_HOST …), a file
or the console in development. The Message-ID is derived from the idempotency key, so
a message sent again after a crash carries the same Message-ID and receivers (and the
demo sink) recognise it as the same message."""

from __future__ import annotations

import contextlib
import hashlib
import smtplib
import socket
from collections.abc import Sequence
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from loket.notifications.providers.base import OutgoingEmail
from loket.notifications.types import SendOutcome


def message_id_for(idempotency_key: str) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "loket.invalid"
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def _classify(error: Exception) -> tuple[bool, str]:
    """(permanent, reason) for an error of smtplib or the network."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        code = codes[0] if codes else 0
        return code >= 500, f"recipient refused by the mail server ({code})"
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500, f"mail server answered {error.smtp_code}"
    if isinstance(error, socket.timeout | TimeoutError):
        return False, "mail server did not answer in time"
    if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
        return False, f"mail server unreachable ({type(error).__name__})"
    return False, f"{type(error).__name__}"


class DjangoMailProvider:
    name = "smtp"

    def send_many(self, emails: Sequence[OutgoingEmail]) -> list[SendOutcome]:
        outcomes: list[SendOutcome] = []
        connection = get_connection(fail_silently=False)
        opened = False
        try:
            for email in emails:
                message_id = message_id_for(email.idempotency_key)
                message = EmailMessage(
                    subject=email.subject,
                    body=email.body,
                    to=[email.to],
                    headers={"Message-ID": message_id, "Content-Language": email.language},
                    connection=connection,
                )
                try:
                    if not opened:
                        connection.open()
                        opened = True
                    connection.send_messages([message])
                except Exception as error:
                    permanent, reason = _classify(error)
                    outcomes.append(
                        SendOutcome(
                            ok=False, provider=self.name, permanent=permanent, reason=reason
                        )
                    )
                    if not permanent:  # the connection may be broken: start afresh
                        _close_quietly(connection)
                        opened = False
                    continue
                outcomes.append(
                    SendOutcome(ok=True, provider=self.name, provider_message_id=message_id)
                )
        finally:
            if opened:
                _close_quietly(connection)
        return outcomes


def _close_quietly(connection: object) -> None:
    with contextlib.suppress(Exception):  # closing a broken connection
        connection.close()  # type: ignore[attr-defined]
