"""A CAMT.053 statement made from transfers, for the demo and the browser tests: what
the municipality's bank would send after residents paid by bank transfer. Never used
to book anything by itself; it is imported like any other file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement, tostring

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


@dataclass(frozen=True, slots=True)
class SampleTransfer:
    amount_cents: int  # positive: received; negative: paid out
    name: str
    communication: str = ""  # 12 digits: a structured communication
    text: str = ""  # free communication
    iban: str = "BE71096123456769"


def _amount(parent: Element, tag: str, cents: int) -> None:
    element = SubElement(parent, tag, Ccy="EUR")
    element.text = f"{Decimal(abs(cents)) / 100:.2f}"


def _text(parent: Element, path: str, value: str) -> Element:
    element = parent
    for tag in path.split("/"):
        element = SubElement(element, tag)
    element.text = value
    return element


def camt053_sample(
    *,
    account_iban: str,
    statement_id: str,
    booked: date,
    transfers: Sequence[SampleTransfer],
    opening_cents: int = 0,
) -> bytes:
    """A CAMT.053.001.08 document with one statement of ``transfers`` booked on
    ``booked``; its balances add up."""
    document = Element("Document", xmlns=NAMESPACE)
    root = SubElement(document, "BkToCstmrStmt")
    _text(root, "GrpHdr/MsgId", f"LOKET-{statement_id}")
    statement = SubElement(root, "Stmt")
    _text(statement, "Id", statement_id)
    _text(statement, "Acct/Id/IBAN", account_iban)
    closing = opening_cents + sum(t.amount_cents for t in transfers)
    for code, cents in (("OPBD", opening_cents), ("CLBD", closing)):
        balance = SubElement(statement, "Bal")
        _text(balance, "Tp/CdOrPrtry/Cd", code)
        _amount(balance, "Amt", cents)
        _text(balance, "CdtDbtInd", "DBIT" if cents < 0 else "CRDT")
        _text(balance, "Dt/Dt", booked.isoformat())
    for number, transfer in enumerate(transfers, start=1):
        incoming = transfer.amount_cents > 0
        entry = SubElement(statement, "Ntry")
        _amount(entry, "Amt", transfer.amount_cents)
        _text(entry, "CdtDbtInd", "CRDT" if incoming else "DBIT")
        _text(entry, "Sts/Cd", "BOOK")
        _text(entry, "BookgDt/Dt", booked.isoformat())
        _text(entry, "ValDt/Dt", booked.isoformat())
        _text(entry, "AcctSvcrRef", f"{statement_id}-{number:04d}")
        details = SubElement(SubElement(entry, "NtryDtls"), "TxDtls")
        party = "Dbtr" if incoming else "Cdtr"
        parties = SubElement(details, "RltdPties")
        _text(parties, f"{party}/Pty/Nm", transfer.name)
        _text(parties, f"{party}Acct/Id/IBAN", transfer.iban)
        remittance = SubElement(details, "RmtInf")
        if transfer.text:
            _text(remittance, "Ustrd", transfer.text)
        if transfer.communication:
            reference = SubElement(SubElement(remittance, "Strd"), "CdtrRefInf")
            _text(reference, "Tp/CdOrPrtry/Cd", "SCOR")
            _text(reference, "Ref", transfer.communication)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(document, encoding="utf-8")
