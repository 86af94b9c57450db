"""The disk fills up while a resident uploads a photo with a report.

The storage writes part of the file and then fails with ENOSPC, as a full disk does.
The resident gets a clear "try again later" page (503, not a 500) that keeps what they
typed, and nothing is half-saved: no upload row, no case, no partial file left behind.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from loket.cases.models import Case
from loket.cases.services import case_types_link_services, case_types_seed_demo
from loket.cases.tests.conftest import log_in_resident, make_resident
from loket.catalog.models import FormUpload
from loket.core.tests.factories import OrganisationFactory

from .conftest import form_fields

pytestmark = pytest.mark.django_db

FORM = "/aanvragen/melding-openbaar-domein/"
# The smallest PNG there is: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class _FillsUp(File):
    """The upload's content: the first chunk is written, then the disk is full."""

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        yield PNG[:40]
        raise OSError(errno.ENOSPC, "No space left on device")


class DiskFullStorage(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        return super()._save(name, _FillsUp(content.file, name=content.name))


@pytest.fixture
def full_disk(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "media"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.DiskFullStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    settings.LANGUAGE_CODE = "en"
    return folder


def _report_with_a_photo(client: Client) -> Any:
    OrganisationFactory(is_primary=True)
    case_types_seed_demo()
    from loket.catalog.demo import seed

    seed()
    case_types_link_services()
    user, _person = make_resident()
    log_in_resident(client, user)
    page = client.get(FORM)
    assert page.status_code == 200
    found = re.search(r'name="form_version" value="(\d+)"', page.content.decode())
    assert found is not None
    return client.post(
        FORM,
        {
            "stap": "melding",
            "form_version": found.group(1),
            "f-categorie": "verlichting",
            "f-beschrijving": "De straatlamp brandt niet.",
            "f-foto": SimpleUploadedFile("lamp.png", PNG, content_type="image/png"),
        },
    )


def test_a_full_disk_during_an_upload_gives_a_clear_message_and_saves_no_row(
    full_disk: Path,
) -> None:
    client = Client(raise_request_exception=False)
    response = _report_with_a_photo(client)

    assert response.status_code == 503
    assert response["Retry-After"]
    page = response.content.decode()
    assert "We cannot store files for a moment. Please try again later." in page
    assert "Attached files could not be kept: please choose them again." in page
    kept = dict(form_fields(page))
    assert kept["f-beschrijving"] == "De straatlamp brandt niet."  # what was typed
    assert kept["f-categorie"] == "verlichting"
    assert FormUpload.objects.count() == 0
    assert Case.objects.count() == 0


def test_a_full_disk_leaves_no_partial_file(full_disk: Path) -> None:
    _report_with_a_photo(Client(raise_request_exception=False))
    assert [p.name for p in full_disk.rglob("*") if p.is_file()] == []
