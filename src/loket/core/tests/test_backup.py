"""`loket backup` and `loket restore`: an instance with a case, a sealed document and an
uploaded file is backed up, restored into an empty database and file storage, and
everything is found again (the document still verifies). A damaged archive or an
instance that holds data is refused and nothing changes.

``core`` is the lowest layer and may not import the modules above it; this test builds
a whole instance, so it loads them by name (the layers contract is about the code)."""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import shutil
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, connections

from loket.core import backup
from loket.core.backup import BackupError, backup_create, backup_restore
from loket.core.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

UPLOAD = b"%PDF-1.4 a scanned proof of address\n"


def _module(name: str) -> Any:
    return importlib.import_module(name)


def _without_audit_triggers(statement: str) -> None:
    """Run ``statement`` with the audit log's append-only triggers lifted (the test
    database is emptied between tests; the triggers would refuse that)."""
    migration = _module("loket.core.migrations.0002_audit_append_only")
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for drop in migration.DROP.get(vendor, []):
            cursor.execute(drop)
    if statement == "flush":
        call_command("flush", interactive=False, verbosity=0)
    else:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    with connection.cursor() as cursor:
        for create in {"sqlite": migration.SQLITE, "postgresql": migration.POSTGRES}[vendor]:
            cursor.execute(create)


@pytest.fixture(autouse=True)
def _clean_database(transactional_db: Any) -> Iterator[None]:
    yield
    _without_audit_triggers("DELETE FROM core_auditevent")


@pytest.fixture(scope="module")
def pki_and_tsa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    pki = _module("loket.documents.pki").demo_pki_create(
        tmp_path_factory.mktemp("pki"), organisation="Stad Mandelmunster"
    )
    with _module("loket.simulators.tsa").TimestampAuthority(pki.tsa_cert, pki.tsa_key) as tsa:
        yield pki, tsa


@pytest.fixture
def instance(settings: Any, tmp_path: Path, pki_and_tsa: Any) -> dict[str, Any]:
    """A small instance: a resident, an anonymous report (a case), a sealed residence
    certificate and an uploaded file."""
    pki, tsa = pki_and_tsa
    settings.LOKET_DOCUMENTS_PKI_DIR = pki.folder
    settings.LOKET_SEAL_PROVIDER = "pkcs12"
    settings.LOKET_SEAL_PKCS12_FILE = pki.seal
    settings.LOKET_SEAL_PKCS12_PASSWORD = ""
    settings.LOKET_SEAL_TRUST_ROOTS = pki.ca
    settings.LOKET_TSA_URL = tsa.url
    settings.LOKET_BASE_URL = "http://testserver"
    settings.MEDIA_ROOT = tmp_path / "media-before"
    _module("loket.documents.providers").sealer_forget()

    OrganisationFactory(is_primary=True, name="Stad Mandelmunster")
    documents = _module("loket.documents.services")
    documents.templates_seed_defaults()
    cases = _module("loket.cases.services")
    cases.case_types_seed_demo()
    person = _module("loket.people.tests.factories").PersonFactory(
        first_name="Maria", last_name="Peeters"
    )
    report = cases.case_submit(
        actor=None,
        case_type_slug="melding-openbaar-domein",
        data={"location": "Kerkstraat 4", "description": "Straatlamp kapot"},
        party=None,
    )
    document = documents.document_issue(
        actor=None, template_key="residence-certificate", person_id=person.pk
    )
    upload = default_storage.save("catalog/uploads/proof.pdf", ContentFile(UPLOAD))
    return {
        "person": person.pk,
        "case": report.case_id,
        "document": document.id,
        "upload": upload,
        "settings": settings,
    }


def _count(label: str) -> int:
    return apps.get_model(label)._base_manager.count()


def _empty_instance(settings: Any, tmp_path: Path) -> None:
    """A fresh instance: an empty database (no rows at all) and empty file storage."""
    _without_audit_triggers("flush")
    settings.MEDIA_ROOT = tmp_path / "media-after"
    assert _count("people.Person") == 0


def test_backup_and_restore_into_an_empty_instance_finds_everything(
    instance: dict[str, Any], settings: Any, tmp_path: Path
):
    archive = tmp_path / "backup.tar.gz"
    report = backup_create(output=archive)
    assert archive.is_file()
    assert archive.stat().st_mode & 0o077 == 0  # personal data: the owner only
    assert report.files == 2  # the sealed PDF and the upload
    assert report.counts["documents.Document"] == 1
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["database"]["vendor"] == connection.vendor
    assert "0001_initial" in manifest["migrations"]["cases"]
    assert set(manifest["members"]) >= {"files/catalog/uploads/proof.pdf"}
    assert all(len(m["sha256"]) == 64 for m in manifest["members"].values())

    _empty_instance(settings, tmp_path)
    restored = backup_restore(archive=archive)

    assert restored.files == 2
    assert restored.count_mismatches == {}
    Person = apps.get_model("people.Person")
    assert Person.objects.get(pk=instance["person"]).last_name == "Peeters"
    case = apps.get_model("cases.Case").objects.get(pk=instance["case"])
    assert case.data_versions.get().data["location"] == "Kerkstraat 4"
    Document = apps.get_model("documents.Document")
    document = Document.objects.get(pk=instance["document"])
    pdf = _module("loket.documents.selectors").document_read(document)
    assert hashlib.sha256(pdf).hexdigest() == document.sha256
    assert _module("loket.documents.verification").signature_check(pdf).ok
    assert (Path(settings.MEDIA_ROOT) / document.file.name).is_file()  # in the new storage
    with default_storage.open(instance["upload"]) as upload:
        assert upload.read() == UPLOAD
    assert apps.get_model("core.Role").objects.exists()  # the seeded data came along


def test_an_instance_that_holds_data_is_refused_and_unchanged(
    instance: dict[str, Any], tmp_path: Path
):
    archive = tmp_path / "backup.tar.gz"
    backup_create(output=archive)
    Person = apps.get_model("people.Person")
    Person.objects.filter(pk=instance["person"]).update(last_name="Changed since")
    with pytest.raises(BackupError, match="not empty"):
        backup_restore(archive=archive)
    assert Person.objects.get(pk=instance["person"]).last_name == "Changed since"

    backup_restore(archive=archive, force=True)  # replaces the database and the files
    assert Person.objects.get(pk=instance["person"]).last_name == "Peeters"
    assert _count("documents.Document") == 1


def _rewrite(archive: Path, target: Path, change: dict[str, bytes]) -> None:
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            data = source.extractfile(member).read()
            data = change.get(member.name, data)
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))


def test_a_changed_archive_is_refused_before_anything_changes(
    instance: dict[str, Any], settings: Any, tmp_path: Path
):
    archive = tmp_path / "backup.tar.gz"
    backup_create(output=archive)
    tampered = tmp_path / "tampered.tar.gz"
    _rewrite(archive, tampered, {"files/catalog/uploads/proof.pdf": b"%PDF-1.4 forged\n"})
    _empty_instance(settings, tmp_path)
    with pytest.raises(BackupError, match="checksum"):
        backup_restore(archive=tampered)
    assert _count("people.Person") == 0
    assert not (Path(settings.MEDIA_ROOT) / "catalog").exists()

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(BackupError):
        backup_restore(archive=truncated)
    not_ours = tmp_path / "other.tar.gz"
    with tarfile.open(not_ours, "w:gz") as tar:
        tar.addfile(tarfile.TarInfo("hello.txt"), io.BytesIO(b""))
    with pytest.raises(BackupError, match="not a Loket backup"):
        backup_restore(archive=not_ours)
    assert _count("people.Person") == 0


def test_the_commands(instance: dict[str, Any], settings: Any, tmp_path: Path):
    archive = tmp_path / "cli.tar.gz"
    out = io.StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    assert "2 files" in out.getvalue()
    out = io.StringIO()
    call_command("restore", str(archive), "--verify-only", stdout=out)
    assert "every checksum matches" in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), stdout=io.StringIO())
    _empty_instance(settings, tmp_path)
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    assert "and 2 files" in out.getvalue()
    assert _count("cases.Case") == 1


def test_a_missing_pg_dump_says_so(monkeypatch: Any):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match="pg_dump is not installed"):
        backup._pg_tool("pg_dump")


@pytest.mark.skipif(
    not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="the PostgreSQL client programs are not installed",
)
def test_postgresql_restores_into_a_throw_away_database(
    instance: dict[str, Any], settings: Any, tmp_path: Path
):
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL (DATABASE_URL)")
    archive = tmp_path / "pg.tar.gz"
    backup_create(output=archive)
    name = f"loket_restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    # A connection made here, not declared in the settings: the test may use it.
    default = connections["default"]
    connections._connections.restore = type(default)(
        {**default.settings_dict, "NAME": name}, alias="restore"
    )
    try:
        settings.MEDIA_ROOT = tmp_path / "media-pg"
        report = backup_restore(archive=archive, using="restore")
        assert report.count_mismatches == {}
        Document = apps.get_model("documents.Document")
        assert Document.objects.using("restore").filter(pk=instance["document"]).exists()
        assert apps.get_model("cases.Case").objects.using("restore").count() == 1
        assert report.files == 2
    finally:
        connections["restore"].close()
        delattr(connections._connections, "restore")
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _with_member(archive: Path, target: Path, name: str, data: bytes) -> None:
    """A copy of ``archive`` with one more member, which the manifest lists with its
    right checksum (so only the name can be wrong)."""
    with tarfile.open(archive) as source:
        members = [(member, source.extractfile(member).read()) for member in source]
    manifest = json.loads({m.name: d for m, d in members}["manifest.json"])
    manifest["members"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    with tarfile.open(target, "w:gz") as out:
        for member, content in members:
            if member.name == "manifest.json":
                content = json.dumps(manifest).encode()
                member.size = len(content)
            out.addfile(member, io.BytesIO(content))
        extra = tarfile.TarInfo(name)
        extra.size = len(data)
        out.addfile(extra, io.BytesIO(data))


def test_a_file_name_that_is_not_plain_is_refused_before_the_database_changes(
    instance: dict[str, Any], settings: Any, tmp_path: Path
):
    archive = tmp_path / "backup.tar.gz"
    backup_create(output=archive)
    _empty_instance(settings, tmp_path)
    for name in (
        f"files/{tmp_path}/escape.txt",  # files//…: an absolute name in the storage
        "files/./catalog/uploads/again.pdf",
        "files/catalog//uploads/again.pdf",
        "files/catalog/uploads/",
        "files/",
    ):
        bad = tmp_path / "bad.tar.gz"
        _with_member(archive, bad, name, b"x")
        with pytest.raises(BackupError, match="unexpected entry"):
            backup_restore(archive=bad)
        assert _count("people.Person") == 0, name  # the database was not touched
        assert not Path(settings.MEDIA_ROOT).exists(), name
    assert not (tmp_path / "escape.txt").exists()


def test_the_files_restored_are_the_bytes_that_were_checked(
    instance: dict[str, Any], settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The archive is changed on disk after its checksums were checked: the restore
    still writes what it checked (it works on its own copy)."""
    archive = tmp_path / "backup.tar.gz"
    backup_create(output=archive)
    original = default_storage.open("catalog/uploads/proof.pdf").read()
    tampered = tmp_path / "tampered.tar.gz"
    _rewrite(archive, tampered, {"files/catalog/uploads/proof.pdf": b"%PDF-1.4 forged\n"})
    verify = backup.backup_verify

    def verify_then_swap(**kwargs: Any) -> Any:
        manifest = verify(**kwargs)
        shutil.copyfile(tampered, archive)
        return manifest

    monkeypatch.setattr(backup, "backup_verify", verify_then_swap)
    _empty_instance(settings, tmp_path)
    backup_restore(archive=archive)
    assert default_storage.open("catalog/uploads/proof.pdf").read() == original
