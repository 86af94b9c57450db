"""Backups of a Loket instance: one ``tar.gz`` with the database and the stored files.

``backup_create`` writes (``loket backup``):

- ``database.sqlite3`` — SQLite's online backup API (a consistent copy while the
  instance runs), or ``database.pgdump`` — ``pg_dump -Fc`` for PostgreSQL;
- ``files/<name>`` — every file in the default storage (documents, print batches,
  uploads), read through Django's storage API, so object storage works too;
- ``manifest.json`` — format, Loket version, applied migrations, row counts per model
  and the SHA-256 and size of every other member.

``backup_restore`` (``loket restore``) copies the archive into a private temporary
folder and works on that copy: it reads the manifest, checks every member's checksum
and name (stored files only under plain relative names) *before* changing anything,
refuses an instance that holds data (unless ``force``) and a backup made by a newer
Loket, then restores the database and the files, and compares the row counts with the
manifest.

The archive holds personal data (national numbers included): it is written with mode
0600; keep it encrypted at rest (see docs/deploy.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.files.utils import validate_file_name
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from loket.core.services import DomainError

FORMAT = "loket-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES_PREFIX = "files/"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
CHUNK = 1024 * 1024
# An instance "holds data" when one of these has a row (migrations alone seed roles,
# message templates and topics, which a restore replaces).
CONTENT_MODELS = ("people.Person", "cases.Case", "documents.Document")


class BackupError(DomainError):
    """The backup cannot be made or restored; the message says why (nothing changed
    when a restore refuses)."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    seconds: float
    files: int
    files_bytes: int
    database_bytes: int
    counts: dict[str, int]


@dataclass(frozen=True)
class RestoreReport:
    seconds: float
    files: int
    counts: dict[str, int]
    count_mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)
    migrations_to_apply: int = 0


# --- helpers ---------------------------------------------------------------------------


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("loket")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


class _HashingReader(io.RawIOBase):
    """Reads from ``source`` and hashes what passes."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.digest = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self.source.read(-1 if size is None else size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _storage_names(storage: Storage, folder: str = "") -> Iterator[str]:
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    prefix = f"{folder}/" if folder else ""
    for name in sorted(files):
        yield prefix + name
    for sub in sorted(folders):
        yield from _storage_names(storage, prefix + sub)


def _vendor(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _pg_env(using: str) -> dict[str, str]:
    """libpq's environment for the connection: the password never on a command line."""
    db = connections[using].settings_dict
    env = {**os.environ, "PGDATABASE": str(db["NAME"])}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    if (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(db["OPTIONS"]["sslmode"])
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed on this server: install the PostgreSQL client "
            "programs (the same major version as the server or newer)."
        )
    return path


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = " ".join(result.stderr.strip().splitlines()[-3:])[:500]
        raise BackupError(f"{what} failed: {detail}")


def _counts(using: str) -> dict[str, int]:
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    counts = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table not in tables:
            continue
        counts[meta.label] = model._base_manager.using(using).count()
    return dict(sorted(counts.items()))


def _migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[using]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


# --- backup ----------------------------------------------------------------------------


def _dump_database(using: str, folder: Path) -> tuple[str, Path]:
    vendor = _vendor(using)
    if vendor == "sqlite":
        target = folder / SQLITE_MEMBER
        connection = connections[using]
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            # The online backup API: a consistent copy, also while others write.
            connection.connection.backup(copy, pages=4096)
        finally:
            copy.close()
        return SQLITE_MEMBER, target
    target = folder / POSTGRES_MEMBER
    _run(
        [
            _pg_tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "-f",
            str(target),
        ],
        _pg_env(using),
        "pg_dump",
    )
    return POSTGRES_MEMBER, target


def _add(archive: tarfile.TarFile, name: str, source: IO[bytes], size: int) -> dict[str, Any]:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(time.time())
    info.mode = 0o600
    reader = _HashingReader(source)
    archive.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": reader.size}


def backup_create(
    *, output: Path, using: str = "default", storage: Storage | None = None
) -> BackupReport:
    """Write one archive with the database, the stored files and a manifest. The
    archive appears under ``output`` only when it is complete."""
    storage = storage or default_storage
    started = time.perf_counter()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    members: dict[str, dict[str, Any]] = {}
    files = files_bytes = 0
    vendor = _vendor(using)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "loket_version": _version(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "migrations": _migrations(using),
        "counts": _counts(using),
    }
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with (
            os.fdopen(descriptor, "wb") as raw,
            tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as archive,
            tempfile.TemporaryDirectory(prefix="loket-backup-") as scratch,
        ):
            member, dump = _dump_database(using, Path(scratch))
            database_bytes = dump.stat().st_size
            with dump.open("rb") as source:
                members[member] = _add(archive, member, source, database_bytes)
            dump.unlink()
            for name in _storage_names(storage):
                size = storage.size(name)
                with storage.open(name, "rb") as source:
                    members[FILES_PREFIX + name] = _add(archive, FILES_PREFIX + name, source, size)
                files += 1
                files_bytes += size
            manifest["database"] = {"vendor": vendor, "member": member}
            manifest["files"] = files
            manifest["members"] = members
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            _add(archive, MANIFEST, io.BytesIO(data), len(data))
        partial.replace(output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupReport(
        path=output,
        size=output.stat().st_size,
        seconds=time.perf_counter() - started,
        files=files,
        files_bytes=files_bytes,
        database_bytes=database_bytes,
        counts=manifest["counts"],
    )


# --- restore ---------------------------------------------------------------------------


def _plain_file_name(name: str) -> bool:
    """A name the file storage takes as it is: relative, normalised (no ``//``, ``./``
    or trailing ``/``) and without ``..`` — what ``backup_create`` writes."""
    if not name or name.startswith("/") or name != posixpath.normpath(name):
        return False
    try:
        validate_file_name(name, allow_relative_path=True)
    except SuspiciousFileOperation:
        return False
    return True


def _safe_member(member: tarfile.TarInfo) -> None:
    path = PurePosixPath(member.name)
    if (
        not member.isfile()
        or path.is_absolute()
        or ".." in path.parts
        or (
            member.name.startswith(FILES_PREFIX)
            and not _plain_file_name(member.name[len(FILES_PREFIX) :])
        )
    ):
        raise BackupError(f"The archive holds an unexpected entry {member.name!r}.")


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path, "r:gz") as archive:
            try:
                member = archive.getmember(MANIFEST)
            except KeyError:
                raise BackupError("This is not a Loket backup (no manifest.json).") from None
            source = archive.extractfile(member)
            assert source is not None
            manifest = json.loads(source.read())
    except (OSError, tarfile.TarError, ValueError, EOFError, zlib.error) as exc:
        raise BackupError(f"The archive cannot be read: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This is not a Loket backup (unknown manifest).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"Unsupported backup format version {manifest.get('format_version')}.")
    return manifest


def backup_verify(*, archive: Path, database_copy: Path | None = None) -> dict[str, Any]:
    """Check every member against the manifest (and nothing more, nothing less); the
    database member is copied to ``database_copy`` on the way. Returns the manifest."""
    manifest = _read_manifest(archive)
    expected: dict[str, dict[str, Any]] = dict(manifest.get("members") or {})
    database_member = (manifest.get("database") or {}).get("member")
    if database_member not in expected:
        raise BackupError("The backup's manifest names no database.")
    seen: set[str] = set()
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                _safe_member(member)
                if member.name == MANIFEST:
                    continue
                if member.name not in expected or member.name in seen:
                    raise BackupError(f"The archive holds an unexpected entry {member.name!r}.")
                seen.add(member.name)
                source = tar.extractfile(member)
                assert source is not None
                reader = _HashingReader(source)
                with contextlib.ExitStack() as stack:
                    sink = (
                        stack.enter_context(database_copy.open("wb"))
                        if database_copy is not None and member.name == database_member
                        else None
                    )
                    while chunk := reader.read(CHUNK):
                        if sink is not None:
                            sink.write(chunk)
                want = expected[member.name]
                if reader.digest.hexdigest() != want.get("sha256") or reader.size != want.get(
                    "size"
                ):
                    raise BackupError(
                        f"The checksum of {member.name!r} does not match: the archive is "
                        "damaged or was changed. Nothing was restored."
                    )
    except (OSError, tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(f"The archive is damaged: {exc}. Nothing was restored.") from exc
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"The archive misses {len(missing)} file(s), e.g. {missing[0]!r}.")
    return manifest


def _holds_data(using: str, storage: Storage) -> str:
    tables = set(connections[using].introspection.table_names())
    for label in CONTENT_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if model._meta.db_table in tables and model._base_manager.using(using).exists():
            return f"the database holds {label} rows"
    if next(_storage_names(storage), None) is not None:
        return "the file storage holds files"
    return ""


def _unknown_migrations(manifest: dict[str, Any]) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in (manifest.get("migrations") or {}).items()
        for name in names
        if (app, name) not in known
    ]


def _restore_database(using: str, vendor: str, dump: Path) -> None:
    if vendor == "sqlite":
        connection = connections[using]
        connection.ensure_connection()
        if connection.in_atomic_block:
            raise BackupError("A restore cannot run inside a transaction.")
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection, pages=4096)
        except sqlite3.Error as exc:
            raise BackupError(
                f"The database could not be written ({exc}): stop the web server and the "
                "workers first."
            ) from exc
        finally:
            source.close()
        return
    connections[using].close()
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "-d",
            str(connections[using].settings_dict["NAME"]),
            str(dump),
        ],
        _pg_env(using),
        "pg_restore",
    )


def _restore_files(archive: Path, storage: Storage, *, replace: bool) -> int:
    restored = 0
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            if not member.name.startswith(FILES_PREFIX):
                continue
            name = member.name[len(FILES_PREFIX) :]
            source = tar.extractfile(member)
            assert source is not None
            if replace and storage.exists(name):
                storage.delete(name)
            saved = storage.save(name, File(source, name=PurePosixPath(name).name))
            if saved != name:
                raise BackupError(f"{name!r} exists in the file storage already.")
            restored += 1
    return restored


def backup_restore(
    *,
    archive: Path,
    force: bool = False,
    using: str = "default",
    storage: Storage | None = None,
) -> RestoreReport:
    """Restore ``archive`` into this instance: checksums first, then the database, then
    the files. Refuses an instance holding data unless ``force``."""
    storage = storage or default_storage
    started = time.perf_counter()
    archive = Path(archive)
    vendor = _vendor(using)
    with tempfile.TemporaryDirectory(prefix="loket-restore-") as scratch:
        # Work on a private copy: the files restored are the bytes that were checked,
        # whatever happens to the archive in the meantime.
        copy = Path(scratch) / "backup.tar.gz"
        try:
            shutil.copyfile(archive, copy)
        except OSError as exc:
            raise BackupError(f"The archive cannot be read: {exc}") from exc
        dump = Path(scratch) / "database"
        manifest = backup_verify(archive=copy, database_copy=dump)
        backup_vendor = manifest["database"].get("vendor")
        if backup_vendor != vendor:
            raise BackupError(
                f"This backup holds a {backup_vendor} database; this instance uses {vendor}."
            )
        unknown = _unknown_migrations(manifest)
        if unknown:
            raise BackupError(
                f"This backup was made by a newer Loket ({manifest.get('loket_version')}): "
                f"{len(unknown)} migration(s) unknown here, e.g. {unknown[0]}. Upgrade first."
            )
        if not force:
            reason = _holds_data(using, storage)
            if reason:
                raise BackupError(
                    f"This instance is not empty ({reason}). Restore into an empty one, or "
                    "pass --force to replace its database and files."
                )
        _restore_database(using, vendor, dump)
        dump.unlink()
        files = _restore_files(copy, storage, replace=force)
    counts = _counts(using)
    expected = manifest.get("counts") or {}
    mismatches = {
        label: (int(want), counts.get(label, 0))
        for label, want in expected.items()
        if counts.get(label, 0) != want
    }
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    pending = len(set(loader.disk_migrations) - set(loader.applied_migrations))
    return RestoreReport(
        seconds=time.perf_counter() - started,
        files=files,
        counts=counts,
        count_mismatches=mismatches,
        migrations_to_apply=pending,
    )
