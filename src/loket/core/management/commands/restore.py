"""`loket restore FILE`: restore a backup made by `loket backup` into an empty instance
(checksums are verified first; `--force` replaces an instance that holds data)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.core.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = "Restore the database and the stored files from a `loket backup` archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The archive made by `loket backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the database and the archive's files even when this instance holds data.",
        )
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help="Only check the archive's checksums; change nothing.",
        )
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        if not archive.is_file():
            raise CommandError(f"{archive} does not exist.")
        try:
            if options["verify_only"]:
                manifest = backup_verify(archive=archive)
                self.stdout.write(
                    f"{archive}: every checksum matches ({len(manifest['members'])} members, "
                    f"made {manifest['created_at']} by Loket {manifest['loket_version']})."
                )
                return
            report = backup_restore(
                archive=archive, force=options["force"], using=options["database"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored {archive} in {report.seconds:.1f} s: the database "
            f"({sum(report.counts.values())} rows) and {report.files} files."
        )
        for label, (want, have) in sorted(report.count_mismatches.items()):
            self.stderr.write(f"  {label}: {have} rows, the backup had {want}.")
        if report.migrations_to_apply:
            self.stdout.write(
                f"{report.migrations_to_apply} newer migration(s) to apply: run `loket migrate`."
            )
        self.stdout.write(
            "Restart the web server and the workers; sessions of the old instance may "
            "still be in the cache."
        )
