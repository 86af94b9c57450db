"""Keep national numbers out of every log line."""

from __future__ import annotations

import logging
import re

# 11 digits, optionally written as YY.MM.DD-XXX.CC: Belgian national and BIS numbers.
_NUMBER = re.compile(r"(?<!\d)\d{2}[.\s]?\d{2}[.\s]?\d{2}[-.\s]?\d{3}[.\s]?\d{2}(?!\d)")


def redact(text: str) -> str:
    """Replace anything shaped like a national number with a fixed mask."""
    return _NUMBER.sub("[rijksregisternummer]", text)


class RedactPersonalNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
