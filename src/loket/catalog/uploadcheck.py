"""Content checks on uploads beyond their type: what a staff member's computer would
suffer when opening the file.

- Office files are zip archives: one that unpacks to far more than it weighs (a "zip
  bomb") is refused, judged from the archive's directory without unpacking anything.
- PDFs may carry actions that run when the file is opened (JavaScript, launching a
  program, embedded files): such a PDF is refused. The check reads the document's
  catalogue, its name trees and every page's and annotation's actions with pyHanko's
  reader; a damaged PDF that reader cannot walk is searched for the names of active
  content instead (a name hidden in a compressed stream then goes unseen: that file
  would also fail to open in most viewers).
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from typing import IO, Any

ZIP_TYPES = frozenset(
    {
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/epub+zip",
    }
)
MAX_UNPACKED = 100 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 10_000
ACTIVE_KEYS = ("/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFiles")
ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/ImportData", "/SubmitForm"})
MAX_PAGES_CHECKED = 2000


def zip_is_safe(file: IO[bytes], size: int) -> bool:
    """The archive's directory promises no more than 100 MB and 100 times its size."""
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        file.seek(0)
    if len(members) > MAX_MEMBERS:
        return False
    unpacked = sum(member.file_size for member in members)
    return unpacked <= MAX_UNPACKED and unpacked <= MAX_RATIO * max(size, 1)


def _has_active_action(action: Any) -> bool:
    with contextlib.suppress(AttributeError):
        action = action.get_object()
    if not hasattr(action, "get"):
        return False
    if str(action.get("/S", "")) in ACTIVE_ACTIONS or "/JS" in action:
        return True
    follow = action.get("/Next")
    if follow is None:
        return False
    chain = follow if isinstance(follow, list) else [follow]
    return any(_has_active_action(item) for item in chain[:20])


def pdf_is_safe(file: IO[bytes]) -> bool:
    """No action that runs on opening, no embedded files, no JavaScript."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(file, strict=False)
        root = reader.root
        if any(key in root for key in ("/OpenAction", "/AA")):
            return False
        names = root.get("/Names")
        if names is not None:
            names = names.get_object()
            if "/JavaScript" in names or "/EmbeddedFiles" in names:
                return False
        pages = reader.root["/Pages"]
        stack = [pages.get_object()]
        seen = 0
        while stack and seen < MAX_PAGES_CHECKED:
            node = stack.pop()
            seen += 1
            if "/AA" in node:
                return False
            for kid in node.get("/Kids", []) or []:
                stack.append(kid.get_object())
            for annotation in node.get("/Annots", []) or []:
                annotation = annotation.get_object()
                if "/AA" in annotation:
                    return False
                if "/A" in annotation and _has_active_action(annotation["/A"]):
                    return False
                if str(annotation.get("/Subtype", "")) == "/FileAttachment":
                    return False
    except Exception:
        # A damaged PDF the reader cannot walk (common with scanners' output): fall back
        # to looking for the names of active content in its bytes.
        return _bytes_look_inert(file)
    finally:
        file.seek(0)
    return True


ACTIVE_NAMES = re.compile(rb"/(JavaScript|JS|OpenAction|AA|Launch|EmbeddedFiles?)\b")
MAX_SCANNED = 32 * 1024 * 1024


def _bytes_look_inert(file: IO[bytes]) -> bool:
    file.seek(0)
    data = file.read(MAX_SCANNED)
    file.seek(0)
    return ACTIVE_NAMES.search(data) is None
