"""A local SMTP server that keeps every e-mail it receives (demo and tests only).

It listens on loopback only and refuses to start when LOKET_ENVIRONMENT=production.
Messages are kept in memory and, when a folder is given, as ``<hash of Message-ID>.eml``
files: a message received twice with the same Message-ID is stored once (as a mail
client would show it once), while ``received.log`` records every receipt.
"""

from loket.simulators.smtp_sink.server import SmtpSink

__all__ = ["SmtpSink"]
