"""Bank statement parsers: CAMT.053 (ISO 20022 XML) and CODA (Belgian fixed width).

Both turn a file into a ``ParsedStatement`` with one ``ParsedLine`` per booked
movement; nothing here touches the database. Amounts are integer cents: positive for
money received, negative for money that left the account. A structured communication
is kept only when its checksum is right (python-stdnum ``be.ogm_vcs``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from django.utils import timezone
from stdnum.be import ogm_vcs

from loket.payments.constants import StatementFormat

MAX_STATEMENT_BYTES = 5 * 1024 * 1024
"""The largest statement file accepted (a month of a busy account is far below)."""

CAMT_NAMESPACES = (
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
    "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08",
)

_OGM_IN_TEXT = re.compile(r"[+*]{3}\s*(\d{3})\s*/\s*(\d{4})\s*/\s*(\d{5})\s*[+*]{3}")


class StatementUnreadable(ValueError):
    """The file is not a statement this parser understands; the message says why."""


@dataclass(frozen=True, slots=True)
class ParsedLine:
    booking_date: date
    amount_cents: int
    value_date: date | None = None
    counterparty_name: str = ""
    counterparty_iban: str = ""
    structured_communication: str = ""  # 12 digits, checksum verified
    free_communication: str = ""
    bank_reference: str = ""


@dataclass(frozen=True, slots=True)
class ParsedStatement:
    format: str
    account_iban: str
    statement_id: str
    booked_from: date | None = None
    booked_to: date | None = None
    opening_cents: int | None = None
    closing_cents: int | None = None
    lines: tuple[ParsedLine, ...] = field(default_factory=tuple)


def structured_communication(text: str) -> str:
    """The 12 digits of a Belgian structured communication in ``text`` (bare digits or
    ``+++123/4567/89012+++``), or "" when there is none or its checksum is wrong."""
    text = (text or "").strip()
    if not text:
        return ""
    found = _OGM_IN_TEXT.search(text)
    candidate = "".join(found.groups()) if found else re.sub(r"[\s+*/]", "", text)
    if len(candidate) == 12 and candidate.isdigit() and ogm_vcs.is_valid(candidate):
        return candidate
    return ""


def parse_statement(data: bytes) -> ParsedStatement:
    """Recognise the format of ``data`` and parse it."""
    if len(data) > MAX_STATEMENT_BYTES:
        raise StatementUnreadable("The file is too large for a bank statement.")
    head = data.lstrip(b"\xef\xbb\xbf \r\n\t")[:200]
    if head.startswith(b"<"):
        statement = parse_camt053(data)
    elif head.startswith(b"0"):
        statement = parse_coda(data)
    else:
        raise StatementUnreadable("This is not a CAMT.053 or CODA bank statement.")
    if statement.opening_cents is not None and statement.closing_cents is not None:
        booked = sum(line.amount_cents for line in statement.lines)
        if statement.opening_cents + booked != statement.closing_cents:
            raise StatementUnreadable(
                "The booked lines do not add up to the closing balance; the file is incomplete."
            )
    return statement


# --- CAMT.053 -------------------------------------------------------------------------


MAX_AMOUNT_CENTS = 10**13
"""The largest amount (in cents, either sign) a statement line may carry: a hundred
billion euros, far above any real line, far below what the database holds."""


def _cents(text: str | None) -> int:
    shown = (text or "").strip()[:40]
    try:
        value = Decimal((text or "").strip())
        if not value.is_finite():
            raise StatementUnreadable(f"Amount {shown!r} is not a number.")
        if value.adjusted() > 15:  # far too large; stop before any arithmetic on it
            raise StatementUnreadable(f"Amount {shown!r} is too large.")
        cents = value * 100
        if cents != cents.to_integral_value():
            raise StatementUnreadable(f"Amount {shown!r} has more than two decimals.")
    except InvalidOperation:
        raise StatementUnreadable(f"Amount {shown!r} is not a number.") from None
    if abs(cents) > MAX_AMOUNT_CENTS:
        raise StatementUnreadable(f"Amount {shown!r} is too large.")
    return int(cents)


def _iso_date(text: str | None) -> date | None:
    if not text:
        return None
    text = text.strip()
    try:
        if "T" in text:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        return date.fromisoformat(text[:10])
    except ValueError:
        raise StatementUnreadable(f"Date {text!r} is not a date.") from None


class _Camt:
    """Element access relative to the document's namespace."""

    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def path(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{part}" for part in path.split("/"))

    def find(self, element: Element | None, path: str) -> Element | None:
        if element is None:
            return None
        return element.find(self.path(path))

    def findall(self, element: Element, path: str) -> list[Element]:
        return element.findall(self.path(path))

    def text(self, element: Element | None, *paths: str) -> str:
        """The text of the first of ``paths`` that exists under ``element``."""
        for path in paths:
            found = self.find(element, path)
            if found is not None and (found.text or "").strip():
                return (found.text or "").strip()
        return ""


def parse_camt053(data: bytes) -> ParsedStatement:
    """A CAMT.053 ``BkToCstmrStmt`` with one statement (versions .02 and .08).

    XML is read with defusedxml: no DTDs, no entities, no external references."""
    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise StatementUnreadable("The XML file contains forbidden declarations.") from None
    except SafeElementTree.ParseError:
        raise StatementUnreadable("The file is not well-formed XML.") from None
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if namespace not in CAMT_NAMESPACES:
        raise StatementUnreadable("The XML file is not a CAMT.053 bank statement (.02 or .08).")
    x = _Camt(namespace)
    statements = x.findall(root, "BkToCstmrStmt/Stmt")
    if len(statements) != 1:
        raise StatementUnreadable("The file must hold exactly one statement.")
    stmt = statements[0]
    iban = x.text(stmt, "Acct/Id/IBAN").replace(" ", "").upper()
    statement_id = x.text(stmt, "Id") or x.text(stmt, "ElctrncSeqNb")
    if not iban or not statement_id:
        raise StatementUnreadable("The statement has no account IBAN or no statement number.")

    opening = closing = None
    for balance in x.findall(stmt, "Bal"):
        code = x.text(balance, "Tp/CdOrPrtry/Cd")
        amount = _cents(x.text(balance, "Amt"))
        if x.text(balance, "CdtDbtInd") == "DBIT":
            amount = -amount
        if code in {"OPBD", "PRCD"} and opening is None:
            opening = amount
        elif code == "CLBD":
            closing = amount

    lines: list[ParsedLine] = []
    for entry in x.findall(stmt, "Ntry"):
        status = x.text(entry, "Sts/Cd", "Sts")
        if status and status != "BOOK":
            continue  # pending or informational lines are not booked yet
        sign = -1 if x.text(entry, "CdtDbtInd") == "DBIT" else 1
        booking = _iso_date(x.text(entry, "BookgDt/Dt", "BookgDt/DtTm"))
        if booking is None:
            raise StatementUnreadable("A booked line has no booking date.")
        value = _iso_date(x.text(entry, "ValDt/Dt", "ValDt/DtTm"))
        entry_ref = x.text(entry, "AcctSvcrRef", "NtryRef")
        details = x.findall(entry, "NtryDtls/TxDtls")
        entry_cents = _cents(x.text(entry, "Amt"))
        if len(details) > 1:
            # A batch: one line per transaction, each with its own amount.
            amounts = [_cents(x.text(d, "AmtDtls/TxAmt/Amt", "Amt")) for d in details]
            if sum(amounts) != entry_cents:
                raise StatementUnreadable(
                    f"The details of entry {entry_ref or '?'} do not add up to its amount."
                )
        else:
            amounts = [entry_cents]
        for index, cents in enumerate(amounts):
            detail = details[index] if details else None
            lines.append(
                _camt_line(x, detail, sign * cents, booking, value, entry_ref, incoming=sign > 0)
            )

    dates = [line.booking_date for line in lines]
    return ParsedStatement(
        format=StatementFormat.CAMT053,
        account_iban=iban,
        statement_id=statement_id[:100],
        booked_from=_iso_date(x.text(stmt, "FrToDt/FrDtTm")) or (min(dates) if dates else None),
        booked_to=_iso_date(x.text(stmt, "FrToDt/ToDtTm")) or (max(dates) if dates else None),
        opening_cents=opening,
        closing_cents=closing,
        lines=tuple(lines),
    )


def _camt_line(
    x: _Camt,
    detail: Element | None,
    cents: int,
    booking: date,
    value: date | None,
    entry_ref: str,
    *,
    incoming: bool,
) -> ParsedLine:
    # The counterparty of money received is the debtor, of money sent the creditor.
    # Version .08 wraps the party in <Pty>.
    party = "Dbtr" if incoming else "Cdtr"
    name = x.text(detail, f"RltdPties/{party}/Pty/Nm", f"RltdPties/{party}/Nm")
    iban = x.text(detail, f"RltdPties/{party}Acct/Id/IBAN").replace(" ", "").upper()
    reference = ""
    for strd in x.findall(detail, "RmtInf/Strd") if detail is not None else []:
        reference = structured_communication(x.text(strd, "CdtrRefInf/Ref"))
        if reference:
            break
    free = " ".join(
        (u.text or "").strip()
        for u in (x.findall(detail, "RmtInf/Ustrd") if detail is not None else [])
    ).strip()
    if not reference and free:
        # Residents often type the structured communication in the free text.
        found = _OGM_IN_TEXT.search(free)
        reference = structured_communication(found.group(0)) if found else ""
    end_to_end = x.text(detail, "Refs/EndToEndId")
    if end_to_end == "NOTPROVIDED":
        end_to_end = ""
    bank_ref = x.text(detail, "Refs/AcctSvcrRef") or entry_ref or end_to_end
    return ParsedLine(
        booking_date=booking,
        value_date=value,
        amount_cents=cents,
        counterparty_name=name[:140],
        counterparty_iban=iban[:34],
        structured_communication=reference,
        free_communication=free[:300],
        bank_reference=bank_ref[:100],
    )


# --- CODA -----------------------------------------------------------------------------


def _coda_date(text: str) -> date | None:
    text = text.strip()
    if not text or text == "000000":
        return None
    try:
        return date(2000 + int(text[4:6]), int(text[2:4]), int(text[0:2]))
    except ValueError:
        raise StatementUnreadable(f"Date {text!r} is not a CODA date (DDMMYY).") from None


def _coda_cents(sign: str, digits: str) -> int:
    if not digits.isdigit():
        raise StatementUnreadable(f"Amount {digits!r} is not a CODA amount.")
    mills = int(digits)  # 12 digits for euros, 3 for decimals
    if mills % 10:
        raise StatementUnreadable(f"Amount {digits!r} has more than two decimals.")
    return -(mills // 10) if sign == "1" else mills // 10


@dataclass
class _CodaMovement:
    sequence: str
    detail: str
    sign: str
    cents: int
    value_date: date | None
    booking_date: date | None
    bank_reference: str
    structured: str = ""
    communication: list[str] = field(default_factory=list)
    counterparty_iban: str = ""
    counterparty_name: str = ""
    globalised: bool = False


def parse_coda(data: bytes) -> ParsedStatement:
    """A CODA file (Febelfin version 2): records of 128 characters.

    0 header, 1 old balance, 21/22/23 movement, 31/32/33 information, 4 free text,
    8 new balance, 9 trailer. A globalised movement with details is replaced by its
    details (the individual transfers)."""
    try:
        text = data.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
        raise StatementUnreadable("The CODA file is not text.") from None
    records = [line.rstrip("\r") for line in text.split("\n") if line.strip()]
    if not records or not records[0].startswith("0"):
        raise StatementUnreadable("The CODA file does not start with a header record (0).")
    if records[0][127:128] not in {"2", ""}:
        raise StatementUnreadable("Only CODA version 2 files are supported.")

    iban = ""
    paper_sequence = ""
    opening = closing = None
    opening_date = closing_date = None
    movements: list[_CodaMovement] = []
    current: _CodaMovement | None = None
    trailer_seen = False
    for number, record in enumerate(records, start=1):
        record = record.ljust(128)
        if len(record) != 128:
            raise StatementUnreadable(f"Record {number} is not 128 characters long.")
        kind = record[0]
        if kind == "1":
            if iban:
                raise StatementUnreadable("The file must hold exactly one statement.")
            structure = record[1]
            if structure in {"2", "3"}:
                iban = record[5:39].strip().replace(" ", "").upper()
            else:
                iban = record[5:39].strip()
            paper_sequence = record[2:5]
            opening = _coda_cents(record[42], record[43:58])
            opening_date = _coda_date(record[58:64])
        elif record[:2] == "21":
            comm_type = record[61]
            communication = record[62:115]
            current = _CodaMovement(
                sequence=record[2:6],
                detail=record[6:10],
                sign=record[31],
                cents=_coda_cents(record[31], record[32:47]),
                value_date=_coda_date(record[47:53]),
                booking_date=_coda_date(record[115:121]),
                bank_reference=record[10:31].strip(),
                globalised=record[124] not in {"0", " "},
            )
            if comm_type == "1" and communication[:3] == "101":
                current.structured = structured_communication(communication[3:15])
            else:
                current.communication.append(communication)
            movements.append(current)
        elif record[:2] == "22" and current is not None:
            current.communication.append(record[10:63])
        elif record[:2] == "23" and current is not None:
            current.counterparty_iban = record[10:44].strip().replace(" ", "").upper()
            current.counterparty_name = record[47:82].strip()
            current.communication.append(record[82:125])
        elif kind == "8":
            closing = _coda_cents(record[41], record[42:57])
            closing_date = _coda_date(record[57:63])
        elif kind == "9":
            trailer_seen = True
        # 0 (header), 31/32/33 (information) and 4 (free text) carry nothing we book.
    if not trailer_seen:
        raise StatementUnreadable("The CODA file is incomplete: the trailer record (9) is missing.")
    if not iban:
        raise StatementUnreadable("The CODA file has no old balance record (1) with the account.")

    with_details = {m.sequence for m in movements if m.detail != "0000"}
    lines: list[ParsedLine] = []
    for movement in movements:
        if movement.sequence in with_details and movement.detail == "0000":
            continue  # the global amount; its details are booked instead
        if movement.globalised and movement.detail != "0000":
            continue  # an intermediate level of a globalisation
        booking = movement.booking_date or closing_date or opening_date
        if booking is None:
            raise StatementUnreadable("A movement has no entry date.")
        free = " ".join(" ".join(part.strip() for part in movement.communication).split())
        structured = movement.structured
        if not structured and free:
            found = _OGM_IN_TEXT.search(free)
            structured = structured_communication(found.group(0)) if found else ""
        lines.append(
            ParsedLine(
                booking_date=booking,
                value_date=movement.value_date,
                amount_cents=movement.cents,
                counterparty_name=movement.counterparty_name[:140],
                counterparty_iban=movement.counterparty_iban[:34],
                structured_communication=structured,
                free_communication=free[:300],
                bank_reference=movement.bank_reference[:100],
            )
        )
    dates = [line.booking_date for line in lines]
    year = (closing_date or opening_date or (max(dates) if dates else timezone.localdate())).year
    return ParsedStatement(
        format=StatementFormat.CODA,
        account_iban=iban[:34],
        statement_id=f"{year}-{paper_sequence}",
        booked_from=min(dates) if dates else opening_date,
        booked_to=max(dates) if dates else closing_date,
        opening_cents=opening,
        closing_cents=closing,
        lines=tuple(lines),
    )
