"""Hostile uploads: through the catalogue's form engine (the request wizard) and the
public verification page. Never a 500, never a file trusted by its name or its
Content-Type header, never a script served from our origin, always a clear message."""

from __future__ import annotations

import functools
import io
import struct
import zlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from loket.catalog.models import FormUpload

from .conftest import FILE_STEP, form_version, wizard_url

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
MALFORMED_PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R\nendobj\nxref\ngarbage\n"
JS_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"3 0 obj\n<< /S /JavaScript /JS (app.alert\\('pwned'\\)) >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _zeros_deflated(size: int) -> bytes:
    """``size`` zero bytes as one raw deflate stream (about 1/1000 of the size)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"\x00" * (1 << 20)
    parts = [packer.compress(chunk) for _ in range(size >> 20)]
    parts.append(packer.flush())
    return b"".join(parts)


def _raw_zip(entries: list[tuple[str, bytes | None]], big: tuple[bytes, int, int]) -> bytes:
    """A zip archive written record by record; ``None`` content takes the ``big`` stream
    (zipfile cannot write a stream deflated beforehand)."""

    out = io.BytesIO()
    central = []
    for name, content in entries:
        if content is None:
            data, crc, size = big
        else:
            data = zlib.compress(content, 9)[2:-4]
            crc, size = zlib.crc32(content), len(content)
        offset = out.tell()
        encoded = name.encode()
        local = (0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(encoded), 0)
        out.write(struct.pack("<IHHHHHIIIHH", *local))
        out.write(encoded)
        out.write(data)
        record = (0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), size, len(encoded))
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", *record, 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for record in central:
        out.write(record)
    length = out.tell() - start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), length,
                          start, 0))  # fmt: skip
    return out.getvalue()


def _post_file(client: Client, content: bytes, name: str, content_type: str) -> Any:
    version = form_version(client, FILE_STEP)
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(wizard_url(), {"stap": FILE_STEP, "form_version": version, "f-plan": upload})


def _refused(response: Any, message: str) -> None:
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert "alert--error" in body  # the error summary
    assert FormUpload.objects.count() == 0


# --- The form engine ------------------------------------------------------------------


def test_a_file_over_the_fields_cap_is_refused_with_its_size(
    hostile_service: Any, resident_client: Client
) -> None:
    response = _post_file(resident_client, PNG + b"\x00" * (70 * 1024), "plan.png", "image/png")
    _refused(response, "The file is too large")


def test_an_empty_file_is_refused(hostile_service: Any, resident_client: Client) -> None:
    response = _post_file(resident_client, b"", "plan.pdf", "application/pdf")
    assert response.status_code == 400
    assert FormUpload.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        pytest.param(EXE, "plan.pdf", "application/pdf", id="program-named-pdf"),
        pytest.param(EXE, "plan.png", "image/png", id="program-named-png"),
        pytest.param(HTML, "plan.pdf", "application/pdf", id="html-named-pdf"),
        pytest.param(SVG, "plan.png", "image/png", id="svg-with-script-named-png"),
        pytest.param(SVG, "plan.svg", "image/svg+xml", id="svg-with-script"),
    ],
)
def test_a_lying_extension_or_content_type_is_refused(
    hostile_service: Any, resident_client: Client, content: bytes, name: str, content_type: str
) -> None:
    response = _post_file(resident_client, content, name, content_type)
    _refused(response, "This type of file is not accepted")


def test_the_type_is_read_from_the_content_never_from_the_header(
    hostile_service: Any, resident_client: Client
) -> None:
    response = _post_file(resident_client, PNG, "plan.exe", "application/x-msdownload")
    assert response.status_code == 302
    upload = FormUpload.objects.get()
    assert upload.content_type == "image/png"
    assert upload.file.name.endswith(".png")
    assert "plan" not in upload.file.name  # stored under a random name


def test_a_file_name_with_markup_is_shown_escaped(
    hostile_service: Any, resident_client: Client
) -> None:
    name = '"><script>alert(1)</script>.png'
    response = _post_file(resident_client, PNG, name, "image/png")
    assert response.status_code == 302
    page = resident_client.get(f"{wizard_url()}?stap={FILE_STEP}").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert FormUpload.objects.get().original_name.endswith(".png")


def test_a_plain_zip_bomb_is_refused_before_anything_unpacks_it(
    hostile_service: Any, resident_client: Client
) -> None:
    bomb = _raw_zip([("a.bin", None)], big=_big())
    assert len(bomb) < 64 * 1024
    response = _post_file(resident_client, bomb, "plan.pdf", "application/pdf")
    _refused(response, "This type of file is not accepted")


@functools.cache
def _big() -> tuple[bytes, int, int]:
    size = 40 << 20
    return _zeros_deflated(size), zlib.crc32(bytes(size)), size


def test_a_docx_zip_bomb_never_breaks_the_form(
    hostile_service: Any, resident_client: Client
) -> None:
    """Loket never unpacks an upload, so a bomb costs the server nothing: no 500."""
    bomb = _raw_zip([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", None)], big=_big())
    assert len(bomb) < 64 * 1024
    response = _post_file(resident_client, bomb, "brief.docx", DOCX)
    assert response.status_code in (302, 400)


def test_a_docx_zip_bomb_is_refused(hostile_service: Any, resident_client: Client) -> None:
    bomb = _raw_zip([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", None)], big=_big())
    response = _post_file(resident_client, bomb, "brief.docx", DOCX)
    _refused(response, "This file is not accepted")


def test_a_malformed_pdf_never_breaks_the_form(
    hostile_service: Any, resident_client: Client
) -> None:
    response = _post_file(resident_client, MALFORMED_PDF, "plan.pdf", "application/pdf")
    assert response.status_code in (302, 400)


def test_a_pdf_that_runs_javascript_is_refused(
    hostile_service: Any, resident_client: Client
) -> None:
    response = _post_file(resident_client, JS_PDF, "plan.pdf", "application/pdf")
    _refused(response, "This file is not accepted")


def test_anonymous_visitors_cannot_upload_to_a_login_form(hostile_service: Any) -> None:
    response = _post_file_anonymous(Client())
    assert response.status_code in (302, 403)
    assert FormUpload.objects.count() == 0


def _post_file_anonymous(client: Client) -> Any:
    upload = SimpleUploadedFile("plan.png", PNG, content_type="image/png")
    return client.post(wizard_url(), {"stap": FILE_STEP, "form_version": "1", "f-plan": upload})


# --- The public verification page ---------------------------------------------------------


def _pdf_bomb() -> bytes:
    """A PDF whose one stream inflates to 40 MB."""
    stream = zlib.compress(bytes(40 << 20), 9)
    return (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>\nendobj\n"
        + f"4 0 obj\n<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode()
        + stream
        + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


@pytest.mark.parametrize(
    ("content", "name"),
    [
        pytest.param(MALFORMED_PDF, "x.pdf", id="malformed-pdf"),
        pytest.param(JS_PDF, "x.pdf", id="pdf-with-javascript"),
        pytest.param(EXE, "x.pdf", id="program-named-pdf"),
        pytest.param(SVG, "x.pdf", id="svg"),
        pytest.param(b"%PDF-", "x.pdf", id="truncated"),
    ],
)
def test_the_verification_page_says_not_authentic_to_any_hostile_pdf(
    client: Client, content: bytes, name: str
) -> None:
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post("/verificatie/", {"which": "upload", "u-file": upload})
    assert response.status_code == 200
    assert "Not authentic" in response.content.decode()


def test_the_verification_page_survives_a_pdf_bomb(client: Client) -> None:
    upload = SimpleUploadedFile("x.pdf", _pdf_bomb(), content_type="application/pdf")
    response = client.post("/verificatie/", {"which": "upload", "u-file": upload})
    assert response.status_code == 200
    assert "Not authentic" in response.content.decode()


def test_the_verification_page_refuses_a_file_over_10_mb(client: Client) -> None:
    upload = SimpleUploadedFile("x.pdf", b"%PDF-1.4\n" + bytes(10 * 1024 * 1024))
    response = client.post("/verificatie/", {"which": "upload", "u-file": upload})
    assert response.status_code == 400
    assert "larger than 10 MB" in response.content.decode()


def test_the_verification_page_without_a_file_says_so(client: Client) -> None:
    response = client.post("/verificatie/", {"which": "upload"})
    assert response.status_code == 400
    assert "error" in response.content.decode()


# --- The catalogue import (staff) ------------------------------------------------------


@pytest.fixture
def editor_client(db: Any) -> tuple[Client, Any]:
    from loket.accounts.staff.tests.helpers import log_in_staff
    from loket.core.tests.factories import DepartmentFactory, MembershipFactory

    department = DepartmentFactory(slug="vrije-tijd")
    editor = MembershipFactory(department=department, role="administrator").user
    client = Client()
    log_in_staff(client, editor)
    return client, department


def _import(editor_client: tuple[Client, Any], content: bytes) -> Any:
    from loket.catalog.models import Service

    client, department = editor_client
    before = Service.objects.count()
    upload = SimpleUploadedFile("catalogus.jsonld", content, content_type="application/ld+json")
    response = client.post(
        "/backoffice/diensten/import/", {"file": upload, "department": department.pk}
    )
    assert Service.objects.count() == before, "a refused import created services"
    return response


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(PNG, id="binary"),
        pytest.param(b'{"@graph": [', id="malformed"),
        pytest.param(b"\xff\xfe{}", id="not-utf8"),
        pytest.param(
            b'{"@context": "http://127.0.0.1:9/context.jsonld", "@graph": []}', id="remote-context"
        ),
        pytest.param(b'{"@graph": [{"@type": "<script>alert(1)</script>"}]}', id="markup"),
    ],
)
def test_a_hostile_catalogue_file_is_refused_with_a_message(
    editor_client: tuple[Client, Any], content: bytes
) -> None:
    response = _import(editor_client, content)
    assert response.status_code in (200, 302, 400)
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_deeply_nested_catalogue_file_is_refused_with_a_message(
    editor_client: tuple[Client, Any],
) -> None:
    response = _import(editor_client, b"[" * 200_000 + b"]" * 200_000)
    assert response.status_code in (200, 400)
    assert "This is not a JSON file." in response.content.decode()
